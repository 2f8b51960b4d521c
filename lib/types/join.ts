/**
 * Types of `join`: how a split's branches or a foreach's tasks merge back into one record (DESIGN.md §3.5
 * and §3.6), the options and function a join takes, and the checks reported on the join's name.
 */
import type { TaskOptions } from "../dsl/ast.js"
import type { CaughtError, ContextOf } from "./context.js"
import type {
  ConflictUnhandled,
  EqualNotWritten,
  JoinWithoutOpen,
  NotAConflict,
  SplitOptionInForeachJoin,
  UnknownBranch
} from "./messages.js"
import type {
  AnyState,
  BranchResult,
  EntriesWithout,
  Entry,
  NamesIn,
  NextEntries,
  NothingOpen,
  Open,
  OpenForeach,
  OpenSplit,
  OutputOf,
  RecordView,
  State,
  TypeIn
} from "./state.js"
import type { CaughtOutput, DuplicateViolation, FirstOf, NameViolation, Otherwise, OutputViolations } from "./step.js"
import type { WrittenKeys } from "./util.js"

type ReturnOf<Fn> = Fn extends (...args: never) => infer Result ? Result : never

// ---- reading the options object a user passed -------------------------------------------------------------

type ResolveOf<Options> = Options extends { readonly resolve: infer Resolve } ? Resolve : {}
type TakeOf<Options> = Options extends { readonly take: infer Take } ? Take : {}
type ListOf<Options, Option extends "exclude" | "equal"> = Options extends {
  readonly [K in Option]: ReadonlyArray<infer Key>
}
  ? Key & string
  : never
type Resolved<Options> = keyof ResolveOf<Options> & string
type Taken<Options> = keyof TakeOf<Options> & string

// ---- split joins --------------------------------------------------------------------------------------------

type BranchMap = { readonly [branch: string]: BranchResult }
type BranchName<Branches> = keyof Branches & string
type EntriesOfBranch<Branches, Branch> = Branch extends keyof Branches
  ? Branches[Branch] extends BranchResult<infer Entries>
    ? Entries
    : never
  : never
type AllKeys<Branches extends BranchMap> = NamesIn<Branches[BranchName<Branches>]["entries"]>
type WrittenAny<Branches extends BranchMap> = Branches[BranchName<Branches>]["written"]

/** Keys written in one branch and present in another branch's output: the join must say what to keep. */
export type Conflicts<Branches extends BranchMap> = {
  [B in BranchName<Branches>]: Branches[B]["written"] &
    NamesIn<Branches[Exclude<BranchName<Branches>, B>]["entries"]>
}[BranchName<Branches>]

/** Each branch's value of `Key`, by branch name: what a `resolve` function receives. */
export type BranchValues<Branches, Key> = {
  readonly [B in BranchName<Branches>]: TypeIn<EntriesOfBranch<Branches, B>, Key>
}

type ValueInAny<Branches extends BranchMap, Key> = BranchValues<Branches, Key>[BranchName<Branches>]
type WrittenValue<Branches extends BranchMap, Key> = {
  [B in BranchName<Branches>]: Key extends Branches[B]["written"] ? TypeIn<Branches[B]["entries"], Key> : never
}[BranchName<Branches>]

/** The options of a join closing a split. Unknown keys are accepted here and reported on the join's name. */
export interface SplitJoinOptions<Branches extends BranchMap> extends TaskOptions {
  /** Computes the merged value of a conflicting artifact from every branch's value. */
  readonly resolve?: { readonly [K in AllKeys<Branches>]?: (values: BranchValues<Branches, K>) => unknown }
  /** Keeps one branch's value of a conflicting artifact. */
  readonly take?: { readonly [key: string]: BranchName<Branches> | (string & {}) }
  /** Drops conflicting artifacts from the merged record. */
  readonly exclude?: ReadonlyArray<AllKeys<Branches> | (string & {})>
  /** Conflicting artifacts every branch must hold with the same content (checked at run time by hash). */
  readonly equal?: ReadonlyArray<AllKeys<Branches> | (string & {})>
}

/** Keys some branch wrote that end up in the merged record: every one but unhandled conflicts and `exclude`. */
type MergedWrittenKeys<Branches extends BranchMap, Options> = Exclude<
  WrittenAny<Branches>,
  ListOf<Options, "exclude"> | Exclude<Conflicts<Branches>, Resolved<Options> | Taken<Options> | ListOf<Options, "equal">>
>

/** The artifacts after a split join, before the join function's output: what its `a` holds. */
export type SplitMerged<Before extends Entry, Branches extends BranchMap, Options> = Merging<
  Before,
  Branches,
  Options
>["entries"]

/**
 * Artifacts no branch wrote keep their entry from before the split; only the few written ones are looked up
 * (a lookup scans every entry, so looking up every key would cost the square of the record's size).
 * An interface, not an alias: the unions it computes carry no alias arguments (see lib/types/state.ts).
 */
