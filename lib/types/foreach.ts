/**
 * Types of `foreach`: the body runs once per element of an array artifact, with `ctx.input` typed as the
 * element; the foreach leaves an open state that only `join` accepts.
 */
import type { ForeachFrame, Frame } from "./context.js"
import type { BodyOpen, ForeachMissing, ForeachNotArray } from "./messages.js"
import type {
  AnyState,
  BranchResult,
  FlowMeta,
  NamesIn,
  NothingOpen,
  Open,
  OpenForeach,
  OpenSplit,
  State,
  TypeIn
} from "./state.js"
import type { FirstOf, OpenViolation, Otherwise } from "./step.js"

export type ElementOf<Entries, Artifact> = TypeIn<Entries, Artifact> extends ReadonlyArray<infer Element>
  ? Element
  : never

/** The state a foreach body starts from: the record before the foreach and one more stack frame. */
export type BodyStart<S extends AnyState, Artifact extends string> =
  S extends State<infer Meta, infer Entries, infer Params, infer Steps, string, infer Stack, Open>
    ? State<
        Meta,
        Entries,
        Params,
        Steps,
        never,
        readonly [...Stack, ForeachFrame<Artifact, ElementOf<Entries, Artifact>>],
        NothingOpen
      >
    : never

export type AfterForeach<S extends AnyState, Artifact extends string, Body extends AnyState> =
  S extends State<infer Meta, infer Entries, infer Params, string, infer Written, infer Stack, Open>
    ? Body extends State<FlowMeta, infer BodyEntries, string, infer Steps, infer BodyWritten, ReadonlyArray<Frame>, Open>
      ? State<Meta, Entries, Params, Steps, Written, Stack, OpenForeach<Artifact, BranchResult<BodyEntries, BodyWritten>>>
      : never
    : never

type BodyOpenViolation<Artifact extends string, Body extends AnyState> = Body["pending"] extends OpenSplit | OpenForeach
  ? BodyOpen<Artifact, Body["pending"]["kind"]>
  : never

/** The type of foreach's artifact argument: the name, or the message saying what is wrong. */
export type CheckForeach<S extends AnyState, Artifact extends string, Body extends AnyState> = Otherwise<
  FirstOf<OpenViolation<S, `foreach over '${Artifact}'`> | ArtifactViolation<S, Artifact>, BodyOpenViolation<Artifact, Body>>,
  Artifact
>

type ArtifactViolation<S extends AnyState, Artifact extends string> = Artifact extends NamesIn<S["entries"]>
  ? TypeIn<S["entries"], Artifact> extends ReadonlyArray<unknown>
    ? never
    : ForeachNotArray<Artifact>
  : ForeachMissing<Artifact>
