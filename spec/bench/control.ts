/**
 * What `choose` and `loop` cost (DESIGN.md §8), each next to the same work without them, measured side by
 * side in the same run on fresh local stores:
 * - a loop of 10,000 iterations of one small step, per iteration, against the per-task time of a 10,000-step
 *   linear flow of the same step (target: at most 1.2x);
 * - a 10,000-item foreach whose body is a choose (one case a step, the other nothing), against the plain
 *   foreach of the same step (target: at most 1.3x). Each body task's choose commits its decision.
 */
import { pipe } from "fp-ts/lib/function.js"
import { choose, flow, foreach, join, localStore, loop, run, step } from "artiflow"
import type { Flow } from "artiflow"
import type { Figure } from "./measure.js"
import { bytesUnder, megabytes, ratio, sideBySide, withTempDir } from "./measure.js"

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

/** Medians of running `ours` and `theirs` on fresh local stores, side by side; bytes stored by `ours`' last run. */
const compare = async (repetitions: number, ours: Flow, theirs: Flow) => {
  let stored = 0
  const times = await sideBySide(
    repetitions,
    () =>
      withTempDir(async (dir) => {
        await runAny(ours, { store: localStore(dir), ...quiet })
        stored = await bytesUnder(dir)
      }),
    () => withTempDir((dir) => runAny(theirs, { store: localStore(dir), ...quiet }))
  )
  return { ...times, stored }
}

const loopOverhead = async (repetitions: number, iterations: number): Promise<Figure> => {
  const { ours, baseline, stored } = await compare(repetitions, loopFlow(iterations) as unknown as Flow, linearFlow(iterations))
  const perIteration = (ours * 1000) / (iterations + 1)
  const perTask = (baseline * 1000) / (iterations + 1)
  const measured = perIteration / perTask
  return {
    name: `loop, ${iterations.toLocaleString("en-US")} iterations of one step`,
    ours: `${perIteration.toFixed(0)} us/iteration (${(ours / 1000).toFixed(2)} s)`,
    baseline: `${perTask.toFixed(0)} us/task, ${iterations.toLocaleString("en-US")}-step linear flow (${(baseline / 1000).toFixed(2)} s)`,
    ratio: ratio(measured),
    target: "<= 1.2x",
    stored: megabytes(stored),
    met: measured <= 1.2,
    measured: { ms: ours, baselineMs: baseline, usPerIteration: perIteration, usPerTask: perTask, ratio: measured, storedBytes: stored }
  }
}

const chooseOverhead = async (repetitions: number, items: number): Promise<Figure> => {
  const { ours, baseline, stored } = await compare(repetitions, choosingForeach(items) as unknown as Flow, plainForeach(items) as unknown as Flow)
  const measured = ours / baseline
  return {
    name: `foreach of ${items.toLocaleString("en-US")} items whose body is a choose`,
    ours: `${((ours * 1000) / items).toFixed(0)} us/item (${(ours / 1000).toFixed(2)} s)`,
    baseline: `${((baseline * 1000) / items).toFixed(0)} us/item, plain foreach (${(baseline / 1000).toFixed(2)} s)`,
    ratio: ratio(measured),
    target: "<= 1.3x",
    stored: megabytes(stored),
    met: measured <= 1.3,
    measured: { ms: ours, baselineMs: baseline, ratio: measured, storedBytes: stored }
  }
}

export const measureControl = async (repetitions: number): Promise<ReadonlyArray<Figure>> => [
  await loopOverhead(repetitions, 10_000),
  await chooseOverhead(repetitions, 10_000)
]