interface Merging<Before extends Entry, Branches extends BranchMap, Options> {
  readonly entries:
    | EntriesWithout<Before, WrittenAny<Branches> | ListOf<Options, "exclude">>
    | {
        [K in MergedWrittenKeys<Branches, Options>]: Entry<K, MergedType<Branches, Options, K>>
      }[MergedWrittenKeys<Branches, Options>]
}

/** The merged type of an artifact some branch wrote. */
type MergedType<Branches extends BranchMap, Options, K extends string> = K extends Resolved<Options>
  ? ReturnOf<ResolveOf<Options>[K]>
  : K extends Taken<Options>
    ? TypeIn<EntriesOfBranch<Branches, TakeOf<Options>[K]>, K>
    : K extends ListOf<Options, "equal">
      ? ValueInAny<Branches, K>
      : WrittenValue<Branches, K>

type Unhandled<Branches extends BranchMap, Options, Output> = Exclude<
  Conflicts<Branches>,
  Resolved<Options> | Taken<Options> | ListOf<Options, "exclude"> | ListOf<Options, "equal"> | WrittenKeys<Output>
>

type NotConflicts<Name extends string, Branches extends BranchMap, Options> =
  | NotAConflict<Name, Exclude<Resolved<Options>, Conflicts<Branches>>, "resolve">
  | NotAConflict<Name, Exclude<Taken<Options>, Conflicts<Branches>>, "take">
  | NotAConflict<Name, Exclude<ListOf<Options, "exclude">, Conflicts<Branches>>, "exclude">
  | NotAConflict<Name, Exclude<ListOf<Options, "equal">, Conflicts<Branches>>, "equal">

type UnknownBranches<Name extends string, Branches extends BranchMap, Options> = {
  [K in Taken<Options>]: TakeOf<Options>[K] extends BranchName<Branches>
    ? never
    : UnknownBranch<Name, K, TakeOf<Options>[K] & string>
}[Taken<Options>]

type SplitJoinViolations<S extends AnyState, Branches extends BranchMap, Name extends string, Options, Output> = FirstOf<
  ConflictUnhandled<Name, Unhandled<Branches, Options, Output>> |
    NotConflicts<Name, Branches, Options> |
    UnknownBranches<Name, Branches, Options>,
  OutputViolations<S, Name, Output>
>

// An interface, not an alias: the union it computes carries no alias arguments (see lib/types/state.ts).
interface AfterMerge<Written, Branches extends BranchMap, Options> {
  readonly written: Exclude<Written | WrittenAny<Branches>, ListOf<Options, "exclude">>
}

type AfterSplitJoin<S extends AnyState, Branches extends BranchMap, Name extends string, Options, Output> =
  S extends State<infer Meta, infer Entries, infer Params, infer Steps, infer Written, infer Stack, Open>
    ? State<
        Meta,
        NextEntries<SplitMerged<Entries, Branches, Options>, Output>,
        Params,
        Steps | Name,
        AfterMerge<Written, Branches, Options>["written"] | WrittenKeys<Output>,
        Stack,
        NothingOpen
      >
    : never

// ---- foreach joins -----------------------------------------------------------------------------------------

/**
 * The options of a join closing a foreach. The split-only options are accepted here so that the join's name
 * can say why they do not apply (an unknown property would only get the compiler's generic message).
 */
export interface ForeachJoinOptions<Body extends BranchResult> extends TaskOptions {
  /** Artifacts written in the body that every task must hold with the same content; they join the record. */
  readonly equal?: ReadonlyArray<Body["written"] | (string & {})>
  /** Split joins only: an error here (use `equal`, or return the artifact from the join function). */
  readonly resolve?: unknown
  /** Split joins only: an error here (use `equal`, or return the artifact from the join function). */
  readonly take?: unknown
  /** Split joins only: an error here (use `equal`, or return the artifact from the join function). */
  readonly exclude?: unknown
}

/** The artifacts after a foreach join, before the join function's output: what its `a` holds. */
export type ForeachMerged<Before extends Entry, Body extends BranchResult, Options> = NextEntries<
  Before,
  { readonly [K in ListOf<Options, "equal">]: TypeIn<Body["entries"], K> }
>

type ForeachJoinViolations<S extends AnyState, Body extends BranchResult, Name extends string, Options, Output> = FirstOf<
  | EqualNotWritten<Name, Exclude<ListOf<Options, "equal">, Body["written"]>>
  | SplitOptionInForeachJoin<Name, Extract<keyof Options, "resolve" | "take" | "exclude"> & string>,
  OutputViolations<S, Name, Output>
>

type AfterForeachJoin<S extends AnyState, Body extends BranchResult, Name extends string, Options, Output> =
  S extends State<infer Meta, infer Entries, infer Params, infer Steps, infer Written, infer Stack, Open>
    ? State<
        Meta,
        NextEntries<ForeachMerged<Entries, Body, Options>, Output>,
        Params,
        Steps | Name,
        Written | ListOf<Options, "equal"> | WrittenKeys<Output>,
        Stack,
        NothingOpen
      >
    : never

