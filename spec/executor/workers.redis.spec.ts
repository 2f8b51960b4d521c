/**
 * BullMQ workers as users run them (`artiflow worker`, the built CLI) and what goes wrong around them: a worker
 * SIGKILLed mid-run, one stopped gracefully, one with another version of the flow, another store or other flows,
 * Redis lost in the middle of a run, and the scheduling process killed; `resume` completes what failed.
 */
import { spawn } from "node:child_process"
import { join as joinPath } from "node:path"
import { describe, expect, test } from "vitest"
import { bullmqExecutor, Client, ExecutorError, localStore, resume, run, RunFailedError } from "artiflow"
import type { RunEvent } from "artiflow"
import { artiflow, root } from "../cli/process.js"
import { ownRedis, redisServer, uniqueName } from "../support/redis.js"
import { tempDir } from "../stores.js"
import { Burn, Grid } from "./flows.js"
import { killOneOfThree, startWorkerProcess } from "./workerProcesses.js"

const quiet = { log: () => {} }

/** A local store for the scheduler, and `--store` for workers on this machine. */
const sharedStore = async () => {
  const dir = joinPath(await tempDir("artiflow-workers-"), "store")
  return { dir, store: localStore(dir) }
}

const failureOf = async (running: Promise<unknown>): Promise<RunFailedError> => {
  const error = await running.then(
    () => expect.fail("the run succeeded"),
    (thrown: unknown) => thrown
  )
  expect(error).toBeInstanceOf(RunFailedError)
  return error as RunFailedError
}

