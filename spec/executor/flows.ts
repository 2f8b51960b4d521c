/**
 * Flows the executor conformance suite runs on every executor. They live in a module of their own and import
 * "artiflow" (not lib/ directly): worker threads and `artiflow worker` processes import this module themselves,
 * and the CLI's copy of artiflow is the package's.
 *
 * Every step is deterministic, so that two runs of a flow store the same artifact hashes on any executor;
 * what a step does on a retry depends on `ctx.attempt`, and what makes a task fail can be switched from
 * outside through a file (a worker in another process sees it too).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { setTimeout as sleep } from "node:timers/promises"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { flow, foreach, join, param, split, step, subflow, use } from "artiflow"

/** Values above the inline limit (16 KB), so that workers read blobs: raw binary, and JSON text compressed. */
const wave = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.sin(i / 7))
const rows = (n: number): ReadonlyArray<{ readonly id: number; readonly name: string }> =>
  Array.from({ length: n }, (_, id) => ({ id, name: `row-${id % 17}` }))

/** A split whose join resolves, takes, excludes and checks equal artifacts, then calls its function. */
export const Shapes = pipe(
  flow("Shapes", { params: { scale: param(t.number, { default: 3 }) } }),
  step("start", (a) => ({ base: a.scale * 2, signal: wave(8192), table: rows(20_000), tag: "same" })),
  split({
    left: step("left", (a) => ({ x: a.base + 1, onlyLeft: "L", scratch: 1, tag: "same", sum: a.signal.reduce((s, v) => s + v, 0) })),
    right: (f) =>
      pipe(
        f,
        step("right1", (a) => ({ x: a.base + 2, scratch: 2, tag: "same", names: new Set(a.table.map((row) => row.name)) })),
        step("right2", (a) => ({ y: a.x * 10, _ephemeral: "gone", sum: 0.5 }))
      )
  }),
  join("merge", { resolve: { x: (xs) => xs.left + xs.right }, take: { sum: "left" }, exclude: ["scratch"], equal: ["tag"] }, (inputs, a) => ({
    both: `${inputs.left.onlyLeft}/${inputs.right.y}`,
    total: a.x + a.y
  })),
  step("end", (a) => ({ done: a.total + a.onlyLeft.length + a.names.size, same: a.base, base: a.base }))
)

/** Nested foreaches: a body with its own foreach and join, joined again with `equal`. */
export const Grid = pipe(
  flow("Grid"),
  step("start", () => ({ rows: [[1, 2], [3, 4, 5], []] as ReadonlyArray<ReadonlyArray<number>>, factor: 10 })),
  foreach(
    "rows",
    (f) =>
      pipe(
        f,
        step("prep", (_a, ctx) => ({ cells: ctx.input, label: `row ${ctx.index}` })),
        foreach("cells", step("cell", (a, ctx) => ({ value: ctx.input * a.factor, where: ctx.foreachStack.map((frame) => frame.index) }))),
        join("row", (inputs) => ({ rowSum: inputs.reduce((sum, input) => sum + input.value, 0), kind: "row" }))
      ),
    { concurrency: 2 }
  ),
  join("all", { equal: ["kind"] }, (inputs) => ({ sums: inputs.map((input) => input.rowSum), labels: inputs.map((input) => input.label) })),
  step("end", (a) => ({ grand: a.sums.reduce((x, y) => x + y, 0), kind: a.kind }))
)

/** Fails while `ctx.attempt` is below 2: succeeds on its third attempt. */
export const Retries = pipe(
  flow("Retries"),
  step("start", (_a, ctx) => {
    ctx.log("starting")
    return { n: 1 }
  }),
  step(
    "flaky",
    (a, ctx) => {
      ctx.log(`attempt ${ctx.attempt}`)
      if (ctx.attempt < 2) throw new Error(`flaky fails on attempt ${ctx.attempt}`)
      return { n: a.n + ctx.attempt }
    },
    { retry: 2 }
  ),
  step(
    "slow",
    async (a, ctx) => {
      // The first attempt outlasts the timeout (and stops when its signal aborts); the second is quick.
      if (ctx.attempt === 0) await sleep(20_000, undefined, { signal: ctx.signal })
      return { slowDone: a.n }
    },
    { timeout: 300, retry: 1 }
  ),
  step(
    "doomed",
    (): { readonly never: number } => {
      throw new TypeError("doomed always fails")
    },
    { catch: "err", retry: 1 }
  ),
  step("end", (a) => ({ caught: a.err?.message ?? "none", final: a.slowDone }))
)

