/**
 * Types of `choose` (DESIGN.md §8): exactly one case runs, picked by the value of a selector artifact whose
 * type is a union of literals. Every case starts from the record before the choose (like a split branch);
 * after it, the record holds the artifacts present at the end of every case, each typed as the union of its
 * types across the cases. What is wrong is reported on the selector: the artifact, its type, the cases the
 * type needs and those it cannot take, and what is wrong inside the cases.
 */
import type { Frame } from "./context.js"
import type { Stage } from "./flow.js"
import type {
  CaseImpossible,
  CaseMissing,
  CaseOpen,
  ChooseMissing,
  ChooseStage,
  ChooseUnchecked,
  ChooseWide,
  DuplicateStep
} from "./messages.js"
import type { BranchStart, EndOf } from "./split.js"
import type {
  AfterChoice,
  AnyState,
  BranchResult,
  Entry,
  EntriesWithout,
  FlowMeta,
  NamesIn,
  Open,
  OpenForeach,
  OpenSplit,
  State,
  TypeIn
} from "./state.js"
import type { FirstOf, OpenViolation, Otherwise } from "./step.js"
import type { IsAny } from "./util.js"

/** What `choose` accepts: one stage per case, each starting from the record before the choose. */
export type CaseStages<S extends AnyState> = { readonly [value: string]: Stage<BranchStart<S>, AnyState> }

/** The case key of a selector value: the string itself, a number's string form, "true" or "false". */
export type CaseKeyOf<Value> = Value extends string | number | boolean ? `${Value}` : never

/** The case keys of a cases object (a key written `1:` is the number 1 to the compiler). */
export type CaseKeys<Cases> = `${keyof Cases & (string | number)}`

/**
 * The members of a selector type that are not literals: `string`, template patterns such as `a${string}`,
 * `number`, and anything that is not a string, number or boolean (`null`, objects, bigint...).
 */
type WideMembers<Value> = Value extends string
      ? {} extends Record<Value, 1>
        ? Value
        : never
      : Value extends number
        ? number extends Value
          ? Value
          : never
        : Value extends boolean
          ? never
          : [Value]

type SelectorType<S extends AnyState, Selector extends string> = TypeIn<S["entries"], Selector>

type SelectorViolation<S extends AnyState, Selector extends string> =
  Selector extends NamesIn<S["entries"]>
    ? [WideMembers<SelectorType<S, Selector>>] extends [never]
      ? never
      : ChooseWide<Selector>
    : ChooseMissing<Selector>

/**
 * A selector typed `any` (a stage built apart from a flow, as in `seq(...)`, sees a record of `any`s) cannot
 * be judged: the run checks its value.
 */
type SelectorKnown<S extends AnyState, Selector extends string> = IsAny<SelectorType<S, Selector>> extends true ? false : true

type CaseName<Cases> = keyof Cases & (string | number)

type NewSteps<S extends AnyState, Stage> = Exclude<EndOf<Stage>["steps"], S["steps"]>

/** A step name used in two cases (each case starts with the steps before the choose). */
type CrossCaseDuplicates<S extends AnyState, Cases> = {
  [C in CaseName<Cases>]: DuplicateStep<NewSteps<S, Cases[C]> & NewSteps<S, Cases[Exclude<CaseName<Cases>, C>]> & string>
}[CaseName<Cases>]

type OpenCases<Selector extends string, Cases> = {
  [C in CaseName<Cases>]: EndOf<Cases[C]>["pending"] extends OpenSplit | OpenForeach
    ? CaseOpen<Selector, `${C}`, EndOf<Cases[C]>["pending"]["kind"]>
    : never
}[CaseName<Cases>]

type CaseViolations<S extends AnyState, Selector extends string, Cases> =
  | CaseMissing<Selector, Exclude<CaseKeyOf<SelectorType<S, Selector>>, CaseKeys<Cases>>>
  | CaseImpossible<Selector, Exclude<CaseKeys<Cases>, CaseKeyOf<SelectorType<S, Selector>>>>
  | OpenCases<Selector, Cases>
  | CrossCaseDuplicates<S, Cases>

/**
 * Everything wrong with a choose, once the compiler has typed the cases. While it infers the type arguments,
 * it first skips arguments holding functions to type (`(f) => pipe(f, ...)`), and `Cases` is then still its
 * constraint, whose keys are `string`: reporting anything then would leave those functions untyped (their
 * parameters `any`, with errors of their own on every line of the cases).
 */
