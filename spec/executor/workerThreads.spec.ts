/**
 * The worker-threads executor passes the executor conformance suite; and what is its own: a thread that dies
 * in a task (the task runs again on another thread as a new attempt, without using `retry`), a task that keeps
 * killing threads, a module a thread cannot load, any store (memoryStore included), its options.
 */
import { writeFile } from "node:fs/promises"
import { join as joinPath } from "node:path"
import { afterAll, describe, expect, test } from "vitest"
import { Client, ExecutorError, FlowDefinitionError, memoryStore, run, RunFailedError, workerThreads } from "artiflow"
import { tempDir } from "../stores.js"
import { executorContract } from "./contract.js"
import { Hostile } from "./fixtures/threadHostile.js"
import { Grid, Killer } from "./flows.js"

executorContract("workerThreads", async () => {
  const executor = workerThreads({ threads: 2 })
  return { executor, workerPids: () => [process.pid], runsUnexported: false, close: () => executor.close() }
})

describe("workerThreads", () => {
  const threads = workerThreads({ threads: 2 })
  afterAll(() => threads.close())
  const quiet = { log: () => {} }

  test("a thread that dies in a task is replaced; the task runs again as a new attempt, its retry budget untouched", async () => {
    const killFile = joinPath(await tempDir(), "kills")
    await writeFile(killFile, "2")
    const store = memoryStore()
    const result = await run(Killer, { params: { killFile }, store, executor: threads, ...quiet })
    expect(result.artifacts.tripled).toEqual([3, 6, 9])
    const task = (await (await Client.open(store).run("Killer", result.runId)).step("risky").tasks())[1]
    // Attempts 0 and 1 died with their threads: nothing of them is committed, and no retry was needed.
    expect(task?.attempt).toBe(2)
    expect(task?.attempts().map((attempt) => [attempt.attempt, attempt.status])).toEqual([[2, "succeeded"]])
  })

  test("a task that kills three threads fails the run, saying so", async () => {
    const killFile = joinPath(await tempDir(), "kills")
    await writeFile(killFile, "10")
    const failure = await run(Killer, { params: { killFile }, store: memoryStore(), executor: threads, ...quiet }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(RunFailedError)
    expect((failure as RunFailedError).step).toBe("risky")
    expect((failure as RunFailedError).cause).toBeInstanceOf(ExecutorError)
    expect((failure as RunFailedError).message).toMatch(/step 'risky' \(task 1\) killed 3 worker threads; the last: it exited with code 7/)
  })

  test("a module a thread cannot load fails the run, naming the module and why", async () => {
    const failure = await run(Hostile, { store: memoryStore(), executor: threads, ...quiet }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(RunFailedError)
    expect((failure as RunFailedError).message).toMatch(
      /artiflow: worker thread cannot load .*threadHostile\.ts, the module of flow 'Hostile': this module does not load in a worker thread/
    )
  })

  test("runs on a memory store: threads reach the scheduler's store", async () => {
    const store = memoryStore()
    const result = await run(Grid, { store, executor: threads, ...quiet })
    expect(result.artifacts.grand).toBe(150)
    expect((await Client.open(store).run("Grid", result.runId)).status).toBe("succeeded")
  })

  test.each([0, -1, 1.5, "2", 5000])("threads: %j is refused", (threads) => {
    expect(() => workerThreads({ threads: threads as number })).toThrow(FlowDefinitionError)
    expect(() => workerThreads({ threads: threads as number })).toThrow(/^artiflow: workerThreads: option 'threads' must be an integer from 1 to 1024/)
  })
})
