/**
 * `run`: executes a flow and persists every task's snapshot. The run appears in the store once its
 * parameters are valid; every task commits a manifest as it ends; the run's status is written last.
 */
import { left, right } from "../codec/either.js"
import type { TaskEither } from "fp-ts/lib/TaskEither.js"
import type { Datastore } from "../datastore/Datastore.js"
import type { ArtifactEntry } from "../datastore/Manifest.js"
import { storeValue } from "../datastore/artifacts.js"
import { defaultStore } from "../datastore/storeAt.js"
import { FlowValue, openKind } from "../dsl/FlowValue.js"
import { ArtiflowError, FlowDefinitionError, ParamError, RunFailedError } from "../errors.js"
import { tagsProblem } from "../tags.js"
import type { ArtifactsOf, Flow, StateOf } from "../types/flow.js"
import { invalidCacheMode, invalidOption, runOpen } from "../types/messages.js"
import { isCacheMode } from "../dsl/cacheMode.js"
import type { RunOpen } from "../types/messages.js"
import type { ConfigSource } from "../types/params.js"
import type { OpenForeach, OpenSplit } from "../types/state.js"
import type { Otherwise } from "../types/step.js"
import { decodeConfigs } from "./configs.js"
import { decodeParams } from "./params.js"
import type { LogLine } from "./RunEnv.js"
import { isValidRunId } from "./runId.js"
import { execute } from "./execute.js"
import type { ExecutionOptions, RunResult } from "./execute.js"
import type { RunEvent } from "./events.js"

export type { LogLine, RunEvent, RunResult }

/** Options of `run`. */
export interface RunOptions<
  Inputs = Readonly<Record<string, unknown>>,
  Configs = Readonly<Record<string, ConfigSource>>
> extends ExecutionOptions {
  /** Parameter values, decoded with each parameter's codec; parameters with a default may be left out. */
  readonly params?: Inputs
  /**
   * Where each config's value comes from: `{ path }` (a file, relative to the working directory, parsed like
   * the default) or `{ value }` (decoded with the config's codec). Configs with a default path may be left out.
   */
  readonly configs?: Configs
  /**
   * Where the run is persisted (default: the store `ARTIFLOW_STORE` names, else `localStore()`: `$ARTIFLOW_HOME` or
   * `./.artiflow`).
   */
  readonly store?: Datastore
}

type InputsOf<F> = StateOf<F>["meta"]["inputs"]
type ConfigsOf<F> = StateOf<F>["meta"]["configs"]

/** The options a flow needs: `params` when a parameter has no default, `configs` when a config has none. */
type NeededOptions<F> = ({} extends InputsOf<F> ? {} : { readonly params: InputsOf<F> }) &
  ({} extends ConfigsOf<F> ? {} : { readonly configs: ConfigsOf<F> })

/**
 * `run`'s options: `params` is required when the flow has a parameter without default, `configs` when it
 * has a config without a default path.
 */
export type RunArguments<F> = {} extends NeededOptions<F>
  ? [options?: RunOptions<InputsOf<F>, ConfigsOf<F>>]
  : [options: RunOptions<InputsOf<F>, ConfigsOf<F>> & NeededOptions<F>]

type OpenAtEnd<F> = StateOf<F>["pending"] extends OpenSplit | OpenForeach
  ? RunOpen<StateOf<F>["meta"]["name"], StateOf<F>["pending"]["kind"]>
  : never

/** The type of run's flow argument: the flow, or the message when it ends with an open split or foreach. */
export type CheckRunnable<F> = Otherwise<OpenAtEnd<F>, F>

/** Checks that a plain-JavaScript caller passed a runnable flow. */
export const checkFlow = (flow: unknown): FlowValue => {
  if (!(flow instanceof FlowValue) || flow.scope.kind !== "flow") {
    throw new FlowDefinitionError("artiflow: run needs a flow built with flow(name) and the combinators")
  }
  const open = openKind(flow.nodes)
  if (open !== undefined) throw new FlowDefinitionError(runOpen(flow.name, open))
  return flow
}

