/**
 * `startWorker`: a process that runs the tasks BullMQ schedulers put on a queue. It takes a job, checks that it
 * serves the job's flow in the same version (same graph) and shares the run's store, then runs the attempt on
 * one of its worker threads (the event loop stays free to renew the job's lock, and `concurrency` tasks use as
 * many cores) and returns the outcome to the scheduler, which commits it. A job whose scheduler is gone is
 * dropped; a job the worker cannot run is refused, with a message the run fails with.
 */
import { availableParallelism } from "node:os"
import type { Datastore } from "../datastore/Datastore.js"
import { defaultStore } from "../datastore/storeAt.js"
import { FlowValue } from "../dsl/FlowValue.js"
import { FlowDefinitionError, messageOf } from "../errors.js"
import { listNames } from "../listing.js"
import { invalidOption } from "../types/messages.js"
import type { BullLike, JobLike, RedisLike, WorkerLike } from "./bullmqApi.js"
import { loadBullmq, loadIoredis } from "./bullmqApi.js"
import type { WorkerIdentity } from "./Executor.js"
import { graphHash, locateFlow } from "./flowModule.js"
import type { FlowLocation } from "./flowModule.js"
import { thisProcess } from "./inProcess.js"
import { heartbeatKey } from "./queueLink.js"
import type { RedisConnection, RedisOptions } from "./redis.js"
import { describeRedis, queueName, redisOptions } from "./redis.js"
import { ThreadPool } from "./threadPool.js"
import type { WireAttempt, WireOutcome } from "./wire.js"
import { WIRE_FORMAT } from "./wire.js"

/** Options of {@link startWorker}. */
export interface StartWorkerOptions {
  /** The flows this worker runs tasks of, each exported from its module (the worker's threads import it). */
  readonly flows: ReadonlyArray<unknown>
  /** Redis: a `redis://` URL or `{ host, port, ... }`, as the scheduler's `bullmqExecutor` has it. */
  readonly connection: RedisConnection
  /** The store the schedulers' runs are in (default: `ARTIFLOW_STORE`'s, else `localStore()`). */
  readonly store?: Datastore
  /** The queue (default "artiflow", as `bullmqExecutor` uses by default). */
  readonly queue?: string
  /** Tasks run at once, each on a thread of its own (default: the machine's CPU count). */
  readonly concurrency?: number
  /**
   * Milliseconds a job stays this worker's without a sign of life (default 30,000): a worker killed mid-task has
   * its task run again elsewhere about this long after. Its lock is renewed while it runs (the threads keep the
   * event loop free), so a long task is never taken for a dead one.
   */
  readonly lockDuration?: number
  /** Receives what the worker says about its jobs and its connection (default: printed to stderr). */
  readonly onMessage?: (message: string) => void
}

/** A running worker. */
export interface WorkerHandle {
  /** "worker vm/1234 on queue 'artiflow' at redis://localhost:6379 (4 threads): flows Train, Sweep" */
  readonly description: string
  readonly worker: WorkerIdentity
  /** Stops taking jobs, lets the running ones finish and report, then ends. */
  close(): Promise<void>
}

/** How many times a task may lose its worker before BullMQ fails it (and its run). */
const MAX_STALLS = 5

/** How long a scheduler heartbeat seen (or missed) is trusted before it is read again. */
const HEARTBEAT_CACHE_MS = 2_000

interface Served {
  readonly flow: FlowValue
  readonly location: FlowLocation
  readonly graph: string
}

const checkedOptions = (options: StartWorkerOptions) => {
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError(invalidOption("startWorker", "options", "an object such as { flows, connection, store }", options))
  }
  const positive = (name: string, value: unknown, fallback: number): number => {
    if (value === undefined) return fallback
    if (typeof value === "number" && Number.isInteger(value) && value > 0) return value
    throw new FlowDefinitionError(invalidOption("startWorker", name, "an integer > 0", value))
  }
  if (!Array.isArray(options.flows) || options.flows.length === 0 || !options.flows.every((flow) => flow instanceof FlowValue && flow.scope.kind === "flow")) {
    throw new FlowDefinitionError(invalidOption("startWorker", "flows", "a non-empty array of flows built with flow(name)", options.flows))
  }
  return {
    connection: redisOptions("startWorker", options.connection),
    queue: queueName("startWorker", options.queue),
    concurrency: positive("concurrency", options.concurrency, availableParallelism()),
    lockDuration: positive("lockDuration", options.lockDuration, 30_000),
    flows: options.flows as ReadonlyArray<FlowValue>
  }
}

