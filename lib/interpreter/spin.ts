/**
 * `spin`: runs one step's function again on the record one of its tasks had in a past run, the debugging
 * loop of Metaflow's `spin`. The record is rebuilt from the store exactly as the task saw it (its base
 * snapshot, parameters included, its foreach frames, and for a join the records it joined) and the function
 * runs through the interpreter's own task code, so its output is checked and encoded as in a run. Nothing is
 * stored unless asked: the task then becomes a new run of the flow.
 */
import type { Datastore } from "../datastore/Datastore.js"
import { discardingStore } from "../datastore/discarding.js"
import { defaultStore } from "../datastore/storeAt.js"
import type { RunMeta, StoredError, TaskManifest } from "../datastore/Manifest.js"
import type { AnyJoinFunction, AnyStepFunction, JoinSpec } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { FlowDefinitionError, SpinFailedError } from "../errors.js"
import { inProcess } from "../executor/inProcess.js"
import { setOwnProperty } from "../ownProperty.js"
import type { Flow, StateOf } from "../types/flow.js"
import { invalidOption } from "../types/messages.js"
import { DEFAULT_MAX_FOREACH_ITEMS, printLine } from "./execute.js"
import { startMeta } from "./meta.js"
import { PastRun } from "./pastRun.js"
import { RunEnv, RunStopped } from "./RunEnv.js"
import type { LogLine } from "./RunEnv.js"
import { isValidRunId, newRunId } from "./runId.js"
import { checkFlow } from "./run.js"
import type { CheckRunnable } from "./run.js"
import { Semaphore } from "./Semaphore.js"
import { spinInputs } from "./spinInputs.js"
import type { SpinInputs } from "./spinInputs.js"
import { findOrigin, pickTask } from "./spinPick.js"
import { locate, targetDepth } from "./spinTarget.js"
import type { SpinTarget } from "./spinTarget.js"
import { verifyByDefault } from "./verify.js"
import { joinForeach, joinSplit, runStep } from "./walk.js"

/** Options of `spin`. */
export interface SpinOptions {
  /** The run whose task is spun (default: the flow's latest run). */
  readonly origin?: string
  /**
   * Which task of a foreach body step: its index (`3`), or its task id (`"3"`; in nested foreaches `"3.1"`, the
   * indices outermost first). May be left out when the step has one task in the origin run.
   */
  readonly task?: number | string
  /**
   * Where the origin run is, and where a persisted spin goes (default: `ARTIFLOW_STORE`'s store, else
   * `localStore()`).
   */
  readonly store?: Datastore
  /**
   * Store the spin as a new run of the flow (default: false, nothing is stored). The new run has `originRunId`
   * set to the origin and holds one task: the spun step's, with the same task id and foreach stack, attempt 0,
   * whose snapshot is the record it was given (by reference into the origin run, nothing copied) plus what
   * the function returned. The run is `succeeded`, or `failed` with the task's error when the function threw.
   * It is the flow's latest run from then on: give `origin` to spin or resume the run it came from.
   */
  readonly persist?: boolean
  /** Receives every `ctx.log` line (default: printed to stdout, like a run's). */
  readonly log?: (line: LogLine) => void
  /** Cancels the function: its `ctx.signal` aborts and `spin` rejects. */
  readonly signal?: AbortSignal
}

/** The past task a spin replayed. */
export interface SpunTask {
  readonly runId: string
  readonly step: string
  /** The foreach index path joined with "." ("3", "3.1"), or "0" outside any foreach. */
  readonly taskId: string
  /** The attempt replayed: the task's latest. */
  readonly attempt: number
  readonly status: TaskManifest["status"]
}

/** What `spin` resolves to. */
export interface SpinResult {
  /**
   * What the task wrote this time: for a step, the object its function returned (`_` names included, `{}` when
   * it returned nothing); for a join, the artifacts its merge and its function produced.
   */
  readonly output: Readonly<Record<string, unknown>>
  /**
   * What the past task wrote, loaded from the store (the artifacts of its manifest, `_` names were never
   * stored), or, when it failed, its error (an `Error` with the stored name, message and stack).
   */
  readonly original: Readonly<Record<string, unknown>> | Error
  /** The task spun. */
  readonly origin: SpunTask
  /** The new run holding the spun task, with `persist: true`; undefined otherwise. */
  readonly runId: string | undefined
}

