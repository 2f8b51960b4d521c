/**
 * Types of `loop` (DESIGN.md §8): a do-while. The body is typed against the record before the loop, with the
 * loop's frame on the stack (for `ctx.iteration` and `ctx.loopStack`); it runs again on its own final record,
 * so every artifact from before the loop must end the body with a type the body can read again. The artifacts
 * the body creates are visible after the loop: the body ran at least once. What is wrong is reported on the
 * loop's name.
 */
import type { Frame, LoopFrame } from "./context.js"
import type { LoopBodyOpen, LoopRemoves, LoopStage, LoopTypeChangedText, TypeChange } from "./messages.js"
import type {
  AnyState,
  Entry,
  FlowMeta,
  NamesIn,
  NothingOpen,
  Open,
  OpenForeach,
  OpenSplit,
  RecordView,
  State,
  TypeIn
} from "./state.js"
import type { DuplicateViolation, FirstOf, NameViolation, OpenViolation, Otherwise } from "./step.js"

/** The state a loop body starts from: the record before the loop, the loop's name taken, one more frame. */
export type LoopStart<S extends AnyState, Name extends string> =
  S extends State<infer Meta, infer Entries, infer Params, infer Steps, string, infer Stack, Open>
    ? State<Meta, Entries, Params, Steps | Name, never, readonly [...Stack, LoopFrame<Name>], NothingOpen>
    : never

/** The record `until` receives: the body's final record. */
export type LoopRecord<Body extends AnyState> = RecordView<Body["entries"]>

/** The options of `loop`: when to stop, and how many iterations at most. */
export interface LoopOptions<Artifacts = Readonly<Record<string, unknown>>> {
  /**
   * Called on the body's final record after each iteration: `true` ends the loop. It runs where the flow is
   * scheduled, not on a worker: keep it a quick test of the record.
   */
  readonly until: (a: Artifacts) => boolean | PromiseLike<boolean>
  /** At most this many iterations (default 100): needing one more fails the run with a `ResourceLimitError`. */
  readonly maxIterations?: number
}

type Assignable<Type, To> = [Type] extends [To] ? true : false

/** Artifacts from before the loop that the body writes with a type its next iteration could not read. */
type TypeChanges<Loop extends string, Before extends Entry, Body extends AnyState> = {
  [K in Body["written"] & NamesIn<Before>]: Assignable<TypeIn<Body["entries"], K>, TypeIn<Before, K>> extends true
    ? never
    : TypeChange<LoopTypeChangedText<Loop, K>, TypeIn<Before, K>, TypeIn<Body["entries"], K>>["message"]
}[Body["written"] & NamesIn<Before>]

type Removed<Loop extends string, Before extends Entry, Body extends AnyState> = LoopRemoves<
  Loop,
  Exclude<NamesIn<Before>, NamesIn<Body["entries"]>>
>

type BodyOpen<Loop extends string, Body extends AnyState> = Body["pending"] extends OpenSplit | OpenForeach
  ? LoopBodyOpen<Loop, Body["pending"]["kind"]>
  : never

type BodyViolations<S extends AnyState, Loop extends string, Body extends AnyState> = FirstOf<
  BodyOpen<Loop, Body>,
  TypeChanges<Loop, S["entries"], Body> | Removed<Loop, S["entries"], Body>
>

/**
 * Everything wrong with a loop, once the compiler has typed its body. While it infers the type arguments, it
 * first skips a body given as `(f) => pipe(f, ...)`, and `Body` is then its constraint, whose steps are
 * `string`: reporting anything then would leave the body untyped (its parameters `any`, with errors of their
 * own on every line). (Nor can anything about the body be checked in a stage built apart from a flow, whose
 * steps are not known: the run checks it.)
 */
type LoopViolations<S extends AnyState, Name extends string, Body extends AnyState> = string extends Body["steps"]
  ? never
  : FirstOf<
      OpenViolation<S, LoopStage<Name>> | NameViolation<"loop", Name>,
      FirstOf<DuplicateViolation<S, Name>, BodyViolations<S, Name, Body>>
    >

/** The type of loop's name argument: the name, or the messages saying what is wrong. */
export type CheckLoop<S extends AnyState, Name extends string, Body extends AnyState> = Otherwise<
  LoopViolations<S, Name, Body>,
  Name
>

/** After the loop: the body's final record (its steps include the loop's name), and the frames before it. */
export type AfterLoop<S extends AnyState, Body extends AnyState> =
  S extends State<infer Meta, Entry, infer Params, string, infer Written, infer Stack, Open>
    ? Body extends State<FlowMeta, infer Entries, string, infer Steps, infer BodyWritten, ReadonlyArray<Frame>, Open>
      ? State<Meta, Entries, Params, Steps, Written | BodyWritten, Stack, NothingOpen>
      : never
    : never