const servedFlows = async (flows: ReadonlyArray<FlowValue>): Promise<ReadonlyMap<string, Served>> => {
  const served = new Map<string, Served>()
  for (const flow of flows) {
    const known = served.get(flow.name)
    if (known !== undefined && known.flow !== flow) throw new FlowDefinitionError(`artiflow: startWorker: two flows are named '${flow.name}'`)
    served.set(flow.name, { flow, location: await locateFlow(flow, "startWorker()"), graph: graphHash(flow) })
  }
  return served
}

/** What a worker needs to take a job: its flows, store, threads and a look at the schedulers' heartbeats. */
class JobRunner {
  private readonly runs = new Map<string, Promise<boolean>>()
  private readonly heartbeats = new Map<string, { readonly at: number; readonly alive: boolean }>()

  constructor(
    private readonly bull: BullLike,
    private readonly served: ReadonlyMap<string, Served>,
    private readonly store: Datastore,
    private readonly pool: ThreadPool,
    private readonly monitor: RedisLike,
    private readonly queue: string,
    private readonly label: string,
    private readonly say: (message: string) => void
  ) {}

  private refuse(message: string): Error {
    return new this.bull.UnrecoverableError(message)
  }

  private servedFor(request: WireAttempt): Served {
    const served = this.served.get(request.flow.name)
    if (served === undefined) {
      const names = listNames([...this.served.keys()].sort())
      throw this.refuse(
        `artiflow: ${this.label} serves flows ${names}, not '${request.flow.name}' (${request.flow.module} on the scheduler's side): ` +
          "start a worker with the file of that flow"
      )
    }
    if (served.graph !== request.flow.graph) {
      throw this.refuse(
        `artiflow: ${this.label} has another version of flow '${request.flow.name}' than the scheduler: ` +
          `${served.location.module} here (graph ${served.graph.slice(0, 12)}), ${request.flow.module} for the scheduler ` +
          `(graph ${request.flow.graph.slice(0, 12)}): run the same version of the flow on both sides`
      )
    }
    return served
  }

  /** Whether the run is in this worker's store (read once per run). */
  private async hasRun(request: WireAttempt): Promise<void> {
    const key = `${request.flow.name}\u0000${request.runId}`
    let known = this.runs.get(key)
    if (known === undefined) {
      known = this.store.readRun(request.flow.name, request.runId).then((meta) => meta !== undefined)
      this.runs.set(key, known)
      known.then((found) => !found && this.runs.delete(key), () => this.runs.delete(key))
    }
    if (!(await known)) {
      throw this.refuse(
        `artiflow: ${this.label} has no run '${request.runId}' of flow '${request.flow.name}' in its ${this.store.description}; ` +
          `the scheduler stores it in the ${request.store}: start the worker with the scheduler's store (--store)`
      )
    }
  }

  /** Whether the run's scheduler is still there (its heartbeat key lives). */
  private async schedulerAlive(request: WireAttempt): Promise<boolean> {
    const key = heartbeatKey(this.queue, request.flow.name, request.runId)
    const seen = this.heartbeats.get(key)
    if (seen !== undefined && Date.now() - seen.at < HEARTBEAT_CACHE_MS) return seen.alive
    // When Redis cannot answer, assume the scheduler lives: the job's own fate tells the rest.
    const alive = await this.monitor.get(key).then((value) => value !== null, () => true)
    this.heartbeats.set(key, { at: Date.now(), alive })
    return alive
  }

