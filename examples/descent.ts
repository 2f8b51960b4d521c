/**
 * An iterative optimisation that converges, with `loop`. `start` builds a least-squares problem (fit weights
 * w so that X w ≈ y); each iteration of the loop `descend` computes the gradient one row at a time in a
 * `foreach`, takes a step in the join, and measures the loss; `until` stops once the loss stops improving
 * by more than `tolerance`, and `maxIterations` bounds the run (more iterations would fail it with a
 * ResourceLimitError naming the loop). Every iteration's tasks are persisted: the loss curve stays
 * inspectable (`run.step("measure").tasks()`, one task per iteration, each with `task.iteration`), and a
 * failed iteration resumes where it failed.
 *
 * Run it: npx tsx --conditions artiflow-source examples/descent.ts
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { flow, foreach, join, loop, param, run, step } from "artiflow"
import { isMain, report } from "./main.js"

interface Row {
  readonly x: ReadonlyArray<number>
  readonly y: number
}

/** y = 2 x0 - 3 x1 + 0.5, sampled on a small grid: the weights the descent should find. */
const problem = (): ReadonlyArray<Row> =>
  Array.from({ length: 12 }, (_, i) => {
    const x = [1, (i % 4) / 3, Math.floor(i / 4) / 2]
    return { x, y: 0.5 * (x[0] ?? 0) + 2 * (x[1] ?? 0) - 3 * (x[2] ?? 0) }
  })

const dot = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => a.reduce((sum, v, i) => sum + v * (b[i] ?? 0), 0)

export const Descent = pipe(
  flow("Descent", {
    description: "Least squares by gradient descent, until the loss stops improving",
    params: {
      rate: param(t.number, { default: 0.5, help: "step size" }),
      tolerance: param(t.number, { default: 1e-9, help: "stop when the loss improves by less than this" })
    }
  }),
  step("start", () => ({ rows: problem(), w: [0, 0, 0] as ReadonlyArray<number>, loss: Number.POSITIVE_INFINITY, improvement: Number.POSITIVE_INFINITY })),
  loop(
    "descend",
    (f) =>
      pipe(
        f,
        foreach("rows", step("gradient", (a, ctx) => ({ residual: dot(a.w, ctx.input.x) - ctx.input.y }))),
        join("update", (inputs, a) => {
          const n = inputs.length
          const gradient = a.w.map((_, j) => (2 / n) * inputs.reduce((sum, input, i) => sum + input.residual * (a.rows[i]?.x[j] ?? 0), 0))
          return { w: a.w.map((wj, j) => wj - a.rate * (gradient[j] ?? 0)) }
        }),
        step("measure", (a, ctx) => {
          const loss = a.rows.reduce((sum, row) => sum + (dot(a.w, row.x) - row.y) ** 2, 0) / a.rows.length
          if (ctx.iteration % 50 === 0) ctx.log(`iteration ${ctx.iteration}: loss ${loss.toExponential(3)}`)
          return { improvement: a.loss - loss, loss, iterations: ctx.iteration + 1 }
        })
      ),
    { until: (a) => a.improvement < a.tolerance, maxIterations: 500 }
  ),
  step("end", (a) => ({
    weights: a.w.map((v) => Math.round(v * 1000) / 1000),
    summary: `converged after ${a.iterations} iterations: loss ${a.loss.toExponential(2)}`
  }))
)

if (isMain(import.meta.url)) report(await run(Descent))
