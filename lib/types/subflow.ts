/**
 * Types of `subflow` and `use`: a fragment is typed against the artifacts it needs, not against a whole
 * flow, and `use` checks at the point of use that the flow provides them.
 */
import type { Frame } from "./context.js"
import type { Stage } from "./flow.js"
import type { DuplicateStep, SubflowNeeds, SubflowOpen } from "./messages.js"
import type {
  AnyState,
  EntriesOf,
  EntriesWithin,
  EntriesWithout,
  FlowMeta,
  NamesIn,
  NothingOpen,
  Open,
  OpenForeach,
  OpenSplit,
  State,
  TypeIn
} from "./state.js"
import type { FirstOf, OpenViolation, Otherwise, ReadOnlyWrite } from "./step.js"

declare const subflowTypes: unique symbol

/** A reusable fragment of stages, built with `subflow` and inserted with `use`. */
export interface Subflow<Needs extends object = object, End extends AnyState = AnyState> {
  readonly _tag: "Subflow"
  /** io-ts codecs of the needed artifacts, checked at run time, when the fragment declared them so. */
  readonly needs: { readonly [name: string]: import("io-ts").Mixed } | undefined
  readonly build: Stage<AnyState, AnyState>
  readonly [subflowTypes]?: { readonly needs: Needs; readonly end: End }
}

/** The state a fragment is built from: only the artifacts it needs. */
export type SubflowStart<Needs extends object> = State<
  FlowMeta,
  EntriesOf<Needs>,
  never,
  never,
  never,
  readonly [],
  NothingOpen
>

type MissingNeeds<S extends AnyState, Needs extends object> = {
  [K in keyof Needs & string]: K extends NamesIn<S["entries"]>
    ? TypeIn<S["entries"], K> extends Needs[K]
      ? never
      : SubflowNeeds<K>
    : SubflowNeeds<K>
}[keyof Needs & string]

type EndsOpen<End extends AnyState> = End["pending"] extends OpenSplit | OpenForeach
  ? SubflowOpen<End["pending"]["kind"]>
  : never

/** The type of use's argument: the fragment, or the messages saying what is wrong. */
export type CheckUse<S extends AnyState, Needs extends object, End extends AnyState> = Otherwise<
  FirstOf<
    OpenViolation<S, "use of a subflow">,
    | MissingNeeds<S, Needs>
    | EndsOpen<End>
    | DuplicateStep<End["steps"] & S["steps"]>
    | ReadOnlyWrite<S, "(in a subflow)", End["written"] & S["params"]>
  >,
  Subflow<Needs, End>
>

export type AfterUse<S extends AnyState, End extends AnyState> =
  S extends State<infer Meta, infer Entries, infer Params, infer Steps, infer Written, infer Stack, Open>
    ? End extends State<FlowMeta, infer EndEntries, string, infer EndSteps, infer EndWritten, ReadonlyArray<Frame>, Open>
      ? State<
          Meta,
          EntriesWithout<Entries, EndWritten> | EntriesWithin<EndEntries, EndWritten>,
          Params,
          Steps | EndSteps,
          Written | EndWritten,
          Stack,
          NothingOpen
        >
      : never
    : never
