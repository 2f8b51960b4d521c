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

// Rules only the runtime can check (values are not known to the compiler).

export const equalMismatch = (join: string, key: string, first: string, other: string): string =>
  `artiflow: join '${join}': artifact '${key}' is listed in equal but differs between '${first}' and '${other}'`

/** A step returned a name no artifact can have ("" or over 1024 characters); names starting with `_` are ephemeral. */
export const invalidArtifactName = (step: string, name: string): string =>
  `artiflow: step '${step}' returned an invalid artifact name ${describeValue(name)}: artifact names are 1 to 1024 characters (rename it)`

export const inputOutsideForeach = (step: string, property: "input" | "index"): string =>
  `artiflow: step '${step}': ctx.${property} is only available inside a foreach body`

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
