/**
 * One writer per rule, used by the compiler and by the runtime alike, so the editor and a failing run say
 * the same thing. Each rule is a pair: a template literal type the type-level checks put on the argument the
 * user got wrong, and a function returning exactly that type (the compiler proves the two agree: the
 * function's body is checked against its declared template return type).
 */

export type DuplicateStep<Name extends string> =
  `artiflow: duplicate step name '${Name}': step names must be unique in a flow (rename one of them)`
export const duplicateStep = <Name extends string>(name: Name): DuplicateStep<Name> =>
  `artiflow: duplicate step name '${name}': step names must be unique in a flow (rename one of them)`

export type InvalidName<Kind extends string, Name extends string> =
  `artiflow: ${Kind} name '${Name}' is invalid: use letters, digits, '_' and '-', starting with a letter or digit`
export const invalidName = <Kind extends string, Name extends string>(kind: Kind, name: Name): InvalidName<Kind, Name> =>
  `artiflow: ${kind} name '${name}' is invalid: use letters, digits, '_' and '-', starting with a letter or digit`

/** Parameter names become `--name` flags on the command line, so their alphabet is narrower. */
export type InvalidParamName<Name extends string> =
  `artiflow: parameter name '${Name}' is invalid: use letters, digits and '_', starting with a letter`
export const invalidParamName = <Name extends string>(name: Name): InvalidParamName<Name> =>
  `artiflow: parameter name '${name}' is invalid: use letters, digits and '_', starting with a letter`

/** Config names follow the parameter alphabet: they are given on the command line as `--config <name> <path>`. */
export type InvalidConfigName<Name extends string> =
  `artiflow: config name '${Name}' is invalid: use letters, digits and '_', starting with a letter`
export const invalidConfigName = <Name extends string>(name: Name): InvalidConfigName<Name> =>
  `artiflow: config name '${name}' is invalid: use letters, digits and '_', starting with a letter`

/** `Stage` describes what came too early: "step 'fit'", "split", "foreach over 'grid'", "use of a subflow". */
export type StageAfterOpen<Stage extends string, Open extends string> =
  `artiflow: ${Stage} directly after ${Open}: close the ${Open} with join(name) first`
export const stageAfterOpen = <Stage extends string, Open extends string>(
  stage: Stage,
  open: Open
): StageAfterOpen<Stage, Open> => `artiflow: ${stage} directly after ${open}: close the ${open} with join(name) first`

export type RunOpen<Flow extends string, Open extends string> =
  `artiflow: flow '${Flow}' ends with an open ${Open}: close it with join(name) before running the flow`
export const runOpen = <Flow extends string, Open extends string>(flow: Flow, open: Open): RunOpen<Flow, Open> =>
  `artiflow: flow '${flow}' ends with an open ${open}: close it with join(name) before running the flow`

export type ParamWrite<Step extends string, Key extends string> =
  `artiflow: step '${Step}' writes parameter '${Key}': parameters and included files are read-only (return a new artifact name instead)`
export const paramWrite = <Step extends string, Key extends string>(step: Step, key: Key): ParamWrite<Step, Key> =>
  `artiflow: step '${step}' writes parameter '${key}': parameters and included files are read-only (return a new artifact name instead)`

export type ConfigWrite<Step extends string, Key extends string> =
  `artiflow: step '${Step}' writes config '${Key}': configs are read-only (return a new artifact name instead)`
export const configWrite = <Step extends string, Key extends string>(step: Step, key: Key): ConfigWrite<Step, Key> =>
  `artiflow: step '${step}' writes config '${key}': configs are read-only (return a new artifact name instead)`

/** Params and configs are artifacts of the first record, so they share one namespace. */
export type ConfigClash<Name extends string> =
  `artiflow: config '${Name}' has the name of a parameter: configs and parameters are artifacts of one record (rename one of them)`
export const configClash = <Name extends string>(name: Name): ConfigClash<Name> =>
  `artiflow: config '${name}' has the name of a parameter: configs and parameters are artifacts of one record (rename one of them)`