export type ChooseViolations<S extends AnyState, Selector extends string, Cases> = string extends keyof Cases
  ? never
  : FirstOf<
      OpenViolation<S, ChooseStage<Selector>>,
      SelectorKnown<S, Selector> extends true
        ? FirstOf<SelectorViolation<S, Selector>, CaseViolations<S, Selector, Cases>>
        : never
    >

/**
 * What `run` reports about a flow ending with this choose. When the call has an error, the compiler types its
 * result as if the cases were still unknown (it infers again, skipping the functions to type): then only
 * what does not depend on the cases can be said again, or that the choose has errors.
 */
type ChooseErrorsAtEnd<S extends AnyState, Selector extends string, Cases> = string extends keyof Cases
  ? FirstOf<
      OpenViolation<S, ChooseStage<Selector>> | (SelectorKnown<S, Selector> extends true ? SelectorViolation<S, Selector> : never),
      ChooseUnchecked<Selector>
    >
  : ChooseViolations<S, Selector, Cases>

/** The type of choose's selector argument: the artifact's name, or the messages saying what is wrong. */
export type CheckChoose<S extends AnyState, Selector extends string, Cases> = Otherwise<
  ChooseViolations<S, Selector, Cases>,
  Selector
>

type CaseResultOf<Stage> =
  EndOf<Stage> extends State<FlowMeta, infer Entries, string, string, infer Written, ReadonlyArray<Frame>, Open>
    ? BranchResult<Entries, Written>
    : never

/** What each case ended with, by case. */
export type CaseResults<Cases> = { readonly [C in CaseName<Cases>]: CaseResultOf<Cases[C]> }

type ResultMap = { readonly [value: string]: BranchResult }
type WrittenInAny<Results extends ResultMap> = Results[keyof Results]["written"]

/** Whether `Name` is in the record at the end of every case. */
type InEveryCase<Results extends ResultMap, Name> = {
  [C in keyof Results]: Name extends NamesIn<Results[C]["entries"]> ? never : C
}[keyof Results] extends never
  ? true
  : false

/** Names from before the choose that some case ends without (a split join inside it excluded them). */
type DroppedInAny<Before extends Entry, Results extends ResultMap> = {
  [C in keyof Results]: Exclude<NamesIn<Before>, NamesIn<Results[C]["entries"]>>
}[keyof Results]

/** The artifacts a case wrote that every case ends with: they stay, typed as the union across the cases. */
type KeptWritten<Results extends ResultMap> = {
  [K in WrittenInAny<Results>]: InEveryCase<Results, K> extends true ? K : never
}[WrittenInAny<Results>]

type TypeAcrossCases<Results extends ResultMap, Name> = {
  [C in keyof Results]: TypeIn<Results[C]["entries"], Name>
}[keyof Results]

/**
 * The entries after a choose. Artifacts no case wrote (nor dropped) keep their entry from before the choose;
 * only the few written ones are looked up in every case (a lookup scans a whole record). An interface, not an
 * alias: the union it computes carries no alias arguments (see lib/types/state.ts).
 */
interface Choosing<Before extends Entry, Results extends ResultMap> {
  readonly entries:
    | EntriesWithout<Before, WrittenInAny<Results> | DroppedInAny<Before, Results>>
    | { [K in KeptWritten<Results>]: Entry<K, TypeAcrossCases<Results, K>> }[KeptWritten<Results>]
  /**
   * Everything a case may have written: a join around the choose (it sits in a split branch or a foreach
   * body) must handle each of them, whichever case runs.
   */
  readonly written: WrittenInAny<Results>
}

export type AfterChoose<S extends AnyState, Selector extends string, Cases> =
  S extends State<infer Meta, infer Entries, infer Params, infer Steps, infer Written, infer Stack, Open>
    ? [Choosing<Entries, CaseResults<Cases>>, EndOf<Cases[keyof Cases]>["steps"]] extends [
        infer Chosen extends { readonly entries: Entry; readonly written: string },
        infer CaseSteps extends string
      ]
      ? State<
          Meta,
          Chosen["entries"],
          Params,
          Steps | CaseSteps,
          Written | Chosen["written"],
          Stack,
          AfterChoice<Selector, ChooseErrorsAtEnd<S, Selector, Cases>>
        >
      : never
    : never

/** A flow type ending with a choose that has something wrong: what `run` reports. */
export type ChooseAtEnd<S> = S extends { readonly pending: AfterChoice<string, infer Violations> } ? Violations : never