describe("artiflow worker processes", () => {
  test("1,000 tasks over three workers, one SIGKILLed mid-run: the run ends with the in-process artifacts", async () => {
    const { dir, store } = await sharedStore()
    await killOneOfThree({ redis: redisServer().url, storeArg: dir, store }, uniqueName("kill"))
  }, 240_000)

  test("a worker stopped with SIGTERM finishes the tasks it holds; the run completes without losing any", async () => {
    const { dir, store } = await sharedStore()
    const queue = uniqueName("graceful")
    const args = ["--redis", redisServer().url, "--queue", queue, "--store", dir, "--concurrency", "2"]
    const [first, second] = await Promise.all([startWorkerProcess(args), startWorkerProcess(args)])
    let sent = false
    const onEvent = (event: RunEvent): void => {
      if (sent || event.type !== "foreach-progress" || event.done < 20) return
      sent = true
      first?.child.kill("SIGTERM")
    }
    const executor = bullmqExecutor({ connection: redisServer().url, queue })
    const result = await run(Burn, { params: { n: 100, ms: 30 }, store, executor, onEvent, ...quiet })
    expect(result.artifacts.total).toBe(328_350)
    expect(await first?.exited).toBe(0)
    expect(first?.output()).toMatch(/stopping \(running tasks finish first\)\nstopped\n/)
    const tasks = await (await Client.open(store).run("Burn", result.runId)).step("burn").tasks()
    expect(tasks.every((task) => task.attempt === 0 && task.attempts().length === 1)).toBe(true)
    expect(new Set(tasks.map((task) => task.worker?.pid))).toEqual(new Set([first?.pid, second?.pid]))
  }, 120_000)

  test("a worker with another version of the flow refuses its tasks; the run fails naming both modules", async () => {
    const { dir, store } = await sharedStore()
    const queue = uniqueName("version")
    await startWorkerProcess(["--redis", redisServer().url, "--queue", queue, "--store", dir], {}, "spec/executor/fixtures/otherGrid.ts")
    const failure = await failureOf(run(Grid, { store, executor: bullmqExecutor({ connection: redisServer().url, queue }), ...quiet }))
    expect(failure.step).toBe("start")
    expect(failure.cause).toBeInstanceOf(ExecutorError)
    expect(failure.message).toMatch(
      /artiflow: worker \S+\/\d+ has another version of flow 'Grid' than the scheduler: \S*spec\/executor\/fixtures\/otherGrid\.ts here \(graph [0-9a-f]{12}\), \S*spec\/executor\/flows\.ts for the scheduler \(graph [0-9a-f]{12}\): run the same version of the flow on both sides/
    )
    expect((await Client.open(store).run("Grid", failure.runId)).status).toBe("failed")
  }, 60_000)

  test("a worker on another store, or serving other flows, refuses the tasks, saying which", async () => {
    const { store } = await sharedStore()
    const elsewhere = await sharedStore()
    const queue = uniqueName("store")
    await startWorkerProcess(["--redis", redisServer().url, "--queue", queue, "--store", elsewhere.dir])
    const executor = bullmqExecutor({ connection: redisServer().url, queue })
    const failure = await failureOf(run(Grid, { store, executor, ...quiet }))
    expect(failure.message).toMatch(
      new RegExp(`has no run '${failure.runId}' of flow 'Grid' in its local store at ${elsewhere.dir}; the scheduler stores it in the local store at \\S+: start the worker with the scheduler's store \\(--store\\)`)
    )
    const other = uniqueName("flows")
    await startWorkerProcess(["--redis", redisServer().url, "--queue", other, "--store", elsewhere.dir, "--flow", "Burn"])
    const refused = await failureOf(run(Grid, { store, executor: bullmqExecutor({ connection: redisServer().url, queue: other }), ...quiet }))
    expect(refused.message).toMatch(/artiflow: worker \S+ serves flows 'Burn', not 'Grid' \(\S*flows\.ts on the scheduler's side\): start a worker with the file of that flow/)
  }, 60_000)

  test("the command line: --redis is required, a file that does not load is named", async () => {
    const noRedis = await artiflow(["worker", "spec/executor/flows.ts"])
    expect(noRedis.code).toBe(2)
    expect(noRedis.stderr).toBe("artiflow: worker needs --redis <url>, the Redis its schedulers use\nsee: artiflow worker --help\n")
    const missing = await artiflow(["worker", "spec/executor/nothing.ts", "--redis", redisServer().url])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe("artiflow: no such file: spec/executor/nothing.ts\n")
    const badUrl = await artiflow(["worker", "spec/executor/flows.ts", "--redis", "http://x"])
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toBe("artiflow: option --redis expects a redis://host[:port] URL (rediss:// for TLS), received 'http://x'\nsee: artiflow worker --help\n")
  }, 60_000)

  test("Redis lost mid-run fails the run with a clear error; resume completes it once Redis is back", async () => {
    const redis = await ownRedis()
    const { dir, store } = await sharedStore()
    const queue = uniqueName("lost")
    const worker = await startWorkerProcess(["--redis", redis.url, "--queue", queue, "--store", dir, "--concurrency", "2", "--lock-duration", "2000"])
    const reference = await run(Burn, { params: { n: 200, ms: 20 }, store: localStore(joinPath(await tempDir(), "ref")), ...quiet })
    const executor = bullmqExecutor({ connection: redis.url, queue, reconnectTimeout: 2000 })
    let stopping: Promise<void> | undefined
    const onEvent = (event: RunEvent): void => {
      if (stopping === undefined && event.type === "foreach-progress" && event.done >= 30) stopping = redis.stop()
    }
    const failure = await failureOf(run(Burn, { params: { n: 200, ms: 20 }, store, executor, onEvent, ...quiet }))
    await stopping
    expect(failure.cause).toBeInstanceOf(ExecutorError)
    expect(failure.message).toMatch(
      new RegExp(`artiflow: lost the connection to the queue '${queue}' at redis://127\\.0\\.0\\.1:${redis.port} for more than 2 s \\(.*\\): the run stops; once Redis is back, resume it with the same executor`)
    )
    await redis.start()
    const resumed = await resume(Burn, { origin: failure.runId, store, executor, ...quiet })
    expect(resumed.artifacts).toEqual(reference.artifacts)
    const reused = (await (await Client.open(store).run("Burn", resumed.runId)).step("burn").tasks()).filter((task) => task.originTaskId !== undefined)
    expect(reused.length).toBeGreaterThanOrEqual(30)
    worker.child.kill("SIGKILL")
    await worker.exited
    await redis.close()
  }, 120_000)

  test("the scheduling process killed mid-run: the run stays resumable, and resume completes it on the workers", async () => {
    const { dir, store } = await sharedStore()
    const queue = uniqueName("scheduler")
    const url = redisServer().url
    await startWorkerProcess(["--redis", url, "--queue", queue, "--store", dir, "--concurrency", "2"])
    const params = ["--n", "300", "--ms", "10"]
    const scheduler = spawn(process.execPath, [joinPath(root, "dist/cli/main.js"), "run", "spec/executor/flows.ts", "--flow", "Burn", ...params, "--redis", url, "--queue", queue, "--store", dir], {
      cwd: root,
      env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1" }
    })
    let output = ""
    const exited = new Promise<NodeJS.Signals | null>((done) => scheduler.on("exit", (_code, signal) => done(signal)))
    scheduler.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    scheduler.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      if (/items: (6|7|8|9)\d\/300/.test(output)) scheduler.kill("SIGKILL")
    })
    expect(await exited).toBe("SIGKILL")
    const runId = /^run (\S+) of Burn started/m.exec(output)?.[1] ?? expect.fail(`no run id in:\n${output}`)
    expect((await Client.open(store).run("Burn", runId)).status).toBe("running")
    const executor = bullmqExecutor({ connection: url, queue })
    const resumed = await resume(Burn, { origin: runId, store, executor, ...quiet })
    expect(resumed.artifacts).toMatchObject({ total: 8_955_050, odds: 150 })
    const tasks = await (await Client.open(store).run("Burn", resumed.runId)).step("burn").tasks()
    expect(tasks.filter((task) => task.originTaskId !== undefined).length).toBeGreaterThanOrEqual(60)
  }, 120_000)
})