/** `What` is one of {@link NotStorableWhat}. */
export type NotStorable<Step extends string, Key extends string, What extends string> =
  `artiflow: step '${Step}': artifact '${Key}' is not storable (${What}): return data, not functions, symbols or promises`
export const notStorable = <Step extends string, Key extends string, What extends string>(
  step: Step,
  key: Key,
  what: What
): NotStorable<Step, Key, What> =>
  `artiflow: step '${step}': artifact '${key}' is not storable (${what}): return data, not functions, symbols or promises`

/** The kinds of non-storable values both the compiler and the codec name. */
export type NotStorableWhat = "a function" | "a symbol" | "a Promise" | "an object with methods" | "a WeakMap or WeakSet"

export type ForeachMissing<Artifact extends string> =
  `artiflow: foreach over '${Artifact}': no artifact named '${Artifact}' is available here`
export const foreachMissing = <Artifact extends string>(artifact: Artifact): ForeachMissing<Artifact> =>
  `artiflow: foreach over '${artifact}': no artifact named '${artifact}' is available here`

export type ForeachNotArray<Artifact extends string> =
  `artiflow: foreach over '${Artifact}': artifact '${Artifact}' is not an array (foreach needs an array artifact)`
export const foreachNotArray = <Artifact extends string>(artifact: Artifact): ForeachNotArray<Artifact> =>
  `artiflow: foreach over '${artifact}': artifact '${artifact}' is not an array (foreach needs an array artifact)`

export type BodyOpen<Artifact extends string, Open extends string> =
  `artiflow: foreach over '${Artifact}': its body ends with an open ${Open}: close it with join(name) inside the body`
export const bodyOpen = <Artifact extends string, Open extends string>(
  artifact: Artifact,
  open: Open
): BodyOpen<Artifact, Open> =>
  `artiflow: foreach over '${artifact}': its body ends with an open ${open}: close it with join(name) inside the body`

export type BranchOpen<Branch extends string, Open extends string> =
  `artiflow: split branch '${Branch}' ends with an open ${Open}: close it with join(name) inside the branch`
export const branchOpen = <Branch extends string, Open extends string>(
  branch: Branch,
  open: Open
): BranchOpen<Branch, Open> =>
  `artiflow: split branch '${branch}' ends with an open ${open}: close it with join(name) inside the branch`

export type EmptySplit = "artiflow: split needs at least one branch"
export const emptySplit = (): EmptySplit => "artiflow: split needs at least one branch"

export type JoinWithoutOpen<Join extends string> =
  `artiflow: join '${Join}' has nothing to close: a join must follow a split or a foreach`
export const joinWithoutOpen = <Join extends string>(join: Join): JoinWithoutOpen<Join> =>
  `artiflow: join '${join}' has nothing to close: a join must follow a split or a foreach`

export type ConflictUnhandled<Join extends string, Key extends string> =
  `artiflow: join '${Join}': conflicting artifact '${Key}' must be handled (resolve | take | exclude | equal)`
export const conflictUnhandled = <Join extends string, Key extends string>(
  join: Join,
  key: Key
): ConflictUnhandled<Join, Key> =>
  `artiflow: join '${join}': conflicting artifact '${key}' must be handled (resolve | take | exclude | equal)`

/** `Option` is where the key was handled: "resolve", "take", "exclude" or "equal". */
export type NotAConflict<Join extends string, Key extends string, Option extends string> =
  `artiflow: join '${Join}': '${Key}' is not a conflict: remove it from ${Option}`
export const notAConflict = <Join extends string, Key extends string, Option extends string>(
  join: Join,
  key: Key,
  option: Option
): NotAConflict<Join, Key, Option> => `artiflow: join '${join}': '${key}' is not a conflict: remove it from ${option}`

export type EqualNotWritten<Join extends string, Key extends string> =
  `artiflow: join '${Join}': '${Key}' is not written in the foreach body: remove it from equal`
