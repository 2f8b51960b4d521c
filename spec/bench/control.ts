/**
 * What `choose` and `loop` cost (DESIGN.md §8), each next to the same work without them, measured side by
 * side in the same run on fresh local stores:
 * - a loop of 10,000 iterations of one small step, per iteration, against the per-task time of a 10,000-step
 *   linear flow of the same step (target: at most 1.2x);
 * - a 10,000-item foreach whose body is a choose (one case a step, the other nothing), against the plain
 *   foreach of the same step (target: at most 1.3x). Each body task's choose commits its decision.
 * Both wall-clock and CPU time are reported: on a shared machine the wall-clock of a sequential flow swings
 * with the other processes' load (runs of the same flow differ by 2x here), while its CPU time stays close:
 * the targets are judged on CPU time, the overhead artiflow adds.
 */
import { pipe } from "fp-ts/lib/function.js"
import { choose, flow, foreach, join, localStore, loop, run, step } from "artiflow"
import type { Flow } from "artiflow"
import type { Figure } from "./measure.js"
import { bytesUnder, median, megabytes, ratio, withTempDir } from "./measure.js"

type AnyStage = (flow: Flow) => Flow
const quiet = { log: () => {} }
type AnyRun = (flow: Flow, options: object) => Promise<unknown>
const runAny = run as unknown as AnyRun

/** `steps` steps, each adding one to `n` (the loop's body, written out). */
const linearFlow = (steps: number): Flow => {
  const stages: Array<AnyStage> = [step("start" as never, (() => ({ n: 0 })) as never) as unknown as AnyStage]
  for (let i = 0; i < steps; i++) stages.push(step(`s${i}` as never, ((a: { n: number }) => ({ n: a.n + 1 })) as never) as never)
  return (flow("LinearTicks") as unknown as { pipe: (...s: ReadonlyArray<AnyStage>) => Flow }).pipe(...stages)
}

const loopFlow = (iterations: number) =>
  pipe(
    flow("LoopTicks"),
    step("start", () => ({ n: 0 })),
    loop("ticks", step("tick", (a) => ({ n: a.n + 1 })), { until: (a) => a.n >= iterations, maxIterations: iterations })
  )

const plainForeach = (items: number) =>
  pipe(
    flow("PlainFanout"),
    step("start", () => ({ items: Array.from({ length: items }, (_, i) => i), mode: "work" as "work" | "skip" })),
    foreach("items", step("work", (_a, ctx) => ({ square: ctx.input * ctx.input }))),
    join("sum", (inputs) => ({ total: inputs.reduce((sum, input) => sum + (input.square ?? 0), 0) }))
  )

const choosingForeach = (items: number) =>
  pipe(
    flow("ChoosingFanout"),
    step("start", () => ({ items: Array.from({ length: items }, (_, i) => i), mode: "work" as "work" | "skip" })),
    foreach("items", choose("mode", { work: step("work", (_a, ctx) => ({ square: ctx.input * ctx.input })), skip: (f) => f })),
    join("sum", (inputs) => ({ total: inputs.length }))
  )

interface Side {
  /** Median wall-clock ms. */
  readonly wall: number
  /** Median CPU ms of this process (user + system): steadier than wall-clock on a shared, loaded machine. */
  readonly cpu: number
}

/** One run on a fresh local store: wall-clock and CPU ms, and the bytes it stored. */
const measureRun = async (target: Flow): Promise<{ readonly wall: number; readonly cpu: number; readonly stored: number }> =>
  withTempDir(async (dir) => {
    const started = performance.now()
    const cpu = process.cpuUsage()
    await runAny(target, { store: localStore(dir), ...quiet })
    const used = process.cpuUsage(cpu)
    const wall = performance.now() - started
    return { wall, cpu: (used.user + used.system) / 1000, stored: await bytesUnder(dir) }
  })

/**
 * `ours` and `theirs` side by side `repetitions` times, alternating which goes first (as `sideBySide` does),
 * on fresh local stores: medians of both, and the bytes `ours` stored.
 */
const compare = async (repetitions: number, ours: Flow, theirs: Flow) => {
  const mine: Array<{ wall: number; cpu: number }> = []
  const base: Array<{ wall: number; cpu: number }> = []
  let stored = 0
  for (let rep = 0; rep < repetitions; rep++) {
    const order = rep % 2 === 0 ? [true, false] : [false, true]
    for (const isOurs of order) {
      const measured = await measureRun(isOurs ? ours : theirs)
      ;(isOurs ? mine : base).push(measured)
      if (isOurs) stored = measured.stored
    }
  }
  const side = (samples: ReadonlyArray<{ wall: number; cpu: number }>): Side => ({
    wall: median(samples.map((s) => s.wall)),
    cpu: median(samples.map((s) => s.cpu))
  })
  return { ours: side(mine), theirs: side(base), stored }
}

const loopOverhead = async (repetitions: number, iterations: number): Promise<Figure> => {
  const { ours, theirs, stored } = await compare(repetitions, loopFlow(iterations) as unknown as Flow, linearFlow(iterations))
  const tasks = iterations + 1
  const us = (value: number): string => `${((value * 1000) / tasks).toFixed(0)} us`
  const wallRatio = ours.wall / theirs.wall
  const cpuRatio = ours.cpu / theirs.cpu
  return {
    name: `loop, ${iterations.toLocaleString("en-US")} iterations of one step`,
    ours: `${us(ours.wall)}/iteration (cpu ${us(ours.cpu)})`,
    baseline: `${us(theirs.wall)}/task (cpu ${us(theirs.cpu)}), ${iterations.toLocaleString("en-US")}-step linear flow`,
    ratio: `${ratio(wallRatio)} (cpu ${ratio(cpuRatio)})`,
    target: "<= 1.2x",
    stored: megabytes(stored),
    met: cpuRatio <= 1.2,
    measured: { ms: ours.wall, baselineMs: theirs.wall, cpuMs: ours.cpu, baselineCpuMs: theirs.cpu, ratio: wallRatio, cpuRatio, storedBytes: stored }
  }
}

const chooseOverhead = async (repetitions: number, items: number): Promise<Figure> => {
  const { ours, theirs, stored } = await compare(repetitions, choosingForeach(items) as unknown as Flow, plainForeach(items) as unknown as Flow)
  const us = (value: number): string => `${((value * 1000) / items).toFixed(0)} us`
  const wallRatio = ours.wall / theirs.wall
  const cpuRatio = ours.cpu / theirs.cpu
  return {
    name: `foreach of ${items.toLocaleString("en-US")} items whose body is a choose`,
    ours: `${us(ours.wall)}/item (cpu ${us(ours.cpu)})`,
    baseline: `${us(theirs.wall)}/item (cpu ${us(theirs.cpu)}), plain foreach`,
    ratio: `${ratio(wallRatio)} (cpu ${ratio(cpuRatio)})`,
    target: "<= 1.3x",
    stored: megabytes(stored),
    met: cpuRatio <= 1.3,
    measured: { ms: ours.wall, baselineMs: theirs.wall, cpuMs: ours.cpu, baselineCpuMs: theirs.cpu, ratio: wallRatio, cpuRatio, storedBytes: stored }
  }
}

export const measureControl = async (repetitions: number): Promise<ReadonlyArray<Figure>> => [
  await loopOverhead(repetitions, 10_000),
  await chooseOverhead(repetitions, 10_000)
]
