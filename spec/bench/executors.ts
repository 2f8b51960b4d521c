/**
 * Executors on this machine, all in the same run, on a throwaway redis-server started here:
 *
 * - a 1,000-item foreach of 10 ms CPU-bound bodies in process, on `workerThreads` (one thread per core), and on
 *   BullMQ with one and with two `artiflow worker` processes (one task at a time each); targets: workerThreads
 *   >= 1.6x in process on 2 cores, BullMQ with two workers >= 1.6x BullMQ with one;
 * - BullMQ's cost per task for trivial bodies with two workers: target <= 2 ms per task (>= 500 tasks/s);
 * - how a scheduler best waits for 1,000 BullMQ jobs: one QueueEvents listener for all (what bullmqExecutor
 *   does) or `job.waitUntilFinished` per job (reported).
 *
 * Workers are the built CLI (dist/cli/main.js, built here first); the scheduler is this process.
 */
import { execFile, spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { availableParallelism } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Queue, QueueEvents, Worker } from "bullmq"
import { bullmqExecutor, inProcess, localStore, run, workerThreads } from "artiflow"
import type { Executor } from "artiflow"
import { Burn } from "../executor/flows.js"
import { startRedis } from "../support/servers/launch.js"
import { ensurePackages, redisPackages } from "../support/servers/packages.js"
import { freePort } from "../support/servers/ports.js"
import { serverDir, stopOnExit } from "../support/servers/processes.js"
import type { Figure } from "./measure.js"
import { median, ms, timed, withTempDir } from "./measure.js"

const exec = promisify(execFile)
const root = fileURLToPath(new URL("../..", import.meta.url))
const quiet = { log: () => {} }
const ITEMS = 1000
const CPU_MS = 10

/** A throwaway redis-server for the benchmarks, stopped when `work` ends. */
const withRedis = async <T>(work: (url: string) => Promise<T>): Promise<T> => {
  await ensurePackages(redisPackages)
  const dir = serverDir("artiflow-bench-redis-")
  const exitHook = stopOnExit(dir)
  const redis = await startRedis(dir, await freePort(), process.pid)
  try {
    return await work(redis.server.url)
  } finally {
    await redis.script.stop()
    exitHook.release()
  }
}

/** `count` `artiflow worker` processes (one task at a time each) on `queue`, stopped when `work` ends. */
const withWorkers = async <T>(count: number, url: string, queue: string, store: string, work: () => Promise<T>): Promise<T> => {
  const children: Array<ChildProcess> = []
  try {
    await Promise.all(
      Array.from({ length: count }, () => {
        const args = [join(root, "dist/cli/main.js"), "worker", "spec/executor/flows.ts", "--redis", url, "--queue", queue, "--store", store, "--concurrency", "1"]
        const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] })
        children.push(child)
        return new Promise<void>((ready, failed) => {
          child.stdout?.once("data", () => ready())
          child.once("exit", (code) => failed(new Error(`artiflow worker exited with ${code} before serving`)))
        })
      })
    )
    return await work()
  } finally {
    for (const child of children) child.kill("SIGTERM")
    await Promise.all(children.map((child) => new Promise((done) => (child.exitCode === null ? child.once("exit", done) : done(null)))))
  }
}

/** Median milliseconds of `repetitions` runs of Burn on `executor` (after one small run that warms it up). */
const timeBurn = async (executor: Executor, store: string, repetitions: number, cpuMs: number): Promise<number> => {
  const options = { store: localStore(store), executor, ...quiet }
  await run(Burn, { ...options, params: { n: 20, ms: cpuMs } })
  const times: Array<number> = []
  for (let rep = 0; rep < repetitions; rep++) times.push(await timed(() => run(Burn, { ...options, params: { n: ITEMS, ms: cpuMs } })))
  return median(times)
}

const speedup = (name: string, ours: number, base: number, baseName: string, target: string, met: boolean): Figure => ({
  name,
  ours: `${ms(ours)} (${(base / ours).toFixed(2)}x ${baseName})`,
  baseline: `${ms(base)} ${baseName}`,
  ratio: `${(base / ours).toFixed(2)}x`,
  target,
  stored: "",
  met,
  measured: { ms: ours, baselineMs: base, speedup: base / ours }
})