/** A task fails while the file `failFile` names its index: remove the file and `resume` completes the run. */
export const Resumable = pipe(
  flow("Resumable", { params: { failFile: param(t.string) } }),
  step("start", () => ({ items: Array.from({ length: 8 }, (_, i) => i * 3) })),
  foreach(
    "items",
    step("work", (a, ctx) => {
      if (existsSync(a.failFile) && Number(readFileSync(a.failFile, "utf8")) === ctx.index) {
        throw new Error(`work fails on item ${ctx.index}`)
      }
      return { doubled: ctx.input * 2 }
    })
  ),
  join("collect", (inputs) => ({ doubled: inputs.map((input) => input.doubled) })),
  step("end", (a) => ({ total: a.doubled.reduce((x, y) => x + y, 0) }))
)

const normalize = subflow({ xs: t.array(t.number) }, (f) =>
  pipe(
    f,
    step("normalize", (a) => {
      const max = Math.max(...a.xs)
      return { normalized: a.xs.map((x) => x / max) }
    })
  )
)

/** A subflow with codec needs, which the scheduler checks on a value it loads from the store. */
export const Fragments = pipe(
  flow("Fragments"),
  step("start", () => ({ xs: [1, 2, 4, 8] })),
  use(normalize),
  step("end", (a) => ({ last: a.normalized.at(-1) ?? 0, same: a.xs }))
)

/** A step returning what cannot be stored: a rule violation, never retried. */
export const Unstorable = pipe(
  flow("Unstorable"),
  step("start", () => ({ ok: 1 })),
  step("bad", () => ({ fn: (() => 1) as unknown as number }), { retry: 3 })
)

/** A foreach of `n` items whose body burns `ms` of CPU, for the scaling tests and benchmarks. */
export const Burn = pipe(
  flow("Burn", { params: { n: param(t.number, { default: 1000 }), ms: param(t.number, { default: 0 }) } }),
  step("start", (a) => ({ items: Array.from({ length: a.n }, (_, i) => i) })),
  foreach(
    "items",
    step("burn", (a, ctx) => {
      const until = performance.now() + a.ms
      let spins = 0
      while (performance.now() < until) spins++
      return { square: ctx.input * ctx.input, odd: spins < 0 || ctx.input % 2 === 1 }
    })
  ),
  join("sum", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.square, 0), odds: inputs.filter((input) => input.odd).length }))
)

/**
 * Kills the worker thread that runs it (`process.exit` in a thread ends the thread) while the file `killFile`
 * holds a number above 0, counting it down: only for executors whose workers can die without the test.
 */
export const Killer = pipe(
  flow("Killer", { params: { killFile: param(t.string) } }),
  step("start", () => ({ items: [1, 2, 3] })),
  foreach(
    "items",
    step("risky", (a, ctx) => {
      const left = existsSync(a.killFile) ? Number(readFileSync(a.killFile, "utf8")) : 0
      if (ctx.index === 1 && left > 0) {
        writeFileSync(a.killFile, String(left - 1))
        process.exit(7)
      }
      return { tripled: ctx.input * 3 }
    }),
    { concurrency: 1 }
  ),
  join("collect", (inputs) => ({ tripled: inputs.map((input) => input.tripled) }))
)

/**
 * Lineage and the step cache: cached steps (a foreach body among them, one that reads its position), a join
 * that reads its inputs and its record, and a value above the inline limit that a hit must not copy.
 */
export const Cached = pipe(
  flow("Cached", { params: { k: param(t.number, { default: 2 }) } }),
  step("start", (a) => ({ xs: [3, 1, 4], k2: a.k * 2, unused: "u" })),
  step("big", (a) => ({ table: rows(2_000 + a.k2) }), { cache: true }),
  foreach(
    "xs",
    step("times", (a, ctx) => ({ y: ctx.input * a.k2, size: a.table.length }), { cache: { version: "1" } })
  ),
  join("gather", (inputs, a) => ({ ys: inputs.map((input) => input.y), k2: a.k2 })),
  foreach("ys", step("label", (_a, ctx) => ({ label: `${ctx.index}:${ctx.input}` }), { cache: true })),
  join("labels", (inputs) => ({ labels: inputs.map((input) => input.label).join(",") }))
)
