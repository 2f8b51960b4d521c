/**
 * `bullmqExecutor()`: the attempts of a run as jobs on a BullMQ queue in Redis, run by `artiflow worker`
 * processes (or `startWorker`) on any number of machines that share the run's store. The calling process only
 * schedules: it sends references, takes the outcomes and commits them (queueLink.ts).
 */
import { isMemoryStore } from "../datastore/memory.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { FlowDefinitionError } from "../errors.js"
import { invalidOption } from "../types/messages.js"
import type { Executor, ExecutorRun, ExecutorSession } from "./Executor.js"
import { graphHash, locateFlow } from "./flowModule.js"
import { QueueLink } from "./queueLink.js"
import type { RedisConnection } from "./redis.js"
import { describeRedis, queueName, redisOptions } from "./redis.js"
import { remoteSession } from "./remoteSession.js"

/** Options of {@link bullmqExecutor}. */
export interface BullmqExecutorOptions {
  /** Redis: a `redis://[user:password@]host[:port][/db]` URL (`rediss://` for TLS), or `{ host, port, ... }`. */
  readonly connection: RedisConnection
  /** The queue's name (default "artiflow", as `artiflow worker` uses by default). */
  readonly queue?: string
  /**
   * Milliseconds the scheduler waits for Redis when it cannot reach it, at start or during the run, before the
   * run fails (default 10,000); `resume` completes a run that failed so.
   */
  readonly reconnectTimeout?: number
}

/** Jobs a run keeps in the queue by default: enough to keep many workers busy between two outcomes. */
const IN_FLIGHT = 256

const DEFAULT_RECONNECT_TIMEOUT = 10_000

const checkedTimeout = (value: unknown): number => {
  if (value === undefined) return DEFAULT_RECONNECT_TIMEOUT
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value
  throw new FlowDefinitionError(invalidOption("bullmqExecutor", "reconnectTimeout", "a number of milliseconds > 0", value))
}

/**
 * Runs tasks as jobs on a BullMQ queue in Redis, executed by worker processes (`artiflow worker <file> --redis
 * <url>`, or `startWorker` in code) on any number of machines. Workers load the flow from their own copy of its
 * module, read what each task reads from the run's store and write its outputs there, so the store must be one
 * they share (a directory on a shared disk, or S3): a memory store is refused before the run starts, and so is a
 * flow that is not exported from its module. A worker killed mid-task has its task run again on another worker
 * as a new attempt (its `retry` budget untouched). Redis needs `maxmemory-policy noeviction` (docs/scaling.md).
 *
 * @example
 * import { bullmqExecutor, run, s3Store } from "artiflow"
 * import { Train } from "./train.js"
 *
 * // on each worker machine: artiflow worker train.ts --redis redis://queue.internal:6379 --store s3://ml/runs
 * const result = await run(Train, {
 *   executor: bullmqExecutor({ connection: "redis://queue.internal:6379" }),
 *   store: s3Store({ bucket: "ml", prefix: "runs" })
 * })
 */
export const bullmqExecutor = (options: BullmqExecutorOptions): Executor => {
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError(invalidOption("bullmqExecutor", "options", "an object such as { connection: \"redis://localhost:6379\" }", options))
  }
  const connection = redisOptions("bullmqExecutor", options.connection)
  const queue = queueName("bullmqExecutor", options.queue)
  const reconnectTimeout = checkedTimeout(options.reconnectTimeout)
  const description = `BullMQ queue '${queue}' at ${describeRedis(connection)}`
  const start = async (run: ExecutorRun): Promise<ExecutorSession> => {
    if (isMemoryStore(run.store)) {
      throw new FlowDefinitionError(
        "artiflow: bullmqExecutor: the memory store lives in this process, where workers cannot reach it: use a store they share " +
          "(localStore(dir) on a disk they all mount, or s3Store)"
      )
    }
    const location = await locateFlow(run.flow as FlowValue, "bullmqExecutor()")
    const link = await QueueLink.open({ connection, queue, reconnectTimeout, flow: run.flow.name, runId: run.runId })
    const flow = { name: run.flow.name, ...location, graph: graphHash(run.flow) }
    const wire = { flow, store: run.store.description, runId: run.runId, originRunId: run.originRunId, verify: run.verify }
    return remoteSession(run, wire, (request) => link.send(request), {
      preferredConcurrency: IN_FLIGHT,
      close: () => link.close(),
      publishLargeValues: true
    })
  }
  return { description, start }
}
