/**
 * The type-level state a flow carries: its name and parameter and config inputs, the artifacts every later
 * step sees, which names are parameters or configs (read-only), which step names are taken, which artifacts
 * the current scope wrote (for merges), the foreach and loop frames (for `ctx`) and whether a split or
 * foreach waits for its join.
 *
 * Long flows must stay shallow for the compiler. It walks a type's parts whenever it instantiates a type
 * containing it, and it gives up past a depth of 100 (TS2589), so no part of a state may refer to the
 * previous state. Three things would:
 * - a record built as a mapped type over the previous record (its type arguments are that record), so the
 *   artifacts are a flat union of `[name, type]` entries instead, shown to step functions as one object
 *   ({@link RecordView});
 * - a union produced by a type alias (it keeps the alias's arguments, here the previous union), so every
 *   union a state holds is computed as a property of an interface ({@link EntriesAfter});
 * - `State<S["meta"], ...>` written in an alias (a lazily resolved reference keeps `S`), so every
 *   state-producing type takes the previous state apart with `infer` and builds the next from the parts.
 */
import type { Frame } from "./context.js"
import type { KeysOfUnion, WrittenKeys } from "./util.js"

/** One artifact as the state keeps it: its name and its type. */
export type Entry<Name extends string = string, Value = unknown> = readonly [name: Name, value: Value]

/** The artifacts as the object a step function receives: `{ readonly name: type; ... }`, flat on hover. */
export type RecordView<Entries> = [Entries] extends [Entry]
  ? { readonly [E in Entries as E[0]]: E[1] }
  : never

/** The names in a set of entries. */
export type NamesIn<Entries> = Entries extends Entry ? Entries[0] : never

/** The type of one artifact in a set of entries (`never` when it is absent). */
export type TypeIn<Entries, Name> = Entries extends readonly [Name, infer Value] ? Value : never

/** The entries of an object type's artifact keys (ephemeral `_` keys are not artifacts). */
export type EntriesOf<Output> = { [K in WrittenKeys<Output>]: Entry<K, Output[K]> }[WrittenKeys<Output>]

/** The entries after a step: the previous ones with the output's names replaced (a key replaces its type). */
export type NextEntries<Entries, Output> = EntriesAfter<Entries, Output>["entries"]

/** Entries without some names. */
export type EntriesWithout<Entries, Names> = EntriesFiltered<Entries, Names>["kept"]

/** Entries with only some names. */
export type EntriesWithin<Entries, Names> = EntriesFiltered<Entries, Names>["picked"]

// Interfaces, not aliases: the unions they compute carry no alias arguments (see the top of this file).
interface EntriesAfter<Entries, Output> {
  readonly entries:
    | (Entries extends Entry<keyof Output & string> ? never : Entries)
    | { [K in WrittenKeys<Output>]: Entry<K, Output[K]> }[WrittenKeys<Output>]
}
interface EntriesFiltered<Entries, Names> {
  readonly kept: Entries extends Entry<Names & string> ? never : Entries
  readonly picked: Entries extends Entry<Names & string> ? Entries : never
}

/** What one branch of a split, or a foreach body, ended with. */
export interface BranchResult<Entries extends Entry = Entry, Written extends string = string> {
  readonly entries: Entries
  readonly written: Written
}

export interface NothingOpen {
  readonly kind: "none"
}

/**
 * Nothing open, right after a `choose`: a `join` here gets a message of its own, and `run` of a flow that
 * ends here reports what is wrong with the choose (`Violations`, `never` when nothing is).
 */
export interface AfterChoice<Selector extends string = string, Violations = unknown> extends NothingOpen {
  readonly chose: Selector
  readonly violations: Violations
}

export interface OpenSplit<Branches = { readonly [branch: string]: BranchResult }, Violations = unknown> {
  readonly kind: "split"
  readonly branches: Branches
  /** What is wrong with the split itself; reported on the join's name. */
  readonly violations: Violations
}

export interface OpenForeach<Artifact extends string = string, Body extends BranchResult = BranchResult> {
  readonly kind: "foreach"
  readonly artifact: Artifact
  readonly body: Body
}

export type Open = NothingOpen | OpenSplit | OpenForeach

/**
 * What stays the same along a flow: its name, the parameter values `run` accepts and the configs it
 * accepts (whose keys are the config names: the read-only artifacts that are configs, not parameters).
 */
export interface FlowMeta<Name extends string = string, Inputs extends object = object, Configs extends object = object> {
  readonly name: Name
  readonly inputs: Inputs
  readonly configs: Configs
}

export interface State<
  Meta extends FlowMeta = FlowMeta,
  Entries extends Entry = Entry,
  Params extends string = string,
  Steps extends string = string,
  Written extends string = string,
  Stack extends ReadonlyArray<Frame> = ReadonlyArray<Frame>,
  Pending extends Open = Open
> {
  readonly meta: Meta
  readonly entries: Entries
  readonly params: Params
  readonly steps: Steps
  readonly written: Written
  readonly stack: Stack
  readonly pending: Pending
}

// `any` entries: the state of a flow whose artifacts are not known here (a stage accepting any flow)
export type AnyState = State<FlowMeta, Entry<string, any>, string, string, string, ReadonlyArray<Frame>, Open>

/** The record a state's step functions see. */
export type RecordOf<S extends AnyState> = RecordView<S["entries"]>

/**
 * A step function's return type as a plain object type: `void` writes nothing, and a union of objects
 * (`cond ? { a } : { b }`) writes every key any member writes. A member without the key (or with it optional:
 * the compiler gives `{ b?: undefined }` to the first member of `cond ? { a } : { b }`) leaves the artifact as
 * it was: its type in `Before` (the entries before the step), or `undefined` when it did not exist.
 */
export type OutputOf<Returned, Before = never> = [Returned] extends [object]
  ? IsObjectUnion<Returned> extends true
    ? {
        readonly [K in KeysOfUnion<Returned>]: Returned extends unknown
          ? K extends keyof Returned
            ? {} extends Pick<Returned, K>
              ? Exclude<Returned[K], undefined> | Unwritten<Before, K>
              : Returned[K]
            : Unwritten<Before, K>
          : never
      }
    : Returned
  : {}

type Unwritten<Before, Name> = Name extends NamesIn<Before> ? TypeIn<Before, Name> : undefined

type IsObjectUnion<T> = (T extends unknown ? (x: T) => 0 : never) extends (x: infer I) => 0
  ? [T] extends [I]
    ? false
    : true
  : never

/**
 * Every state-producing type takes the previous state apart with `infer` and builds the next one from the
 * parts. Written as `State<S["meta"], ...>` instead, the new state would keep a reference to the previous
 * one (type references in aliases are resolved lazily, holding their type arguments), and the chain of
 * states would again be walked to its start.
 */
export type AfterStep<S extends AnyState, Name extends string, Output> = S extends State<
  infer Meta,
  infer Entries,
  infer Params,
  infer Steps,
  infer Written,
  infer Stack,
  Open
>
  ? State<Meta, NextEntries<Entries, Output>, Params, Steps | Name, Written | WrittenKeys<Output>, Stack, NothingOpen>
  : never