export const equalNotWritten = <Join extends string, Key extends string>(
  join: Join,
  key: Key
): EqualNotWritten<Join, Key> =>
  `artiflow: join '${join}': '${key}' is not written in the foreach body: remove it from equal`

export type SplitOptionInForeachJoin<Join extends string, Option extends string> =
  `artiflow: join '${Join}' closes a foreach: '${Option}' is only for split joins (use equal, or return the artifact from the join function)`
export const splitOptionInForeachJoin = <Join extends string, Option extends string>(
  join: Join,
  option: Option
): SplitOptionInForeachJoin<Join, Option> =>
  `artiflow: join '${join}' closes a foreach: '${option}' is only for split joins (use equal, or return the artifact from the join function)`

export type UnknownBranch<Join extends string, Key extends string, Branch extends string> =
  `artiflow: join '${Join}': take '${Key}' names branch '${Branch}', which this split does not have`
export const unknownBranch = <Join extends string, Key extends string, Branch extends string>(
  join: Join,
  key: Key,
  branch: Branch
): UnknownBranch<Join, Key, Branch> =>
  `artiflow: join '${join}': take '${key}' names branch '${branch}', which this split does not have`

export type SubflowNeeds<Key extends string> =
  `artiflow: use of a subflow: artifact '${Key}' it needs is not available here (or has another type)`
export const subflowNeeds = <Key extends string>(key: Key): SubflowNeeds<Key> =>
  `artiflow: use of a subflow: artifact '${key}' it needs is not available here (or has another type)`

export type SubflowOpen<Open extends string> =
  `artiflow: use of a subflow: it ends with an open ${Open}: close it with join(name) inside the subflow`
export const subflowOpen = <Open extends string>(open: Open): SubflowOpen<Open> =>
  `artiflow: use of a subflow: it ends with an open ${open}: close it with join(name) inside the subflow`

// ---- choose and loop (DESIGN.md §8) ---------------------------------------------------------------------

/** `Stage` names the control-flow stage in messages shared with the other rules: "choose on 'size'", "loop 'fit'". */
export type ChooseStage<Selector extends string> = `choose on '${Selector}'`
export const chooseStage = <Selector extends string>(selector: Selector): ChooseStage<Selector> => `choose on '${selector}'`

export type LoopStage<Loop extends string> = `loop '${Loop}'`
export const loopStage = <Loop extends string>(loop: Loop): LoopStage<Loop> => `loop '${loop}'`

export type ChooseMissing<Selector extends string> =
  `artiflow: choose on '${Selector}': no artifact named '${Selector}' is available here`
export const chooseMissing = <Selector extends string>(selector: Selector): ChooseMissing<Selector> =>
  `artiflow: choose on '${selector}': no artifact named '${selector}' is available here`

/** The selector's type is not a union of literals (`string`, `number`, an object...): cases cannot be checked. */
export type ChooseWide<Selector extends string> =
  `artiflow: choose on '${Selector}': artifact '${Selector}' must be a union of string, number or boolean literals: give it literal values ('as const') or add a step that maps it to one`
export const chooseWide = <Selector extends string>(selector: Selector): ChooseWide<Selector> =>
  `artiflow: choose on '${selector}': artifact '${selector}' must be a union of string, number or boolean literals: give it literal values ('as const') or add a step that maps it to one`

/**
 * A value the selector can hold has no case; at run time, a value it holds has none (the runtime adds the
 * cases). One message per value (distributed, so that a union of values is not crossed with itself).
 */
export type CaseMissing<Selector extends string, Value extends string> = Value extends string
  ? `artiflow: choose on '${Selector}': value '${Value}' has no case: add a case '${Value}'`
  : never
export const caseMissing = <Selector extends string, Value extends string>(
  selector: Selector,
  value: Value
): CaseMissing<Selector, Value> =>
  // The compiler does not relate a template to a conditional type: the two texts are the same by inspection.
  `artiflow: choose on '${selector}': value '${value}' has no case: add a case '${value}'` as CaseMissing<Selector, Value>

