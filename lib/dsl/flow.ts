import { FlowDefinitionError } from "../errors.js"
import type { Flow } from "../types/flow.js"
import { invalidName, invalidParamName } from "../types/messages.js"
import type { ParamDefs, ParamEntries, ParamInputs } from "../types/params.js"
import type { FlowMeta, NothingOpen, State } from "../types/state.js"
import type { ParamSpec } from "./ast.js"
import { FlowValue } from "./FlowValue.js"
import { isValidName, isValidParamName } from "./names.js"
import { callerFile } from "./source.js"

/** Options of `flow`. */
export interface FlowOptions<Params extends ParamDefs> {
  /** Parameters and included files: artifacts from the first step on, read-only. */
  readonly params?: Params
  readonly description?: string
}

/** The state of a flow that has only its parameters. */
export type StartState<Name extends string, Params extends ParamDefs> = State<
  FlowMeta<Name, ParamInputs<Params>>,
  ParamEntries<Params>,
  keyof Params & string,
  never,
  never,
  readonly [],
  NothingOpen
>

/**
 * Starts a flow: a name (letters, digits, `_`, `-`), its parameters and a description. Add steps with
 * `pipe(flow(...), step(...), ...)` or `flow(...).pipe(...)`.
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
export function flow<const Name extends string, const Params extends ParamDefs = {}>(
  name: Name,
  options?: FlowOptions<Params>
): Flow<StartState<Name, Params>>
export function flow(name: string, options: FlowOptions<ParamDefs> = {}): Flow {
  if (!isValidName(name)) throw new FlowDefinitionError(invalidName("flow", String(name)))
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError(
      `artiflow: flow '${name}': options must be an object: flow(name, { params?, description? })`
    )
  }
  const params = checkParams(options.params ?? {})
  const description = options.description
  if (description !== undefined && typeof description !== "string") {
    throw new FlowDefinitionError(`artiflow: flow '${name}': description must be a string`)
  }
  const scope = Object.freeze({ kind: "flow" as const, outerSteps: Object.freeze([]), foreachDepth: 0 })
  return new FlowValue(name, description, params, [], scope, callerFile()) as unknown as Flow
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
