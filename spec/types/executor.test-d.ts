/**
 * Executors and workers (DESIGN.md §10): `run(flow, { executor })` takes `inProcess()`, `workerThreads({ threads? })`
 * or `bullmqExecutor({ connection, queue? })`; `startWorker({ flows, connection, store, queue?, concurrency? })`
 * resolves to a handle with `close()`; each task handle tells which worker ran it.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { bullmqExecutor, flow, inProcess, localStore, resume, run, startWorker, step, workerThreads } from "../../lib/index.js"
import type { Executor, RunOptions, TaskHandle, WorkerHandle, WorkerIdentity, WorkerThreadsExecutor } from "../../lib/index.js"

const F = pipe(flow("Typed"), step("start", () => ({ n: 1 })))

describe("executors", () => {
  test("the three adapters are Executors that run and resume take", () => {
    expectTypeOf(inProcess()).toEqualTypeOf<Executor>()
    expectTypeOf(workerThreads()).toEqualTypeOf<WorkerThreadsExecutor>()
    expectTypeOf(workerThreads({ threads: 4 })).toMatchTypeOf<Executor>()
    expectTypeOf(bullmqExecutor({ connection: "redis://localhost:6379" })).toEqualTypeOf<Executor>()
    expectTypeOf(bullmqExecutor({ connection: { host: "redis", port: 6379 }, queue: "q", reconnectTimeout: 5000 })).toEqualTypeOf<Executor>()
    expectTypeOf(run(F, { executor: workerThreads() })).resolves.toHaveProperty("artifacts")
    expectTypeOf(resume(F, { executor: bullmqExecutor({ connection: "redis://h" }) })).resolves.toHaveProperty("runId")
    expectTypeOf<RunOptions["executor"]>().toEqualTypeOf<Executor | undefined>()
  })

  test("a worker-threads executor closes its threads", () => {
    expectTypeOf(workerThreads().close).toEqualTypeOf<() => Promise<void>>()
    expectTypeOf(workerThreads().threads).toEqualTypeOf<number>()
  })

  test("wrong options are compile errors", () => {
    // @ts-expect-error: an executor is an Executor value, not a name
    void run(F, { executor: "threads" })
    // @ts-expect-error: bullmqExecutor needs a connection
    bullmqExecutor({ queue: "q" })
    // @ts-expect-error: threads is a number
    workerThreads({ threads: "4" })
    // @ts-expect-error: the queue is a name
    bullmqExecutor({ connection: "redis://h", queue: 3 })
  })
})

describe("workers", () => {
  test("startWorker resolves to a handle with the worker's identity and close()", () => {
    const started = startWorker({ flows: [F], connection: "redis://localhost:6379", store: localStore("/shared"), queue: "q", concurrency: 2 })
    expectTypeOf(started).toEqualTypeOf<Promise<WorkerHandle>>()
    expectTypeOf<WorkerHandle["close"]>().toEqualTypeOf<() => Promise<void>>()
    expectTypeOf<WorkerHandle["worker"]>().toEqualTypeOf<WorkerIdentity>()
    expectTypeOf<WorkerIdentity>().toEqualTypeOf<{ readonly host: string; readonly pid: number }>()
    // @ts-expect-error: a worker needs its Redis connection
    void startWorker({ flows: [F] })
  })

  test("a task handle tells the process that ran its attempt", () => {
    expectTypeOf<TaskHandle["worker"]>().toEqualTypeOf<{ readonly host: string; readonly pid: number } | undefined>()
  })
})