  async run(job: JobLike): Promise<WireOutcome | { readonly dropped: string }> {
    const request = job.data as WireAttempt
    if (typeof request !== "object" || request === null || request.format !== WIRE_FORMAT) {
      throw this.refuse(`artiflow: ${this.label} runs artiflow attempts of format ${WIRE_FORMAT}: job '${job.id ?? "?"}' is not one (another artiflow version?)`)
    }
    const served = this.servedFor(request)
    if (!(await this.schedulerAlive(request))) {
      const dropped = `run '${request.runId}' of flow '${request.flow.name}' has no scheduler any more`
      this.say(`${this.label}: dropped task ${request.step}/${request.taskId}: ${dropped} (resume the run to complete it)`)
      return { dropped }
    }
    await this.hasRun(request)
    // A job taken again after its worker was lost runs as a new attempt: never the number of one that may have run.
    const attempt = request.attempt + Math.max(0, job.attemptsStarted - 1)
    const local = { ...request, attempt, flow: { ...request.flow, ...served.location } }
    try {
      return await this.pool.run(local, 0).outcome
    } catch (error) {
      throw this.refuse(messageOf(error))
    }
  }
}

/** Prints a message once per 10 s at most (a lost connection is reported on every retry). */
const throttled = (say: (message: string) => void): ((message: string) => void) => {
  const last = new Map<string, number>()
  return (message) => {
    const now = Date.now()
    if ((last.get(message) ?? 0) > now - 10_000) return
    last.set(message, now)
    say(message)
  }
}

const startBullWorker = (
  bull: BullLike,
  settings: ReturnType<typeof checkedOptions>,
  runner: JobRunner,
  name: string
): WorkerLike =>
  new bull.Worker(settings.queue, (job) => runner.run(job), {
    connection: { ...settings.connection, maxRetriesPerRequest: null },
    // One job waiting per thread, taken while another runs: no thread waits for Redis between two tasks.
    concurrency: settings.concurrency * 2,
    lockDuration: settings.lockDuration,
    stalledInterval: Math.max(500, Math.floor(settings.lockDuration / 2)),
    maxStalledCount: MAX_STALLS,
    autorun: true,
    name
  })

/**
 * Starts a worker: a process's share of the tasks BullMQ schedulers (`run(flow, { executor: bullmqExecutor(...) })`)
 * put on the queue, for the flows given, on the store the runs are in (shared with the schedulers: a directory
 * on a shared disk, or S3). Each task runs on a worker thread; `concurrency` run at once. Resolves once the worker
 * is connected; `close()` stops it gracefully (running tasks finish and report first). A job of a flow the worker
 * does not serve, of another version of it (another graph), or of a run its store does not have is refused with a
 * message naming both sides, and the run fails with that message.
 *
 * @example
 * import { localStore, startWorker } from "artiflow"
 * import { Train } from "./train.js"
 *
 * const worker = await startWorker({ flows: [Train], connection: "redis://localhost:6379", store: localStore("/shared/runs") })
 * process.on("SIGTERM", () => void worker.close())
 */
export const startWorker = async (options: StartWorkerOptions): Promise<WorkerHandle> => {
  const settings = checkedOptions(options)
  const store = options.store ?? defaultStore()
  const say = throttled(options.onMessage ?? ((message) => process.stderr.write(`${message}\n`)))
  const served = await servedFlows(settings.flows)
  const [bull, { Redis }] = await Promise.all([loadBullmq(), loadIoredis()])
  const identity = thisProcess()
  const label = `worker ${identity.host}/${identity.pid}`
  const pool = new ThreadPool(settings.concurrency, "worker thread")
  pool.addStore(store)
  pool.hold()
  const monitor = new Redis({ ...settings.connection, lazyConnect: true, maxRetriesPerRequest: 1 })
  monitor.on("error", (error: unknown) => say(`${label}: Redis at ${describeRedis(settings.connection)}: ${messageOf(error)}`))
  const runner = new JobRunner(bull, served, store, pool, monitor, settings.queue, label, say)
  const worker = startBullWorker(bull, settings, runner, label)
  worker.on("error", (error: unknown) => say(`${label}: ${messageOf(error)}`))
  await worker.waitUntilReady()
  const threads = `${settings.concurrency} thread${settings.concurrency === 1 ? "" : "s"}`
  const description = `${label} on queue '${settings.queue}' at ${describeRedis(settings.connection)} (${threads}): flows ${listNames([...served.keys()].sort())}`
  let closing: Promise<void> | undefined
  return {
    description,
    worker: identity,
    close: () =>
      (closing ??= (async () => {
        await worker.close()
        await pool.close()
        await monitor.quit().catch(() => monitor.disconnect())
      })())
  }
}

export type { RedisConnection, RedisOptions }
