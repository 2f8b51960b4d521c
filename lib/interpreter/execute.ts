/**
 * What `run` and `resume` share once the parameters are known: create the run in the store, walk the flow,
 * and record how it ended.
 */
import { availableParallelism } from "node:os"
import type { Datastore } from "../datastore/Datastore.js"
import type { ArtifactEntry, StoredConfigSource } from "../datastore/Manifest.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { FlowDefinitionError, RunFailedError, messageOf } from "../errors.js"
import type { Executor, ExecutorSession } from "../executor/Executor.js"
import { inProcess } from "../executor/inProcess.js"
import type { RunEvent } from "./events.js"
import { startMeta } from "./meta.js"
import type { ReusePlan } from "./reuse.js"
import { RunEnv, RunStopped } from "./RunEnv.js"
import type { LogLine } from "./RunEnv.js"
import { newRunId } from "./runId.js"
import { Semaphore } from "./Semaphore.js"
import { verifyByDefault } from "./verify.js"
import { freezeValue } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"
import { recordOf } from "./values.js"
import type { CacheMode } from "../dsl/cacheMode.js"
import { runNodes } from "./walk.js"

/** How a run is carried out: the options `run` and `resume` share. */
export interface ExecutionOptions {
  /** The run's id (default: a new, time-sortable id). */
  readonly runId?: string
  /**
   * Tags for the new run, such as `["nightly"]` (see lib/tags.ts for what a tag may be). A resumed run starts
   * with these only: it does not take its origin's tags. Tags can be added and removed later with the
   * client's `addTags`/`removeTags`.
   */
  readonly tags?: ReadonlyArray<string>
  /**
   * At most this many step functions run at once (default: CPU count x 4, for async work, or more when the
   * store or the executor prefers more in flight: S3, BullMQ). A task whose function has returned and whose
   * manifest is being written does not count: the next task runs meanwhile.
   */
  readonly maxWorkers?: number
  /**
   * Where tasks run (default `inProcess()`): `workerThreads()` spreads CPU-bound steps over this machine's
   * cores, `bullmqExecutor()` over worker processes on any number of machines (see docs/scaling.md).
   */
  readonly executor?: Executor
  /** Cancels the run: running tasks see `ctx.signal` abort, and the run rejects. */
  readonly signal?: AbortSignal
  /** Receives every `ctx.log` line (default: printed to stdout, prefixed with the step and task). */
  readonly log?: (line: LogLine) => void
  /** Receives what the run does as it goes: tasks finishing, foreach progress (for progress displays). */
  readonly onEvent?: (event: RunEvent) => void
  /**
   * When each task commits, re-hash the artifacts it inherited that freezing cannot protect (typed arrays,
   * ArrayBuffers, values holding them) and fail the task with MutatedArtifactError if one was changed in
   * place. Off by default (it costs an encode and a hash of those artifacts per task); on when the
   * environment has ARTIFLOW_VERIFY=1, which is meant for test suites.
   */
  readonly verify?: boolean
  /**
   * A foreach over more items than this fails with ResourceLimitError before starting any of its tasks
   * (default 100,000). Each foreach task keeps about 1 KB in memory until its join.
   */
  readonly maxForeachItems?: number
  /**
   * How the run uses the step cache of steps declared with `cache` (DESIGN.md §9, docs/caching.md): `"use"`
   * (default) answers them from past runs and records what it computes, `"refresh"` runs them anyway and
   * records fresh entries, `"off"` neither reads nor writes the cache.
   */
  readonly cache?: CacheMode
}

/** The default of {@link ExecutionOptions.maxForeachItems}. */
export const DEFAULT_MAX_FOREACH_ITEMS = 100_000

/** What a successful run resolves to. */
export interface RunResult<Artifacts> {
  readonly flow: string
  readonly runId: string
  readonly status: "succeeded"
  /** The final record, frozen. */
  readonly artifacts: Artifacts
  /** How many tasks the step cache answered (their functions did not run); absent when none. */
  readonly cachedTasks?: number
}

/**
 * The parameter and config values of a run and how they are stored: the snapshot every task without a base
 * starts from.
 */
export interface RunParams {
  readonly values: Readonly<Record<string, unknown>>
  readonly entries: Readonly<Record<string, ArtifactEntry>>
  /** Where each config's value came from (recorded with the run). */
  readonly configs?: Readonly<Record<string, StoredConfigSource>>
}

/** Where `ctx.log` lines go by default: stdout, prefixed with the flow, run, step and task. */
export const printLine = (line: LogLine): void => {
  console.log(`[${line.flow}/${line.runId} ${line.step}/${line.taskId}] ${line.text}`)
}

/**
 * Writes what the step cache recorded and has not written yet. The index failing to take it costs later runs
 * their hits, never this run: the failure goes to the run's log.
 */
const flushCache = async (env: RunEnv): Promise<void> => {
  await env.cache.flush().catch((error: unknown) => {
    const text = `artiflow: the step cache could not record this run's tasks (${messageOf(error)}); later runs will compute them again`
    env.log({ flow: env.flow.name, runId: env.runId, step: "(run)", taskId: "-", attempt: 0, text })
  })
}

/** The run metadata's count of cached tasks (absent when none: runs without cached steps store nothing new). */
const cachedCount = (env: RunEnv): { readonly cachedTasks?: number } => (env.cachedTasks > 0 ? { cachedTasks: env.cachedTasks } : {})

