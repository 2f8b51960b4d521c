/**
 * A hyper-parameter sweep. `start` builds a synthetic dataset (y = 3x + 2 plus noise) and one configuration
 * per learning rate; `foreach` fits a linear model by gradient descent for each configuration, in parallel;
 * the join keeps the best fit; `end` reports it. Every task's artifacts are persisted: the losses of every
 * configuration stay inspectable after the run.
 *
 * Run it: npx tsx --conditions artiflow-source examples/sweep.ts
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { flow, foreach, join, param, run, step } from "artiflow"
import { isMain, report } from "./main.js"

interface Dataset {
  readonly xs: ReadonlyArray<number>
  readonly ys: ReadonlyArray<number>
}

/** A small deterministic generator, so every run sees the same data. */
const random = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const synthetic = (samples: number, seed: number): Dataset => {
  const next = random(seed)
  const xs = Array.from({ length: samples }, () => next())
  return { xs, ys: xs.map((x) => 3 * x + 2 + (next() - 0.5) * 0.2) }
}

const fitLine = (data: Dataset, rate: number, epochs: number): { slope: number; intercept: number; loss: number } => {
  let slope = 0
  let intercept = 0
  const n = data.xs.length
  for (let epoch = 0; epoch < epochs; epoch++) {
    let gradSlope = 0
    let gradIntercept = 0
    for (let i = 0; i < n; i++) {
      const error = slope * (data.xs[i] ?? 0) + intercept - (data.ys[i] ?? 0)
      gradSlope += (2 / n) * error * (data.xs[i] ?? 0)
      gradIntercept += (2 / n) * error
    }
    slope -= rate * gradSlope
    intercept -= rate * gradIntercept
  }
  const loss = data.xs.reduce((sum, x, i) => sum + (slope * x + intercept - (data.ys[i] ?? 0)) ** 2, 0) / n
  return { slope, intercept, loss }
}

export const Sweep = pipe(
  flow("Sweep", {
    description: "Fit y = a x + b for several learning rates and keep the best",
    params: {
      rates: param(t.array(t.number), { default: [0.5, 0.1, 0.02, 0.005], help: "learning rates to try" }),
      epochs: param(t.number, { default: 300, help: "gradient steps per fit" }),
      samples: param(t.number, { default: 1000, help: "size of the synthetic dataset" })
    }
  }),
  step("start", (a) => ({
    data: synthetic(a.samples, 7),
    configs: a.rates.map((rate) => ({ rate, epochs: a.epochs }))
  })),
  foreach(
    "configs",
    step("fit", (a, ctx) => {
      const { rate, epochs } = ctx.input
      const model = fitLine(a.data, rate, epochs)
      ctx.log(`rate ${rate}: loss ${model.loss.toExponential(3)}`)
      return { model: { rate, slope: model.slope, intercept: model.intercept }, loss: model.loss }
    })
  ),
  join("pick", (inputs) => {
    const best = inputs.reduce((winner, candidate) => (candidate.loss < winner.loss ? candidate : winner))
    return { best: best.model, bestLoss: best.loss, losses: inputs.map((input) => input.loss) }
  }),
  step("end", (a) => ({
    summary: `best rate ${a.best.rate}: y = ${a.best.slope.toFixed(3)} x + ${a.best.intercept.toFixed(3)}`
  }))
)

if (isMain(import.meta.url)) report(await run(Sweep))
