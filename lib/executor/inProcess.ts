/**
 * The default executor: every attempt runs in the process that called `run`, on the values the scheduler
 * already holds (nothing is loaded again), with async work overlapping up to the run's `maxWorkers`.
 */
import { performAttempt } from "../interpreter/attempt.js"
import type { AttemptEnv } from "../interpreter/attempt.js"
import { currentHost } from "../interpreter/meta.js"
import type { Executor, ExecutorRun, ExecutorSession, WorkerIdentity } from "./Executor.js"

/** This process, as the `worker` of the attempts it runs. */
export const thisProcess = (): WorkerIdentity => ({ host: currentHost(), pid: process.pid })

const session = (run: ExecutorRun): ExecutorSession => {
  const env: AttemptEnv = {
    flow: run.flow,
    store: run.store,
    runId: run.runId,
    originRunId: run.originRunId,
    params: new Set(Object.keys(run.flow.params)),
    configs: new Set(Object.keys(run.flow.configs)),
    verify: run.verify,
    log: run.log
  }
  const worker = thisProcess()
  return {
    holdsValues: true,
    runAttempt: (attempt, signal) => performAttempt(env, attempt, signal, worker),
    close: async () => {}
  }
}

const IN_PROCESS: Executor = Object.freeze({
  description: "in-process",
  start: async (run: ExecutorRun) => session(run)
})

/**
 * Runs every task in the calling process (the default executor of `run` and `resume`): the fastest for
 * I/O-bound and light steps, as tasks share the scheduler's memory and nothing is loaded twice. CPU-bound
 * steps use one core; spread them with `workerThreads()` or over machines with `bullmqExecutor()`.
 *
 * @example
 * import { inProcess, run } from "artiflow"
 * await run(Train, { executor: inProcess() })   // the same as run(Train)
 */
export const inProcess = (): Executor => IN_PROCESS