const TASK_EXPECTED = "a foreach index (an integer >= 0) or a task id such as '3.1'"

const checkSpinOptions = (flow: string, options: SpinOptions): void => {
  const invalid = (option: string, expected: string, received: unknown): FlowDefinitionError =>
    new FlowDefinitionError(invalidOption(`spin of flow '${flow}'`, option, expected, received))
  const { origin, task, store, persist } = options
  if (origin !== undefined && !isValidRunId(origin)) throw invalid("origin", "a run id", origin)
  const validTask = task === undefined || typeof task === "string" || (Number.isSafeInteger(task) && task >= 0)
  if (!validTask) throw invalid("task", TASK_EXPECTED, task)
  if (persist !== undefined && typeof persist !== "boolean") throw invalid("persist", "true or false", persist)
  if (store !== undefined && (typeof store !== "object" || store === null || typeof store.writeBlob !== "function")) {
    throw invalid("store", "a Datastore such as localStore() or memoryStore()", store)
  }
}

const checkStepName = (flow: FlowValue, stepName: unknown): string => {
  if (typeof stepName === "string") return stepName
  throw new FlowDefinitionError(
    invalidOption(`spin of flow '${flow.name}'`, "step", "the name of a step or join", stepName)
  )
}

/** A stored error as an Error again, with its name, message and stack. */
const asError = (stored: StoredError | undefined): Error => {
  const { name, message, stack } = stored ?? { name: "Error", message: "failed (no error was recorded)" }
  const error = new Error(message)
  error.name = name
  error.stack = stack ?? `${name}: ${message}`
  return error
}

/** What the past task wrote: its manifest's artifacts and the names it rewrote unchanged, loaded. */
const originalOutput = async (
  past: PastRun,
  spun: SpunTask,
  manifest: TaskManifest
): Promise<SpinResult["original"]> => {
  if (manifest.status === "failed") return asError(manifest.error)
  const ref = { runId: spun.runId, step: spun.step, taskId: spun.taskId, attempt: spun.attempt }
  const entries = await past.entries(ref, past.runId)
  const original: Record<string, unknown> = {}
  for (const name of [...Object.keys(manifest.artifacts), ...(manifest.rewritten ?? [])].sort()) {
    const entry = entries.get(name)
    if (entry !== undefined) setOwnProperty(original, name, await past.value(entry, ref, name))
  }
  return Object.freeze(original)
}

/** Options that make a task run exactly once: no retry, no catch (spin reports what the function did). */
const once = <Options extends { readonly retry?: number; readonly catch?: string }>(options: Options): Options => {
  const { retry: _retry, catch: _catch, ...rest } = options
  return rest as Options
}

type Output = Readonly<Record<string, unknown>>

/** Runs the target's function through the interpreter; resolves to what it wrote, or throws RunStopped. */
const runOnce = async (env: RunEnv, target: SpinTarget, inputs: SpinInputs): Promise<Output> => {
  // The interpreter keeps only what it stores; the function's own return value (with `_` names) is kept here.
  let returned: Output | undefined
  const keep = (value: unknown): unknown => (returned = value as Output | undefined)
  if (target.kind === "step") {
    const fn = target.node.fn as (a: unknown, ctx: unknown) => unknown
    const capture = async (a: unknown, ctx: unknown): Promise<unknown> => keep(await fn(a, ctx))
    const node = { ...target.node, fn: capture as AnyStepFunction, options: once(target.node.options) }
    await runStep(env, node, inputs.state)
    return Object.freeze({ ...returned })
  }
  const fn = target.join.fn as ((joined: unknown, a: unknown, ctx: unknown) => unknown) | undefined
  const capture = fn && (async (joined: unknown, a: unknown, ctx: unknown) => keep(await fn(joined, a, ctx)))
  const fnAgain = capture as AnyJoinFunction | undefined
  const join: JoinSpec = { ...target.join, options: once(target.join.options), fn: fnAgain }
  const joined = inputs.joined
  const result =
    joined?.kind === "split"
      ? await joinSplit(env, join, inputs.state, joined.branches, false)
      : await joinForeach(env, join, inputs.state, joined?.kind === "foreach" ? joined.ends : [], false)
  const merged: Record<string, unknown> = {}
  for (const name of result.written) {
    if (result.snapshot.entries.has(name)) setOwnProperty(merged, name, result.snapshot.values[name])
  }
  return Object.freeze({ ...merged, ...returned })
}

