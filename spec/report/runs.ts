/**
 * The run the report tests render: a foreach whose task 1 fails once and is retried, a split with a step
 * whose failure is caught, a join, hostile user text in a value, a parameter help and an error message, and an
 * artifact too big to preview. `spyingStore` records which blobs a renderer reads.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { choose, Client, flow, foreach, join, loop, memoryStore, param, run, split, step } from "../../lib/index.js"
import type { RunHandle } from "../../lib/index.js"
import { spyingStore } from "../stores.js"

/** A value that would run script if it reached the page unescaped. */
export const INJECTION = `</script><img src=x onerror="window.__pwned=1"><b>bold</b>`

const failedOnce = new Set<string>()

export const Report = pipe(
  flow("Report", { params: { n: param(t.number, { default: 3, help: "how many <items>" }), tag: param(t.string) } }),
  step("start", (a) => ({
    xs: Array.from({ length: a.n }, (_, i) => i + 1),
    evil: INJECTION,
    weights: new Float64Array(4096).fill(0.5)
  })),
  foreach(
    "xs",
    step(
      "fit",
      (_a, ctx) => {
        const key = `${ctx.runId}/${ctx.index}`
        if (ctx.index === 1 && !failedOnce.has(key)) {
          failedOnce.add(key)
          throw new Error("transient <failure>")
        }
        return { score: ctx.input * 10 }
      },
      { retry: 1 }
    )
  ),
  join("pick", (inputs) => ({ scores: inputs.map((i) => i.score), best: Math.max(...inputs.map((i) => i.score)) })),
  split({
    guarded: step(
      "guarded",
      (): { risky: number } => {
        throw new Error(`caught ${INJECTION}`)
      },
      { catch: "err" }
    ),
    plain: (f) =>
      pipe(
        f,
        step("double", (a) => ({ doubled: a.best * 2 })),
        step("label", (a) => ({ label: `best=${a.best}` }))
      )
  }),
  join("merge"),
  step("end", (a) => ({ done: true, summary: { best: a.best, doubled: a.doubled, caught: a.err?.message ?? null } }))
)

/** Every step and join of {@link Report}, in flow order. */
export const REPORT_STEPS = ["start", "fit", "pick", "guarded", "double", "label", "merge", "end"]

/** Runs {@link Report} on a fresh memory store and opens the run through a read-spying client. */
export const reportRun = async (n = 3): Promise<{ readonly run: RunHandle; readonly reads: ReadonlyArray<string> }> => {
  const store = memoryStore()
  const result = await run(Report, { store, params: { n, tag: "nightly" }, log: () => {} })
  const spied = spyingStore(store)
  return { run: await Client.open(spied.store).run("Report", result.runId), reads: spied.reads }
}

/** A flow whose foreach task 1 fails for good: the run fails, later steps never run. */
export const Broken = pipe(
  flow("Broken"),
  step("start", () => ({ xs: [1, 2] })),
  foreach(
    "xs",
    step("work", (_a, ctx) => {
      if (ctx.index === 1) throw new Error("bad <input>")
      return { y: ctx.input }
    })
  ),
  join("collect", (inputs) => ({ ys: inputs.map((i) => i.y) })),
  step("end", (a) => ({ total: a.ys.length }))
)

/** Runs {@link Broken} (which fails) on a fresh memory store and opens the failed run. */
export const brokenRun = async (): Promise<RunHandle> => {
  const store = memoryStore()
  await run(Broken, { store, log: () => {} }).catch(() => undefined)
  return Client.open(store).run("Broken")
}

/** A choose (the 'big' case taken, 'small' skipped) then a loop of 4 iterations: the control-flow drawings. */
export const Control = pipe(
  flow("Control"),
  step("start", () => ({ size: "big" as "big" | "small", w: 0 })),
  choose("size", {
    big: (f) => pipe(f, step("shard", () => ({ parts: 8 })), step("plan", (a) => ({ plan: `x${a.parts}` }))),
    small: step("inline", () => ({ plan: "inline" }))
  }),
  loop("fit", (f) => pipe(f, step("update", (a) => ({ w: a.w + 1 })), step("evaluate", (a) => ({ loss: 4 - a.w }))), {
    until: (a) => a.loss <= 0,
    maxIterations: 10
  }),
  step("end", (a) => ({ summary: `${a.plan} ${a.w}` }))
)

/** Runs {@link Control} on a fresh memory store and opens the run. */
export const controlRun = async (): Promise<RunHandle> => {
  const store = memoryStore()
  const result = await run(Control, { store, log: () => {} })
  return Client.open(store).run("Control", result.runId)
}
