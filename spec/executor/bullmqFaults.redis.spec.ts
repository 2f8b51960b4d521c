/**
 * bullmqExecutor and startWorker in this process, around what can go wrong before and during a run: a store
 * workers cannot share, a Redis that is not there, a Redis that restarts empty mid-run (its jobs are sent
 * again), options that make no sense.
 */
import { join as joinPath } from "node:path"
import { describe, expect, test } from "vitest"
import { bullmqExecutor, Client, ExecutorError, FlowDefinitionError, localStore, memoryStore, run, startWorker, step } from "artiflow"
import type { RunEvent } from "artiflow"
import { freePort } from "../support/servers/ports.js"
import { ownRedis, redisServer, uniqueName } from "../support/redis.js"
import { tempDir } from "../stores.js"
import { Burn, Grid } from "./flows.js"

const quiet = { log: () => {} }

describe("bullmqExecutor, before any task runs", () => {
  test("a memory store is refused: workers cannot reach it", async () => {
    const executor = bullmqExecutor({ connection: redisServer().url, queue: uniqueName("memory") })
    const store = memoryStore()
    await expect(run(Grid, { store, executor, ...quiet })).rejects.toThrow(
      "artiflow: bullmqExecutor: the memory store lives in this process, where workers cannot reach it: use a store they share (localStore(dir) on a disk they all mount, or s3Store)"
    )
    expect(await store.listFlows()).toEqual([])
  })

  test("a Redis that does not answer within reconnectTimeout fails the run before it exists", async () => {
    const port = await freePort()
    const executor = bullmqExecutor({ connection: `redis://127.0.0.1:${port}`, reconnectTimeout: 500 })
    const store = localStore(joinPath(await tempDir(), "store"))
    const error = await run(Grid, { store, executor, ...quiet }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExecutorError)
    expect((error as Error).message).toMatch(
      new RegExp(`^artiflow: cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\): start Redis, or pass the connection of a running one$`)
    )
    expect(await store.listFlows()).toEqual([])
  })

  test.each([
    [{ connection: "http://x" }, "artiflow: bullmqExecutor: option 'connection' must be a redis:// URL"],
    [{ connection: "redis://x", queue: "a:b" }, "artiflow: bullmqExecutor: option 'queue' must be 1 to 128 letters"],
    [{ connection: "redis://x", reconnectTimeout: -1 }, "artiflow: bullmqExecutor: option 'reconnectTimeout' must be a number of milliseconds > 0"]
  ])("options %j are refused", (options, message) => {
    expect(() => bullmqExecutor(options as never)).toThrow(FlowDefinitionError)
    expect(() => bullmqExecutor(options as never)).toThrow(message)
  })
})

describe("startWorker", () => {
  test("refuses no flows, a flow of no module's, and a bad concurrency, before connecting", async () => {
    const connection = redisServer().url
    await expect(startWorker({ flows: [], connection })).rejects.toThrow("artiflow: startWorker: option 'flows' must be a non-empty array of flows")
    const unexported = Grid.pipe(step("extra", () => ({ extra: 1 })))
    await expect(startWorker({ flows: [unexported], connection })).rejects.toThrow(/^artiflow: flow 'Grid' is not exported from .*flows\.ts/)
    await expect(startWorker({ flows: [Grid], connection, concurrency: 0 })).rejects.toThrow("artiflow: startWorker: option 'concurrency' must be an integer > 0")
  })

  test("describes itself: its process, queue, Redis, threads and flows", async () => {
    const queue = uniqueName("describe")
    const store = localStore(joinPath(await tempDir(), "store"))
    const worker = await startWorker({ flows: [Grid, Burn], connection: redisServer().url, queue, store, concurrency: 1 })
    try {
      expect(worker.worker).toEqual({ host: expect.any(String), pid: process.pid })
      expect(worker.description).toBe(
        `worker ${worker.worker.host}/${process.pid} on queue '${queue}' at redis://127.0.0.1:${redisServer().port} (1 thread): flows 'Burn', 'Grid'`
      )
    } finally {
      await worker.close()
    }
  })
})

describe("Redis restarting empty mid-run", () => {
  test("jobs it lost are sent again as new attempts, and the run completes", async () => {
    const redis = await ownRedis()
    const queue = uniqueName("restart")
    const store = localStore(joinPath(await tempDir(), "store"))
    const messages: Array<string> = []
    const worker = await startWorker({ flows: [Burn], connection: redis.url, queue, store, concurrency: 1, onMessage: (m) => messages.push(m) })
    let restart: Promise<void> | undefined
    const onEvent = (event: RunEvent): void => {
      if (restart !== undefined || event.type !== "foreach-progress" || event.done < 10) return
      restart = (async () => {
        await redis.stop()
        await redis.start()
      })()
    }
    try {
      const executor = bullmqExecutor({ connection: redis.url, queue, reconnectTimeout: 20_000 })
      const result = await run(Burn, { params: { n: 60, ms: 40 }, store, executor, onEvent, ...quiet })
      await restart
      expect(result.artifacts).toEqual({ n: 60, ms: 40, items: Array.from({ length: 60 }, (_, i) => i), total: 70_210, odds: 30 })
      const tasks = await (await Client.open(store).run("Burn", result.runId)).step("burn").tasks()
      expect(tasks.map((task) => task.status)).toEqual(Array(60).fill("succeeded"))
      expect(tasks.some((task) => task.attempt > 0)).toBe(true)
    } finally {
      await worker.close()
      await redis.close()
    }
  }, 120_000)
})
