/**
 * `artiflow worker` processes for tests (the built CLI, dist/cli/main.js, as users run it), and the scenario of
 * spec/executor/*.spec.ts files that kill one: a 1,000-item foreach over three workers on one Redis and a shared
 * store, one worker SIGKILLed mid-run, the run ending with the artifacts of an undisturbed in-process run.
 */
import { spawn } from "node:child_process"
import type { ChildProcessWithoutNullStreams } from "node:child_process"
import { join } from "node:path"
import { expect, onTestFinished } from "vitest"
import { bullmqExecutor, Client, localStore, run } from "artiflow"
import type { Datastore, RunEvent } from "artiflow"
import { tempDir } from "../stores.js"
import { root } from "../cli/process.js"
import { Burn } from "./flows.js"

const main = join(root, "dist/cli/main.js")
const flowsFile = "spec/executor/flows.ts"

/** A running `artiflow worker`. */
export interface WorkerProcess {
  readonly pid: number
  readonly child: ChildProcessWithoutNullStreams
  /** What it printed so far (stdout and stderr). */
  output(): string
  /** Resolves with its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>
}

/**
 * Starts `artiflow worker <file> ...args` (default file: spec/executor/flows.ts) with `env` added to this
 * process's environment, and resolves once it serves (its first line); it is killed when the test finishes.
 */
export const startWorkerProcess = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
  file = flowsFile
): Promise<WorkerProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, "worker", file, ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1", ...env } })
    let output = ""
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    onTestFinished(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      await exited
    })
    const worker: WorkerProcess = { pid: child.pid ?? -1, child, output: () => output, exited }
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (/^worker \S+ on queue /m.test(output)) resolve(worker)
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    void exited.then((code) => reject(new Error(`artiflow worker exited (${code}) before serving:\n${output}`)))
  })

/** What the kill scenario runs on: a Redis, the store's option for the workers, and the same store here. */
export interface KillSetup {
  readonly redis: string
  /** `--store` for the workers. */
  readonly storeArg: string
  /** The same store, for the scheduler. */
  readonly store: Datastore
  /** The workers' environment (credentials of an S3 store). */
  readonly env?: Readonly<Record<string, string>>
}

const ITEMS = 1000
const BURN_MS = 2

/** Each task's artifact hashes (attempt numbers aside: tasks lost with the killed worker ran again). */
const taskHashes = async (store: Datastore, runId: string): Promise<ReadonlyArray<string>> => {
  const tasks = await (await Client.open(store).run("Burn", runId)).step("burn").tasks()
  return Promise.all(
    tasks.map(async (task) => {
      const names = await task.artifactNames()
      const hashes = await Promise.all(names.map(async (name) => `${name}=${(await task.info(name)).hash}`))
      return `${task.id} ${task.status} ${hashes.join(" ")}`
    })
  )
}

/**
 * Three workers (two threads each) on a queue of their own; the run starts from this process; once a fifth of
 * the tasks are done, the worker that ran the most is SIGKILLed. The run must succeed with the in-process
 * artifacts, its lost tasks run again elsewhere as new attempts, and nothing of what the killed worker was
 * running is visible.
 */
export const killOneOfThree = async (setup: KillSetup, queue: string): Promise<void> => {
  const args = ["--redis", setup.redis, "--queue", queue, "--store", setup.storeArg, "--concurrency", "2", "--lock-duration", "2000"]
  // Each worker's own home (an S3 store's read cache lives there), not the repository's ./.artiflow.
  const homes = await Promise.all([0, 1, 2].map(() => tempDir("artiflow-worker-home-")))
  const workers = await Promise.all(homes.map((home) => startWorkerProcess(args, { ARTIFLOW_HOME: home, ...setup.env })))
  const params = { n: ITEMS, ms: BURN_MS }
  const referenceStore = localStore(join(await tempDir("artiflow-kill-ref-"), "store"))
  const reference = await run(Burn, { params, store: referenceStore, log: () => {} })

  let victim: number | undefined
  // Killed once a fifth of the tasks is done and it has finished tasks itself (so it surely holds more).
  let victimFinished = 0
  let done = 0
  const onEvent = (event: RunEvent): void => {
    if (event.type === "task-finished" && event.worker?.pid === workers[1]?.pid) victimFinished += 1
    if (event.type === "foreach-progress") done = event.done
    if (victim !== undefined || done < ITEMS / 5 || victimFinished === 0) return
    victim = workers[1]?.pid
    workers[1]?.child.kill("SIGKILL")
  }
  const executor = bullmqExecutor({ connection: setup.redis, queue })
  const result = await run(Burn, { params, store: setup.store, executor, onEvent, log: () => {} })
  expect(victim, "a worker was killed mid-run").toBeDefined()
  expect(await workers[1]?.exited).toBeNull()
  expect(result.artifacts).toEqual(reference.artifacts)
  expect(await taskHashes(setup.store, result.runId)).toEqual(await taskHashes(referenceStore, reference.runId))

  const tasks = await (await Client.open(setup.store).run("Burn", result.runId)).step("burn").tasks()
  // One committed attempt per task: the killed worker's cut-short attempts and any duplicate left nothing.
  expect(tasks.every((task) => task.attempts().length === 1 && task.status === "succeeded")).toBe(true)
  const rerun = tasks.filter((task) => task.attempt > 0)
  expect(rerun.length, "tasks the killed worker held ran again as new attempts").toBeGreaterThan(0)
  expect(rerun.every((task) => task.worker?.pid !== victim)).toBe(true)
  const pids = new Set(tasks.map((task) => task.worker?.pid))
  expect([...pids].every((pid) => workers.some((worker) => worker.pid === pid))).toBe(true)
  expect(pids.size, "all three workers ran tasks").toBe(3)
  for (const worker of [workers[0], workers[2]]) worker?.child.kill("SIGTERM")
  expect(await workers[0]?.exited).toBe(0)
  expect(workers[0]?.output()).toMatch(/stopping \(running tasks finish first\)\nstopped\n/)
}
