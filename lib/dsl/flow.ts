import { FlowDefinitionError } from "../errors.js"
import type { Flow } from "../types/flow.js"
import { configClash, invalidConfigName, invalidName, invalidParamName } from "../types/messages.js"
import type { ConfigClash } from "../types/messages.js"
import type { ConfigDefs, ConfigEntries, ConfigInputs, ParamDefs, ParamEntries, ParamInputs } from "../types/params.js"
import type { FlowMeta, NothingOpen, State } from "../types/state.js"
import type { ConfigDef, ParamSpec } from "./ast.js"
import { FlowValue } from "./FlowValue.js"
import { isValidName, isValidParamName } from "./names.js"
import { callerFile } from "./source.js"

/** Options of `flow`. */
export interface FlowOptions<Params extends ParamDefs, Configs extends ConfigDefs = {}> {
  /** Parameters and included files: artifacts from the first step on, read-only. */
  readonly params?: Params
  /**
   * Configs (`config(codec, ...)`): files read and decoded when the run starts, artifacts from the first step
   * on, read-only. A config cannot have a parameter's name.
   */
  readonly configs?: Configs & NoInfer<ConfigClashes<Params, Configs>>
  readonly description?: string
}

/** The message on every config whose name a parameter has. */
type ConfigClashes<Params, Configs> = { readonly [K in keyof Configs & keyof Params & string]: ConfigClash<K> }

/** The state of a flow that has only its parameters and configs. */
export type StartState<Name extends string, Params extends ParamDefs, Configs extends ConfigDefs = {}> = State<
  FlowMeta<Name, ParamInputs<Params>, ConfigInputs<Configs>>,
  ParamEntries<Params> | ConfigEntries<Configs>,
  (keyof Params & string) | (keyof Configs & string),
  never,
  never,
  readonly [],
  NothingOpen
>

/**
 * Starts a flow: a name (letters, digits, `_`, `-`), its parameters, its configs and a description. Add
 * steps with `pipe(flow(...), step(...), ...)` or `flow(...).pipe(...)`. Parameter and config values are
 * read-only artifacts from the first step on.
 *
 * @example
 * import * as t from "io-ts"
 * import { pipe } from "fp-ts/lib/function.js"
 * import { flow, param, run, step } from "artiflow"
 *
 * const Greet = pipe(
 *   flow("Greet", { params: { who: param(t.string, { default: "world" }) } }),
 *   step("start", (a) => ({ text: `hello ${a.who}` }))
 * )
 * const { artifacts } = await run(Greet, { params: { who: "you" } }) // artifacts.text === "hello you"
 */
export function flow<const Name extends string, const Params extends ParamDefs = {}, const Configs extends ConfigDefs = {}>(
  name: Name,
  options?: FlowOptions<Params, Configs>
): Flow<StartState<Name, Params, Configs>>
export function flow(name: string, options: FlowOptions<ParamDefs, ConfigDefs> = {}): Flow {
  if (!isValidName(name)) throw new FlowDefinitionError(invalidName("flow", String(name)))
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError(
      `artiflow: flow '${name}': options must be an object: flow(name, { params?, configs?, description? })`
    )
  }
  const params = checkParams(options.params ?? {})
  const configs = checkConfigs(options.configs ?? {}, params)
  const description = options.description
  if (description !== undefined && typeof description !== "string") {
    throw new FlowDefinitionError(`artiflow: flow '${name}': description must be a string`)
  }
  const scope = Object.freeze({ kind: "flow" as const, outerSteps: Object.freeze([]), foreachDepth: 0 })
  return new FlowValue(name, description, params, configs, [], scope, callerFile()) as unknown as Flow
}

const checkParams = (params: ParamDefs): Readonly<Record<string, ParamSpec>> => {
  if (typeof params !== "object" || params === null) {
    throw new FlowDefinitionError("artiflow: flow params must be an object of param(...) and includeFile(...)")
  }
  const checked: Record<string, ParamSpec> = Object.create(null)
  for (const [key, spec] of Object.entries(params)) {
    if (!isValidParamName(key)) throw new FlowDefinitionError(invalidParamName(key))
    const tag = (spec as Partial<ParamSpec> | undefined)?._tag
    if (tag !== "Param" && tag !== "IncludeFile") {
      throw new FlowDefinitionError(`artiflow: parameter '${key}' must be declared with param(codec) or includeFile()`)
    }
    checked[key] = spec
  }
  return Object.freeze(checked)
}

const checkConfigs = (
  configs: ConfigDefs,
  params: Readonly<Record<string, ParamSpec>>
): Readonly<Record<string, ConfigDef>> => {
  if (typeof configs !== "object" || configs === null || Array.isArray(configs)) {
    throw new FlowDefinitionError("artiflow: flow configs must be an object of config(...) declarations")
  }
  const checked: Record<string, ConfigDef> = Object.create(null)
  for (const [key, spec] of Object.entries(configs)) {
    if (!isValidParamName(key)) throw new FlowDefinitionError(invalidConfigName(key))
    if (Object.hasOwn(params, key)) throw new FlowDefinitionError(configClash(key))
    if ((spec as Partial<ConfigDef> | undefined)?._tag !== "Config") {
      throw new FlowDefinitionError(`artiflow: config '${key}' must be declared with config(codec, { default?, parse?, help? })`)
    }
    checked[key] = spec
  }
  return Object.freeze(checked)
}
