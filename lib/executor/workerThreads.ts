/**
 * `workerThreads()`: the attempts of a run on a pool of worker threads of this process, so that CPU-bound
 * steps use every core of the machine. Each thread imports the flow from its module and loads the artifacts
 * its task reads; blobs go through the scheduler's store (any store works, memoryStore included).
 */
import { availableParallelism } from "node:os"
import type { FlowValue } from "../dsl/FlowValue.js"
import { FlowDefinitionError } from "../errors.js"
import { invalidOption } from "../types/messages.js"
import type { Executor, ExecutorRun, ExecutorSession } from "./Executor.js"
import { graphHash, locateFlow } from "./flowModule.js"
import { remoteSession } from "./remoteSession.js"
import { ThreadPool } from "./threadPool.js"

/** Options of {@link workerThreads}. */
export interface WorkerThreadsOptions {
  /** How many threads (default: the machine's CPU count). */
  readonly threads?: number
}

/** The worker-threads executor; `close()` stops its threads (they otherwise stay, idle, for the next run). */
export interface WorkerThreadsExecutor extends Executor {
  readonly threads: number
  close(): Promise<void>
}

const checkedThreads = (options: WorkerThreadsOptions): number => {
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError(invalidOption("workerThreads", "options", "an object such as { threads: 4 }", options))
  }
  const threads = options.threads ?? availableParallelism()
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new FlowDefinitionError(invalidOption("workerThreads", "threads", "an integer from 1 to 1024", options.threads))
  }
  return threads
}

/**
 * Runs tasks on a pool of worker threads of this process (default: one per CPU): CPU-bound steps then run in
 * parallel. The flow must be exported from its module (each thread imports it); an unexported flow is an error
 * before any task starts. Threads start with the first run and stay for the next ones, idle and without
 * keeping the process alive; `close()` stops them. Artifact hashes are the same as in process.
 *
 * @example
 * import { run, workerThreads } from "artiflow"
 * import { Train } from "./train.js"
 *
 * const threads = workerThreads({ threads: 4 })
 * const result = await run(Train, { executor: threads })
 * await threads.close()
 */
export const workerThreads = (options: WorkerThreadsOptions = {}): WorkerThreadsExecutor => {
  const threads = checkedThreads(options)
  const description = `${threads} worker thread${threads === 1 ? "" : "s"}`
  let pool: ThreadPool | undefined
  const start = async (run: ExecutorRun): Promise<ExecutorSession> => {
    const location = await locateFlow(run.flow as FlowValue, "workerThreads()")
    pool ??= new ThreadPool(threads, "worker thread")
    const used = pool
    const store = used.addStore(run.store)
    used.hold()
    const flow = { name: run.flow.name, ...location, graph: graphHash(run.flow) }
    const wire = { flow, store: run.store.description, runId: run.runId, originRunId: run.originRunId, verify: run.verify }
    return remoteSession(
      run,
      wire,
      (request) => {
        const sent = used.run(request, store)
        return { outcome: sent.outcome, cancel: (reason) => used.cancel(sent.id, reason) }
      },
      {
        // Twice the threads: each has its next attempt waiting while it reports the last.
        preferredConcurrency: threads * 2,
        publishLargeValues: false,
        close: async () => {
          used.release()
          used.removeStore(store)
        }
      }
    )
  }
  return {
    description,
    threads,
    start,
    close: async () => {
      const closing = pool
      pool = undefined
      await closing?.close()
    }
  }
}
