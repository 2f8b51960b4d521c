/**
 * The flow the gc crash test fills its stores with: every run stores a large raw array of its own, strings
 * per foreach item (blobs, not inline values), an attachment, and a join that fails while `failingJoin` says
 * so (a failed run, then resumed, is a run that a kept run refers to). `start` is cached: every run with a new
 * `n` leaves a step cache entry, which gc deletes with the run.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { flow, foreach, join, param, step } from "../../../lib/index.js"

export const GC_FLOW = "GcCrash"

/** While true, the `total` join throws. */
export const failingJoin = { now: false }

export const GcCrash = pipe(
  flow(GC_FLOW, { params: { n: param(t.number, { default: 1 }) } }),
  step("start", (a) => ({
    weights: new Float64Array(1 << 14).fill(a.n),
    model: { n: a.n, bias: new Float32Array(1 << 14).fill(a.n) },
    xs: [a.n, a.n + 1, a.n + 2]
  }), { cache: true }),
  foreach("xs", step("body", (_a, ctx) => ({ text: `${ctx.input}:`.repeat(4000) }))),
  join("total", (inputs) => {
    if (failingJoin.now) throw new Error("total failed on purpose")
    return { total: inputs.reduce((sum, input) => sum + input.text.length, 0) }
  }),
  step("end", (a) => ({ result: a.total + a.model.n }))
)

/** `end`'s result of a run with parameter `n`. */
export const resultOf = (n: number): number => [n, n + 1, n + 2].reduce((sum, x) => sum + `${x}:`.repeat(4000).length, 0) + n