// ---- the join combinator's signature pieces -------------------------------------------------------------------

/** The options `join` accepts for the split or foreach it closes. */
export type JoinOptionsFor<S extends AnyState> =
  S["pending"] extends OpenSplit<infer Branches extends BranchMap>
    ? SplitJoinOptions<Branches>
    : S["pending"] extends OpenForeach<string, infer Body>
      ? ForeachJoinOptions<Body>
      : TaskOptions

/** The artifacts a join function's `a` holds. */
export type JoinEntries<S extends AnyState, Options> =
  S["pending"] extends OpenSplit<infer Branches extends BranchMap>
    ? SplitMerged<S["entries"], Branches, Options>
    : S["pending"] extends OpenForeach<string, infer Body>
      ? ForeachMerged<S["entries"], Body, Options>
      : S["entries"]

/** A join function's `inputs`: each branch's record by name, or the foreach tasks' records in index order. */
export type JoinInputs<S extends AnyState> =
  S["pending"] extends OpenSplit<infer Branches extends BranchMap>
    ? { readonly [B in BranchName<Branches>]: RecordView<Branches[B]["entries"]> }
    : S["pending"] extends OpenForeach<string, infer Body>
      ? ReadonlyArray<RecordView<Body["entries"]>>
      : never

export type JoinFunction<S extends AnyState, Options, Returned> = (
  inputs: JoinInputs<S>,
  a: RecordView<JoinEntries<S, Options>>,
  ctx: ContextOf<S["stack"]>
) => Returned | PromiseLike<Returned>

type CatchOf<Options> = Options extends { readonly catch: infer Catch extends string } ? Catch : undefined

/**
 * The output the checks look at: the function's output and the `catch` artifact. Not `JoinOutput`, which
 * depends on the record: checking that makes the compiler walk the record chain (TS2589 on long flows).
 */
type CheckedOutput<Options, Returned> = OutputOf<Returned> & {
  readonly [K in CatchOf<Options> & string]: CaughtError | undefined
}

/** The join's output as it lands in the record (see `CaughtOutput`). */
export type JoinOutput<S extends AnyState, Options, Returned> = CaughtOutput<
  JoinEntries<S, Options>,
  OutputOf<Returned, JoinEntries<S, Options>>,
  CatchOf<Options>
>

type JoinViolations<S extends AnyState, Name extends string, Options, Returned, Known extends boolean> = FirstOf<
  NameViolation<"step", Name>,
  S["pending"] extends OpenSplit<infer Branches extends BranchMap, infer SplitErrors>
    ? FirstOf<
        SplitErrors | DuplicateViolation<S, Name>,
        Known extends true ? SplitJoinViolations<S, Branches, Name, Options, CheckedOutput<Options, Returned>> : never
      >
    : S["pending"] extends OpenForeach<string, infer Body>
      ? FirstOf<
          DuplicateViolation<S, Name>,
          Known extends true ? ForeachJoinViolations<S, Body, Name, Options, CheckedOutput<Options, Returned>> : never
        >
      : JoinWithoutOpen<Name>
>

/**
 * Placeholders for "no options object" and "no join function" (type parameter defaults). They also tell the
 * checks when the compiler has not looked at the function arguments yet: it first checks the other arguments
 * with those placeholders, and a rule about the join's output must not fail the call at that point.
 */
export interface NoOptions {
  readonly "artiflow:no-options": true
}
export interface NoFunction {
  readonly "artiflow:no-function": true
}

/**
 * The options a join was given, `{}` for none. Options has no default (the compiler would use it as the
 * options literal's contextual type): without options it is its constraint, which includes `NoOptions`.
 */
export type GivenOptions<Options> = [NoOptions] extends [Options] ? {} : Options
/** What a join function returns, `{}` without one. */
export type GivenReturn<Returned> = [Returned] extends [NoFunction] ? {} : Returned

/**
 * The type of join's name argument: the name, or the messages saying what is wrong. `Known` is false while the
 * compiler has not yet seen the arguments that decide the join's output (see {@link NoFunction}).
 */
export type CheckJoin<S extends AnyState, Name extends string, Options, Returned, Known extends boolean = true> = Otherwise<
  JoinViolations<S, Name, GivenOptions<Options>, GivenReturn<Returned>, Known>,
  Name
>

type AfterJoinWith<S extends AnyState, Name extends string, Options, Returned> =
  S["pending"] extends OpenSplit<infer Branches extends BranchMap>
    ? AfterSplitJoin<S, Branches, Name, Options, JoinOutput<S, Options, Returned>>
    : S["pending"] extends OpenForeach<string, infer Body>
      ? AfterForeachJoin<S, Body, Name, Options, JoinOutput<S, Options, Returned>>
      : S

export type AfterJoin<S extends AnyState, Name extends string, Options, Returned> = AfterJoinWith<
  S,
  Name,
  GivenOptions<Options>,
  GivenReturn<Returned>
>
