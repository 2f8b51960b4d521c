/**
 * Lineage and the step cache on a local store (DESIGN.md §9):
 * - what recording reads costs: the 10,000-item foreach of the orchestration group, with read tracking on and
 *   off, side by side in the same run (the body and the join read through tracked records);
 * - a 1,000-item foreach whose body computes for 5 ms, run once, then rerun with the cache: how much faster
 *   the rerun is, what each cached task costs, and how many bytes the rerun adds to the store per task.
 */
import { flow, foreach, join, localStore, run, step } from "artiflow"
import { setReadTracking } from "../../lib/interpreter/reads.js"
import type { Figure } from "./measure.js"
import { bytesUnder, median, ms, sideBySide, timed, withTempDir } from "./measure.js"

const quiet = { log: () => {} }

/** The orchestration group's 10,000-item foreach, whose body and join read from their records. */
const fanoutFlow = (items: number) =>
  flow("LineageFanout").pipe(
    step("start", () => ({ items: Array.from({ length: items }, (_, i) => i), k: 3 })),
    foreach("items", step("work", (a, ctx) => ({ square: ctx.input * ctx.input * a.k }))),
    join("sum", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.square, 0) }))
  )

/** Busy for `msToSpend` ms: a body that computes, as cached steps do (sleeping would overlap). */
const spin = (msToSpend: number): number => {
  const until = performance.now() + msToSpend
  let n = 0
  while (performance.now() < until) n++
  return n
}

const slowFlow = (items: number, bodyMs: number) =>
  flow("CachedFanout").pipe(
    step("start", () => ({ items: Array.from({ length: items }, (_, i) => i), k: 3 })),
    foreach(
      "items",
      step(
        "work",
        (a, ctx) => {
          spin(bodyMs)
          return { value: ctx.input * a.k }
        },
        { cache: true }
      )
    ),
    join("sum", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.value, 0) }))
  )

const lineageOverhead = async (repetitions: number, items: number): Promise<Figure> => {
  const target = fanoutFlow(items)
  const runWith = (tracking: boolean) => () =>
    withTempDir(async (dir) => {
      setReadTracking(tracking)
      try {
        await run(target, { store: localStore(dir), ...quiet })
      } finally {
        setReadTracking(true)
      }
    })
  // One more repetition than the others: the 10,000-task foreach is noisy on a shared machine.
  const { ours, baseline } = await sideBySide(repetitions + 2, runWith(true), runWith(false))
  const overhead = ours / baseline - 1
  return {
    name: `lineage: reads recorded, foreach of ${items.toLocaleString("en-US")} items`,
    ours: `${ms(ours)} with reads recorded`,
    baseline: `${ms(baseline)} without`,
    ratio: `${(overhead * 100).toFixed(1)}%`,
    target: "<= 10% more",
    stored: "",
    met: overhead <= 0.1,
    measured: { ms: ours, baselineMs: baseline, overheadFraction: overhead, tasks: items + 2 }
  }
}

const cachedRerun = async (repetitions: number, items: number, bodyMs: number): Promise<ReadonlyArray<Figure>> => {
  const target = slowFlow(items, bodyMs)
  const firsts: Array<number> = []
  const reruns: Array<number> = []
  const added: Array<number> = []
  // Each repetition fills a fresh store, then reruns on it (the cost of a cold run is the first figure).
  for (let rep = 0; rep < Math.max(3, Math.ceil(repetitions / 2)); rep++) {
    await withTempDir(async (dir) => {
      const store = localStore(dir)
      firsts.push(await timed(() => run(target, { store, ...quiet })))
      const before = await bytesUnder(dir)
      let cached = 0
      reruns.push(
        await timed(async () => {
          cached = (await run(target, { store, ...quiet })).cachedTasks ?? 0
        })
      )
      if (cached !== items) throw new Error(`the rerun answered ${cached} of ${items} tasks from the cache`)
      added.push((await bytesUnder(dir)) - before)
    })
  }
  const first = median(firsts)
  const rerun = median(reruns)
  const speedup = first / rerun
  const perTaskMs = rerun / items
  const bytesPerTask = median(added) / items
  return [
    {
      name: `step cache: rerun of a ${items.toLocaleString("en-US")}-item foreach, ${bodyMs} ms per body`,
      ours: `${ms(rerun)} rerun (${(perTaskMs * 1000).toFixed(0)} us per cached task)`,
      baseline: `${ms(first)} first run`,
      ratio: `${speedup.toFixed(0)}x faster`,
      target: ">= 50x, <= 0.2 ms per cached task",
      stored: "",
      met: speedup >= 50 && perTaskMs <= 0.2,
      measured: { ms: rerun, baselineMs: first, speedup, msPerCachedTask: perTaskMs, tasks: items }
    },
    {
      name: `step cache: bytes a cached rerun adds to the store`,
      ours: `${bytesPerTask.toFixed(0)} B per task`,
      baseline: `${(median(added) / 1024).toFixed(0)} KB for ${items.toLocaleString("en-US")} tasks`,
      ratio: "",
      target: "< 1 KB per task",
      stored: "",
      met: bytesPerTask < 1024,
      measured: { bytesPerTask, bytesAdded: median(added), tasks: items }
    }
  ]
}

export const measureCache = async (repetitions: number): Promise<ReadonlyArray<Figure>> => [
  await lineageOverhead(repetitions, 10_000),
  ...(await cachedRerun(repetitions, 1000, 5))
]
