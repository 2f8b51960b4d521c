/**
 * Types of `split`: every branch starts from the record before the split (with a fresh "written" set, so the
 * join can tell what each branch wrote), and the split leaves an open state that only `join` accepts.
 */
import type { Flow, Stage } from "./flow.js"
import type { BranchOpen, DuplicateStep, EmptySplit } from "./messages.js"
import type { Frame } from "./context.js"
import type { AnyState, BranchResult, FlowMeta, NothingOpen, Open, OpenForeach, OpenSplit, State } from "./state.js"
import type { FirstOf, OpenViolation } from "./step.js"
import type { IsNever } from "./util.js"

/** The state a branch starts from. */
export type BranchStart<S extends AnyState> = S extends State<
  infer Meta,
  infer Entries,
  infer Params,
  infer Steps,
  string,
  infer Stack,
  Open
>
  ? State<Meta, Entries, Params, Steps, never, Stack, NothingOpen>
  : never

/** What `split` accepts: one stage per branch name. */
export type BranchStages<S extends AnyState> = { readonly [branch: string]: Stage<BranchStart<S>, AnyState> }

/** The state a branch stage ends with. */
export type EndOf<Stage> = Stage extends (flow: never) => Flow<infer Out> ? Out : never

type BranchResultOf<Stage> =
  EndOf<Stage> extends State<FlowMeta, infer Entries, string, string, infer Written, ReadonlyArray<Frame>, Open>
    ? BranchResult<Entries, Written>
    : never

export type BranchResults<Stages> = { readonly [B in keyof Stages & string]: BranchResultOf<Stages[B]> }

export type AfterSplit<S extends AnyState, Stages> =
  S extends State<infer Meta, infer Entries, infer Params, string, infer Written, infer Stack, Open>
    ? [BranchResults<Stages>, SplitViolations<S, Stages>, EndOf<Stages[keyof Stages]>["steps"]] extends [
        infer Results extends { readonly [branch: string]: BranchResult },
        infer Violations,
        infer Steps extends string
      ]
      ? State<Meta, Entries, Params, Steps, Written, Stack, OpenSplit<Results, Violations>>
      : never
    : never

type NewSteps<S extends AnyState, Stage> = Exclude<EndOf<Stage>["steps"], S["steps"]>

type CrossBranchDuplicates<S extends AnyState, Stages> = {
  [B in keyof Stages & string]: DuplicateStep<
    NewSteps<S, Stages[B]> & NewSteps<S, Stages[Exclude<keyof Stages & string, B>]> & string
  >
}[keyof Stages & string]

type OpenBranches<Stages> = {
  [B in keyof Stages & string]: EndOf<Stages[B]>["pending"] extends OpenSplit | OpenForeach
    ? BranchOpen<B, EndOf<Stages[B]>["pending"]["kind"]>
    : never
}[keyof Stages & string]

/**
 * What is wrong with a split, reported on the name of the `join` that closes it. (Split's single argument is
 * an object literal that needs `Stages` itself as its contextual type, so that each branch's stage is typed
 * from the record before the split; a check type there, or on split's result, leaves the branches untyped
 * or moves the error onto the stage before the split. The join always follows the split.)
 */
export type SplitViolations<S extends AnyState, Stages> = FirstOf<
  OpenViolation<S, "split"> | (IsNever<keyof Stages> extends true ? EmptySplit : never),
  OpenBranches<Stages> | CrossBranchDuplicates<S, Stages>
>