/**
 * Records a failed run and rejects with the RunFailedError naming where it failed. The caller learns which step
 * failed even when the store can neither give nor take the run's status (a full disk, an S3 server that went
 * down mid-run): the run then still reads as "running", and resume picks it up all the same.
 */
const fail = async (env: RunEnv, failure: RunEnv["failure"]): Promise<never> => {
  const { step, taskId, cause } = failure ?? { step: "(run)", taskId: "-", cause: new Error("artiflow: the run stopped") }
  const error = new RunFailedError(env.flow.name, env.runId, step, taskId, cause)
  // What succeeded before the failure is worth as much to the cache as in a run that succeeds.
  await flushCache(env)
  const record = async (): Promise<void> => {
    const meta = await env.store.readRun(env.flow.name, env.runId)
    if (meta === undefined) throw new FlowDefinitionError(`artiflow: run '${env.runId}' vanished from the ${env.store.description}`)
    await env.store.updateRun({ ...meta, status: "failed", finishedAt: Date.now(), failure: { step, taskId, message: error.message }, ...cachedCount(env) })
  }
  await record().catch((recordError: unknown) => {
    error.message += ` (the run's failed status could not be recorded: ${messageOf(recordError)})`
  })
  env.emit({ type: "run-finished", flow: env.flow.name, runId: env.runId, status: "failed" })
  throw error
}

/** The final record, values loaded where the scheduler holds entries only; a load that fails fails the run. */
const finalArtifacts = async (env: RunEnv, end: Snapshot | undefined): Promise<Readonly<Record<string, unknown>> | undefined> => {
  if (end === undefined || env.failure !== undefined) return undefined
  try {
    return await recordOf(env, end)
  } catch (error) {
    env.fail({ step: "(run)", taskId: "-", cause: error })
    return undefined
  }
}

const finish = async <Artifacts>(env: RunEnv, end: Snapshot | undefined): Promise<RunResult<Artifacts>> => {
  if (env.failure !== undefined || end === undefined) return fail(env, env.failure)
  const meta = await env.store.readRun(env.flow.name, env.runId)
  if (meta === undefined) throw new FlowDefinitionError(`artiflow: run '${env.runId}' vanished from the ${env.store.description}`)
  const artifacts = await finalArtifacts(env, end)
  if (env.failure !== undefined || artifacts === undefined) return fail(env, env.failure)
  await flushCache(env)
  await env.store.updateRun({ ...meta, status: "succeeded", finishedAt: Date.now(), ...cachedCount(env) })
  env.emit({ type: "run-finished", flow: env.flow.name, runId: env.runId, status: "succeeded" })
  return { flow: env.flow.name, runId: env.runId, status: "succeeded", artifacts: artifacts as Artifacts, ...cachedCount(env) }
}

export const execute = async (
  flow: FlowValue,
  store: Datastore,
  options: ExecutionOptions,
  params: RunParams,
  reuse: ReusePlan | undefined
): Promise<RunResult<unknown>> => {
  const runId = options.runId ?? newRunId()
  const log = options.log ?? printLine
  const verify = options.verify ?? verifyByDefault()
  const executor = options.executor ?? inProcess()
  // Before the run exists: an executor that cannot run this flow (or reach this store) leaves nothing behind.
  const session = await executor.start({ flow, store, runId, originRunId: reuse?.originRunId, verify, log })
  try {
    await store.createRun(startMeta(flow, runId, params.entries, reuse?.originRunId, options.tags ?? [], params.configs))
    return await walkRun(flow, store, options, params, reuse, { runId, log, verify, session })
  } finally {
    await session.close()
  }
}

/** How many tasks a run keeps in flight: `maxWorkers`, else the most the machine, the store or the executor likes. */
const workersFor = (options: ExecutionOptions, store: Datastore, session: ExecutorSession): number =>
  options.maxWorkers ?? Math.max(availableParallelism() * 4, store.preferredConcurrency ?? 0, session.preferredConcurrency ?? 0)

const walkRun = async (
  flow: FlowValue,
  store: Datastore,
  options: ExecutionOptions,
  params: RunParams,
  reuse: ReusePlan | undefined,
  started: { readonly runId: string; readonly log: (line: LogLine) => void; readonly verify: boolean; readonly session: ExecutorSession }
): Promise<RunResult<unknown>> => {
  const { runId, log, verify, session } = started
  const env = new RunEnv({
    flow,
    store,
    runId,
    workers: new Semaphore(workersFor(options, store, session)),
    session,
    log,
    onEvent: options.onEvent ?? (() => {}),
    signal: options.signal,
    reuse,
    verify,
    maxForeachItems: options.maxForeachItems ?? DEFAULT_MAX_FOREACH_ITEMS,
    cacheMode: options.cache ?? "use"
  })
  env.emit({ type: "run-started", flow: flow.name, runId, originRunId: reuse?.originRunId })
  const values = Object.freeze(Object.fromEntries(Object.entries(params.values).map(([k, v]) => [k, freezeValue(v)])))
  const root: Snapshot = { values, entries: new Map(Object.entries(params.entries)), ref: undefined }
  let end: Snapshot | undefined
  try {
    const position = { frames: [], previous: flow.name }
    end = (await runNodes(env, flow.nodes, { snapshot: root, written: new Set(), position, reused: reuse !== undefined })).snapshot
  } catch (error) {
    if (!(error instanceof RunStopped)) env.fail({ step: "(run)", taskId: "-", cause: error })
  }
  return finish(env, end)
}
