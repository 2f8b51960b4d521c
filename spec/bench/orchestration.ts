/**
 * Orchestration overhead on a local store: a linear flow of 1,000 steps and a foreach of 10,000 items, each
 * task storing one small artifact. The baseline runs the same step functions directly (no artiflow), so the
 * difference is what artiflow adds per task: scheduling, freezing, encoding, hashing, committing manifests.
 * A 100,000-item foreach runs in a child process, for its peak RSS.
 */
import { join as joinPath } from "node:path"
import { fileURLToPath } from "node:url"
import { flow, foreach, join, localStore, run, step } from "artiflow"
import type { Flow } from "artiflow"
import { runChild } from "./child.js"
import type { Figure } from "./measure.js"
import { bytesUnder, megabytes, ms, sideBySide, withTempDir } from "./measure.js"

type AnyStage = (flow: Flow) => Flow
const quiet = { log: () => {} }
const foreachChild = fileURLToPath(new URL("./children/foreach.ts", import.meta.url))

const linearFlow = (steps: number): Flow => {
  const stages: Array<AnyStage> = []
  for (let i = 0; i < steps; i++) {
    stages.push(step(`s${i}` as never, ((a: { n: number }) => ({ n: a.n + 1, [`v${i}`]: i * 2 })) as never) as never)
  }
  const start = step("start" as never, (() => ({ n: 0 })) as never) as unknown as AnyStage
  return (flow("Linear") as unknown as { pipe: (...s: ReadonlyArray<AnyStage>) => Flow }).pipe(start, ...stages)
}

const foreachFlow = (items: number) =>
  flow("Fanout").pipe(
    step("start", () => ({ items: Array.from({ length: items }, (_, i) => i) })),
    foreach("items", step("work", (_a, ctx) => ({ square: ctx.input * ctx.input }))),
    join("sum", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.square, 0) }))
  )

const linearBaseline = async (steps: number): Promise<void> => {
  let record: Record<string, number> = { n: 0 }
  for (let i = 0; i < steps; i++) record = { ...record, n: (record["n"] ?? 0) + 1, [`v${i}`]: i * 2 }
}

const foreachBaseline = async (items: number): Promise<void> => {
  const results = await Promise.all(Array.from({ length: items }, async (_, i) => ({ square: i * i })))
  if (results.length !== items) throw new Error("baseline lost work")
}

/** Runs `target` once per repetition on a fresh store; the stored bytes are those of the last run. */
const runOnFreshStores = async (repetitions: number, target: Flow, baseline: () => Promise<void>) => {
  let stored = 0
  const times = await sideBySide(
    repetitions,
    () =>
      withTempDir(async (dir) => {
        await run(target, { store: localStore(dir), ...quiet })
        stored = await bytesUnder(dir)
      }),
    baseline
  )
  return { ...times, stored }
}

const linear = async (repetitions: number, steps: number): Promise<Figure> => {
  const { ours, baseline, stored } = await runOnFreshStores(repetitions, linearFlow(steps), () => linearBaseline(steps))
  const tasks = steps + 1
  const overheadUs = ((ours - baseline) * 1000) / tasks
  return {
    name: `linear flow, ${steps} steps`,
    ours: `${overheadUs.toFixed(0)} us/task overhead, ${((tasks / ours) * 1000).toFixed(0)} tasks/s`,
    baseline: `${ms(baseline)} plain calls`,
    ratio: `${(ours / Math.max(baseline, 0.001)).toFixed(0)}x`,
    target: "(reported)",
    stored: megabytes(stored),
    met: undefined,
    measured: { ms: ours, baselineMs: baseline, tasks, overheadUsPerTask: overheadUs, storedBytes: stored }
  }
}

const fanout = async (repetitions: number, items: number): Promise<Figure> => {
  const { ours, baseline, stored } = await runOnFreshStores(repetitions, foreachFlow(items), () => foreachBaseline(items))
  const tasks = items + 2
  const rate = (tasks / ours) * 1000
  return {
    name: `foreach, ${items.toLocaleString("en-US")} items`,
    ours: `${rate.toFixed(0)} tasks/s (${((ours * 1000) / tasks).toFixed(0)} us/task)`,
    baseline: `${ms(baseline)} plain calls`,
    ratio: `${(ours / Math.max(baseline, 0.001)).toFixed(0)}x`,
    target: ">= 10,000 tasks/s",
    stored: megabytes(stored),
    met: rate >= 10_000,
    measured: { ms: ours, baselineMs: baseline, tasks, tasksPerSecond: rate, storedBytes: stored }
  }
}

/** One run in a fresh process: its peak RSS is the run's, not the rest of the suite's. */
const largeFanout = (items: number): Promise<Figure> =>
  withTempDir(async (dir) => {
    const store = joinPath(dir, "store")
    const child = await runChild<{ ms: number; peakRssMegabytes: number }>(foreachChild, [store, String(items)])
    const stored = await bytesUnder(store)
    const tasks = items + 2
    return {
      name: `foreach, ${items.toLocaleString("en-US")} items (fresh process)`,
      ours: `peak RSS ${child.peakRssMegabytes.toFixed(0)} MB, ${((tasks / child.ms) * 1000).toFixed(0)} tasks/s`,
      baseline: "",
      ratio: "",
      target: "peak RSS < 1024 MB",
      stored: megabytes(stored),
      met: child.peakRssMegabytes < 1024,
      measured: { ms: child.ms, tasks, peakRssMegabytes: child.peakRssMegabytes, storedBytes: stored }
    }
  })

export const measureOrchestration = async (repetitions: number): Promise<ReadonlyArray<Figure>> => [
  await linear(repetitions, 1000),
  await fanout(repetitions, 10_000),
  await largeFanout(100_000)
]