export type CaseImpossible<Selector extends string, Case extends string> =
  `artiflow: choose on '${Selector}': case '${Case}' can never be taken: '${Selector}' cannot hold that value (remove the case)`
export const caseImpossible = <Selector extends string, Case extends string>(
  selector: Selector,
  name: Case
): CaseImpossible<Selector, Case> =>
  `artiflow: choose on '${selector}': case '${name}' can never be taken: '${selector}' cannot hold that value (remove the case)`

export type CaseOpen<Selector extends string, Case extends string, Open extends string> =
  `artiflow: choose on '${Selector}': case '${Case}' ends with an open ${Open}: close it with join(name) inside the case`
export const caseOpen = <Selector extends string, Case extends string, Open extends string>(
  selector: Selector,
  name: Case,
  open: Open
): CaseOpen<Selector, Case, Open> =>
  `artiflow: choose on '${selector}': case '${name}' ends with an open ${open}: close it with join(name) inside the case`

/** What `run` says of a flow ending with a choose whose cases the compiler could not type (its call has errors). */
export type ChooseUnchecked<Selector extends string> =
  `artiflow: choose on '${Selector}' has errors (see its selector): fix them before running the flow`
export const chooseUnchecked = <Selector extends string>(selector: Selector): ChooseUnchecked<Selector> =>
  `artiflow: choose on '${selector}' has errors (see its selector): fix them before running the flow`

/** A choose without cases cannot take any (its selector's values each lack one, which the compiler says instead). */
export type EmptyChoose<Selector extends string> = `artiflow: choose on '${Selector}' needs at least one case`
export const emptyChoose = <Selector extends string>(selector: Selector): EmptyChoose<Selector> =>
  `artiflow: choose on '${selector}' needs at least one case`

export type JoinAfterChoose<Join extends string, Selector extends string> =
  `artiflow: join '${Join}' directly after choose on '${Selector}': a choose needs no join (exactly one case runs, and the record after it holds what that case wrote)`
export const joinAfterChoose = <Join extends string, Selector extends string>(
  join: Join,
  selector: Selector
): JoinAfterChoose<Join, Selector> =>
  `artiflow: join '${join}' directly after choose on '${selector}': a choose needs no join (exactly one case runs, and the record after it holds what that case wrote)`

export type LoopBodyOpen<Loop extends string, Open extends string> =
  `artiflow: loop '${Loop}': its body ends with an open ${Open}: close it with join(name) inside the body`
export const loopBodyOpen = <Loop extends string, Open extends string>(loop: Loop, open: Open): LoopBodyOpen<Loop, Open> =>
  `artiflow: loop '${loop}': its body ends with an open ${open}: close it with join(name) inside the body`

/** The text of {@link LoopTypeChanged}. */
export type LoopTypeChangedText<Loop extends string, Artifact extends string> =
  `artiflow: loop '${Loop}': artifact '${Artifact}' must keep a type assignable to its type before the loop (the next iteration reads it with that type)`
export const loopTypeChangedText = <Loop extends string, Artifact extends string>(
  loop: Loop,
  artifact: Artifact
): LoopTypeChangedText<Loop, Artifact> =>
  `artiflow: loop '${loop}': artifact '${artifact}' must keep a type assignable to its type before the loop (the next iteration reads it with that type)`

/**
 * An artifact from before a loop that its body writes with a type the body's next iteration could not read.
 * The message is the key; the two types are its payload, so the editor shows both: `{ "artiflow: loop 'fit':
 * artifact 'w' must keep ...": { before: number; body: string } }`. (Types cannot be spelled inside a template.)
 */
export type LoopTypeChanged<Loop extends string, Artifact extends string, Before, Body> = TypeChange<
  LoopTypeChangedText<Loop, Artifact>,
  Before,
  Body
>["message"]

/**
 * {@link LoopTypeChanged} as the checks use it: through an interface property, not an alias. An object type an
 * alias produces is shown by the alias's name (`LoopTypeChanged<"fit", "w", number, string>`), hiding the text.
 */