/** Checks the options `run` and `resume` share. */
export const checkOptions = (flow: string, options: RunOptions): void => {
  const { maxWorkers, maxForeachItems, verify, runId, store, tags, cache } = options
  if (cache !== undefined && !isCacheMode(cache)) throw new FlowDefinitionError(invalidCacheMode(`run of flow '${flow}'`, cache))
  for (const [name, value] of [["maxWorkers", maxWorkers], ["maxForeachItems", maxForeachItems]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new FlowDefinitionError(invalidOption(`run of flow '${flow}'`, name, "an integer > 0", value))
    }
  }
  if (verify !== undefined && typeof verify !== "boolean") {
    throw new FlowDefinitionError(invalidOption(`run of flow '${flow}'`, "verify", "true or false", verify))
  }
  if (runId !== undefined && !isValidRunId(runId)) {
    throw new FlowDefinitionError(
      invalidOption(`run of flow '${flow}'`, "runId", "letters, digits, '_', '-' and '.' (at most 128, not starting with '-' or '.')", runId)
    )
  }
  if (store !== undefined && (typeof store !== "object" || store === null || typeof store.writeBlob !== "function")) {
    throw new FlowDefinitionError(invalidOption(`run of flow '${flow}'`, "store", "a Datastore such as localStore() or memoryStore()", store))
  }
  const badTags = tags === undefined ? undefined : tagsProblem(`run of flow '${flow}'`, "tags", tags)
  if (badTags !== undefined) throw new FlowDefinitionError(badTags)
}

const storeParams = async (
  store: Datastore,
  values: Readonly<Record<string, unknown>>,
  kind: "parameter" | "config"
): Promise<Readonly<Record<string, ArtifactEntry>>> => {
  const entries: Record<string, ArtifactEntry> = {}
  for (const [name, value] of Object.entries(values)) {
    const stored = await storeValue(store, value)
    if (stored._tag === "Left") {
      throw new ParamError(name, `artiflow: ${kind} '${name}' decodes to a value that cannot be stored (${stored.left.what})`)
    }
    entries[name] = stored.right
  }
  return entries
}

/**
 * Runs a flow and persists every task's snapshot. Resolves to the final record, or rejects with a
 * `RunFailedError` naming the run, step and task that failed (the run stays in the store, readable and
 * resumable). Invalid parameters or configs reject with a `ParamError` before any run is created; a flow
 * that ends with an open split or foreach is a compile error, and a `FlowDefinitionError` at run time.
 *
 * @example
 * import * as t from "io-ts"
 * import { pipe } from "fp-ts/lib/function.js"
 * import { flow, memoryStore, param, run, step } from "artiflow"
 *
 * const Double = pipe(
 *   flow("Double", { params: { n: param(t.number) } }),
 *   step("start", (a) => ({ doubled: a.n * 2 }))
 * )
 * const result = await run(Double, { params: { n: 21 }, store: memoryStore() })
 * result.artifacts.doubled // 42
 */
export function run<F extends Flow>(flow: CheckRunnable<F>, ...options: RunArguments<F>): Promise<RunResult<ArtifactsOf<F>>>
export async function run(flow: unknown, ...rest: ReadonlyArray<unknown>): Promise<RunResult<unknown>> {
  const checked = checkFlow(flow)
  const options = (rest[0] ?? {}) as RunOptions
  checkOptions(checked.name, options)
  const params = await decodeParams(checked, options.params)
  if (params._tag === "Left") throw params.left
  const configs = await decodeConfigs(checked, options.configs)
  if (configs._tag === "Left") throw configs.left
  const store = options.store ?? defaultStore()
  const entries = {
    ...(await storeParams(store, params.right, "parameter")),
    ...(await storeParams(store, configs.right.values, "config"))
  }
  const values = { ...params.right, ...configs.right.values }
  return execute(checked, store, options, { values, entries, configs: configs.right.sources }, undefined)
}

/** Any error `run` rejects with. */
export type RunError = RunFailedError | ParamError | FlowDefinitionError | ArtiflowError

/**
 * `run` as an fp-ts `TaskEither`: the errors `run` would reject with are on the left.
 *
 * @example
 * import * as TE from "fp-ts/lib/TaskEither.js"
 * const result = await runTaskEither(Double, { params: { n: 1 }, store: memoryStore() })()
 * // right({ flow: "Double", runId: "...", status: "succeeded", artifacts: { n: 1, doubled: 2 } })
 */
export function runTaskEither<F extends Flow>(
  flow: CheckRunnable<F>,
  ...options: RunArguments<F>
): TaskEither<RunError, RunResult<ArtifactsOf<F>>>
export function runTaskEither(
  flow: unknown,
  ...rest: ReadonlyArray<unknown>
): TaskEither<RunError, RunResult<unknown>> {
  return () =>
    (run as (flow: unknown, options?: unknown) => Promise<RunResult<unknown>>)(flow, rest[0]).then(
      (result) => right(result),
      (error: unknown) => left(error instanceof ArtiflowError ? error : new RunFailedError("?", "-", "(run)", "-", error))
    )
}
