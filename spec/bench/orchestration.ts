/**
 * Orchestration overhead on a local store: a linear flow of 1,000 steps and a foreach of 10,000 items, each
 * task storing one small artifact. The baseline runs the same step functions directly (no artiflow), so the
 * difference is what artiflow adds per task: scheduling, freezing, encoding, hashing, committing manifests.
 */
import { flow, foreach, join, localStore, run, step } from "artiflow"
import type { Flow } from "artiflow"
import type { Figure } from "./measure.js"
import { median, timed, withTempDir } from "./measure.js"

type AnyStage = (flow: Flow) => Flow
const quiet = { log: () => {} }

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

export const measureOrchestration = async (repetitions: number): Promise<ReadonlyArray<Figure>> => {
  const steps = 1000
  const items = 10_000
  const linear = linearFlow(steps)
  const fanout = foreachFlow(items)
  const linearTimes: Array<number> = []
  const linearBase: Array<number> = []
  const fanTimes: Array<number> = []
  const fanBase: Array<number> = []
  for (let rep = 0; rep < repetitions; rep++) {
    linearBase.push(await timed(() => linearBaseline(steps)))
    linearTimes.push(await withTempDir((dir) => timed(() => run(linear, { store: localStore(dir), ...quiet }))))
    fanBase.push(await timed(() => foreachBaseline(items)))
    fanTimes.push(await withTempDir((dir) => timed(() => run(fanout, { store: localStore(dir), ...quiet }))))
  }
  const linearMs = median(linearTimes)
  const fanMs = median(fanTimes)
  const tasks = items + 2
  const fanRate = (tasks / fanMs) * 1000
  return [
    {
      name: `linear flow, ${steps} steps (local store)`,
      ours: `${(((linearMs - median(linearBase)) * 1000) / (steps + 1)).toFixed(0)} us/task overhead, ${(((steps + 1) / linearMs) * 1000).toFixed(0)} tasks/s`,
      baseline: `${median(linearBase).toFixed(1)} ms plain calls`,
      ratio: `${(linearMs / Math.max(median(linearBase), 0.001)).toFixed(0)}x`,
      target: "(reported)",
      met: undefined
    },
    {
      name: `foreach, ${items} items (local store)`,
      ours: `${fanRate.toFixed(0)} tasks/s (${((fanMs * 1000) / tasks).toFixed(0)} us/task)`,
      baseline: `${median(fanBase).toFixed(1)} ms plain calls`,
      ratio: `${(fanMs / Math.max(median(fanBase), 0.001)).toFixed(0)}x`,
      target: ">= 2000 tasks/s",
      met: fanRate >= 2000
    }
  ]
}