/** Waiting for 1,000 plain BullMQ jobs: one QueueEvents listener for all, or `waitUntilFinished` per job. */
const waiting = async (url: string, repetitions: number): Promise<Figure> => {
  const connection = { host: new URL(url).hostname, port: Number(new URL(url).port) }
  const queue = new Queue("bench-wait", { connection })
  const events = new QueueEvents("bench-wait", { connection })
  const worker = new Worker("bench-wait", async (job) => (job.data as { n: number }).n * 2, { connection, concurrency: 8 })
  // waitUntilFinished adds listeners per job: 1,000 at once is what it is measured doing, not a leak.
  queue.setMaxListeners(0)
  events.setMaxListeners(0)
  await Promise.all([events.waitUntilReady(), worker.waitUntilReady()])
  const oneListener = async (): Promise<void> => {
    const pending = new Map<string, () => void>()
    const done = Promise.all(Array.from({ length: ITEMS }, (_, i) => new Promise<void>((resolve) => pending.set(`l-${i}-${Date.now()}`, resolve))))
    const ids = [...pending.keys()]
    const onCompleted = ({ jobId }: { jobId: string }): void => pending.get(jobId)?.()
    events.on("completed", onCompleted)
    await queue.addBulk(ids.map((id, n) => ({ name: "n", data: { n }, opts: { jobId: id, removeOnComplete: true } })))
    await done
    events.off("completed", onCompleted)
  }
  const perJob = async (): Promise<void> => {
    // Kept once complete: waitUntilFinished looks a job up when it starts waiting, and fails on one already
    // removed (bullmq: "Missing key for job ... isFinished").
    const jobs = await queue.addBulk(Array.from({ length: ITEMS }, (_, n) => ({ name: "n", data: { n }, opts: { removeOnComplete: false } })))
    await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 60_000)))
  }
  try {
    const one: Array<number> = []
    const each: Array<number> = []
    // Alternating which goes first, and once each before measuring (the first batch warms Redis and the scripts).
    await oneListener()
    await perJob()
    for (let rep = 0; rep < repetitions; rep++) {
      if (rep % 2 === 0) {
        one.push(await timed(oneListener))
        each.push(await timed(perJob))
      } else {
        each.push(await timed(perJob))
        one.push(await timed(oneListener))
      }
    }
    return {
      name: `BullMQ: waiting for ${ITEMS.toLocaleString("en-US")} jobs`,
      ours: `${ms(median(one))} one QueueEvents listener`,
      baseline: `${ms(median(each))} waitUntilFinished per job`,
      ratio: `${(median(each) / median(one)).toFixed(2)}x`,
      target: "(reported)",
      stored: "",
      met: undefined,
      measured: { ms: median(one), baselineMs: median(each) }
    }
  } finally {
    await worker.close()
    await events.close()
    await queue.obliterate({ force: true }).catch(() => {})
    await queue.close()
  }
}

export const measureExecutors = async (repetitions: number): Promise<ReadonlyArray<Figure>> => {
  // The workers are what users run: the built CLI.
  await exec("npm", ["run", "build"], { cwd: root })
  const reps = Math.min(repetitions, 3)
  return withRedis((url) =>
    withTempDir(async (dir) => {
      const store = join(dir, "store")
      const threads = workerThreads()
      const inline = await timeBurn(inProcess(), store, reps, CPU_MS)
      const onThreads = await timeBurn(threads, store, reps, CPU_MS)
      await threads.close()
      const bull = (queue: string) => bullmqExecutor({ connection: url, queue })
      const oneWorker = await withWorkers(1, url, "bench-1", store, () => timeBurn(bull("bench-1"), store, reps, CPU_MS))
      const twoWorkers = await withWorkers(2, url, "bench-2", store, () => timeBurn(bull("bench-2"), store, reps, CPU_MS))
      const trivial = await withWorkers(2, url, "bench-t", store, () => timeBurn(bull("bench-t"), store, repetitions, 0))
      const perTask = trivial / ITEMS
      const cores = availableParallelism()
      const cpu = `foreach ${ITEMS.toLocaleString("en-US")} x ${CPU_MS} ms CPU`
      return [
        { name: `${cpu}, inProcess`, ours: ms(inline), baseline: "", ratio: "", target: "(reported)", stored: "", met: undefined, measured: { ms: inline } },
        speedup(`${cpu}, workerThreads (${threads.threads})`, onThreads, inline, "inProcess", `>= 1.6x on ${cores} cores`, inline / onThreads >= 1.6),
        { name: `${cpu}, BullMQ, 1 worker`, ours: ms(oneWorker), baseline: "", ratio: "", target: "(reported)", stored: "", met: undefined, measured: { ms: oneWorker } },
        speedup(`${cpu}, BullMQ, 2 workers`, twoWorkers, oneWorker, "1 worker", ">= 1.6x 1 worker", oneWorker / twoWorkers >= 1.6),
        {
          name: `BullMQ per task, trivial bodies, 2 workers`,
          ours: `${perTask.toFixed(2)} ms/task (${((ITEMS / trivial) * 1000).toFixed(0)} tasks/s)`,
          baseline: "",
          ratio: "",
          target: "<= 2 ms/task (>= 500 tasks/s)",
          stored: "",
          met: perTask <= 2,
          measured: { ms: trivial, tasks: ITEMS, msPerTask: perTask }
        },
        await waiting(url, reps)
      ]
    })
  )
}