/** A persisted spin: a new run of the flow, with the origin's parameters, recorded as resumed from it. */
const startPersisted = async (store: Datastore, flow: FlowValue, origin: RunMeta): Promise<RunMeta> => {
  const meta = startMeta(flow, newRunId(), origin.params, origin.runId, [], origin.configs)
  await store.createRun(meta)
  return meta
}

/**
 * Runs one step's (or join's) function again on the record a task of it had in a past run, and resolves to
 * what it returned next to what the past task wrote. The function gets exactly what the task got: its record
 * (parameters included), and a `ctx` like the run's: the same flow, step and task id, the origin run's id
 * (the new run's when persisted), attempt 0, the foreach frames (`ctx.input`, `ctx.index`, `ctx.foreachStack`),
 * a signal (aborted by `signal` or the step's `timeout`) and `log`. A join gets the records of the branches or
 * foreach tasks it joined. The function runs once: `retry` and `catch` do not apply. Its output is checked
 * and encoded as in a run, but nothing is stored unless `persist` is set.
 *
 * The step name is checked against the flow's steps and joins at compile time. A step the flow does not
 * have, a task out of range, an unknown run or a run of another flow, and a run in which the step has no
 * task are `NotFoundError`s listing what exists. A task that failed can be spun too: `original` is then its
 * error. When the function throws, `spin` rejects with a `SpinFailedError` whose `cause` is what it threw.
 *
 * @example
 * import { spin } from "artiflow"
 *
 * const { output, original } = await spin(Train, "fit", { task: 3 })  // task 3 of the latest run's foreach
 * output.score // what fit returns now, for the same input
 * original     // { score: ... } as stored, or the Error the task failed with
 * const again = await spin(Train, "fit", { origin: runId, task: "3", persist: true })
 * again.runId  // a new run of Train holding that one task
 */
export function spin<F extends Flow>(
  flow: CheckRunnable<F>,
  stepName: StateOf<F>["steps"],
  options?: SpinOptions
): Promise<SpinResult>
export async function spin(flow: unknown, stepName: unknown, options: SpinOptions = {}): Promise<SpinResult> {
  const checked = checkFlow(flow)
  const name = checkStepName(checked, stepName)
  checkSpinOptions(checked.name, options)
  const target = locate(checked, name)
  const store = options.store ?? defaultStore()
  const past = PastRun.open(store, await findOrigin(store, checked.name, options.origin))
  const record = await pickTask(past, name, targetDepth(target), options.task)
  const ref = { runId: past.runId, step: record.step, taskId: record.taskId, attempt: record.attempt }
  const source = await past.source(ref)
  const origin: SpunTask = { ...ref, status: record.manifest().status }
  const inputs = await spinInputs(past, target, { taskId: record.taskId, source })
  const original = await originalOutput(past, origin, source.manifest)
  const persisted = options.persist === true ? await startPersisted(store, checked, past.meta) : undefined
  const runStore = persisted === undefined ? discardingStore(store) : store
  const runId = persisted?.runId ?? past.runId
  const originRunId = persisted === undefined ? past.meta.originRunId : past.runId
  const log = options.log ?? printLine
  const verify = verifyByDefault()
  const env = new RunEnv({
    flow: checked,
    store: runStore,
    runId,
    originRunId,
    workers: new Semaphore(1),
    session: await inProcess().start({ flow: checked, store: runStore, runId, originRunId, verify, log }),
    log,
    onEvent: () => {},
    signal: options.signal,
    reuse: undefined,
    verify,
    maxForeachItems: DEFAULT_MAX_FOREACH_ITEMS
  })
  try {
    const output = await runOnce(env, target, inputs)
    if (persisted !== undefined) await store.updateRun({ ...persisted, status: "succeeded", finishedAt: Date.now() })
    return { output, original, origin, runId: persisted?.runId }
  } catch (thrown) {
    const stopped = thrown instanceof RunStopped
    const cause = stopped ? env.failure?.cause : thrown
    const error = new SpinFailedError(checked.name, name, record.taskId, past.runId, persisted?.runId, cause)
    if (persisted !== undefined) {
      const failure = { step: name, taskId: record.taskId, message: error.message }
      await store.updateRun({ ...persisted, status: "failed", finishedAt: Date.now(), failure })
    }
    // RunStopped means the function (or its output) failed; anything else is artiflow's or the store's own error.
    throw stopped ? error : thrown
  }
}