export interface TypeChange<Text extends string, Before, Body> {
  readonly message: { readonly [Key in Text]: { readonly before: Before; readonly body: Body } }
}

export type LoopRemoves<Loop extends string, Artifact extends string> =
  `artiflow: loop '${Loop}': artifact '${Artifact}' exists before the loop but not at the end of its body, so the next iteration could not read it (keep it in the body)`
export const loopRemoves = <Loop extends string, Artifact extends string>(loop: Loop, artifact: Artifact): LoopRemoves<Loop, Artifact> =>
  `artiflow: loop '${loop}': artifact '${artifact}' exists before the loop but not at the end of its body, so the next iteration could not read it (keep it in the body)`

// Rules only the runtime can check (values are not known to the compiler).

export const equalMismatch = (join: string, key: string, first: string, other: string): string =>
  `artiflow: join '${join}': artifact '${key}' is listed in equal but differs between '${first}' and '${other}'`

/** A step returned a name no artifact can have ("" or over 1024 characters); names starting with `_` are ephemeral. */
export const invalidArtifactName = (step: string, name: string): string =>
  `artiflow: step '${step}' returned an invalid artifact name ${describeValue(name)}: artifact names are 1 to 1024 characters (rename it)`

export const inputOutsideForeach = (step: string, property: "input" | "index"): string =>
  `artiflow: step '${step}': ctx.${property} is only available inside a foreach body`

/** `property` is "iteration" or "loopStack". */
export const iterationOutsideLoop = (step: string, property: "iteration" | "loopStack"): string =>
  `artiflow: step '${step}': ctx.${property} is only available inside a loop body`

/** A value a selector holds at run time with no case (plain JavaScript, casts): the rule's text, and the cases. */
export const noCaseFor = (selector: string, value: string, cases: string): string =>
  `${caseMissing(selector, value)} (cases: ${cases})`

export const loopLimit = (loop: string, limit: number): string =>
  `artiflow: loop '${loop}' reached maxIterations (${limit}) and until(a) still returned false: raise maxIterations, or check that the body moves toward the condition`

export const untilFailed = (loop: string, iteration: number, message: string): string =>
  `artiflow: loop '${loop}': until(a) threw after iteration ${iteration}: ${message}`

export const untilNotBoolean = (loop: string, iteration: number, returned: unknown): string =>
  `artiflow: loop '${loop}': until(a) must return true or false (it returned ${describeValue(returned)} after iteration ${iteration})`

/** `where` names what the option belongs to: "step 'fit'", "foreach over 'xs'", "run of flow 'Train'". */
export const invalidOption = (where: string, option: string, expected: string, received: unknown): string =>
  `artiflow: ${where}: option '${option}' must be ${expected} (received ${describeValue(received)})`

/** A short, safe rendering of a value for error messages (never throws, never prints megabytes). */
export const describeValue = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)
  if (typeof value === "bigint") return `${value}n`
  if (typeof value !== "object" || value === null) return String(value)
  if (Array.isArray(value)) return `an array of ${value.length}`
  const name = Object.getPrototypeOf(value)?.constructor?.name
  return typeof name === "string" && name !== "Object" ? `a ${name}` : "an object"
}

/** What a step's `cache` option accepts, as messages say it. */
export const CACHE_OPTION_VALUES = "true, false or { version: string }"

/** The step cache modes of `run`, `resume` and `--cache`. */
export const CACHE_MODES = ["use", "refresh", "off"] as const

/** A join given the `cache` option: only steps are cached. */
export const cacheOnJoin = (join: string): string =>
  `artiflow: join '${join}': option 'cache' is for steps only (a join is never cached); remove it`

/** The cache modes as messages list them: `"use", "refresh" or "off"`. */
export const CACHE_MODE_LIST = `"use", "refresh" or "off"`

/** An unknown step cache mode given to `run`/`resume` (`where`: "run of flow 'Train'"). */
export const invalidCacheMode = (where: string, received: unknown): string =>
  `artiflow: ${where}: option 'cache' must be ${CACHE_MODE_LIST} (received ${describeValue(received)})`
