/**
 * The example of DESIGN.md §2 type-checks as written (without `run`), with the final record it promises.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { expectTypeOf, test } from "vitest"
import { flow, foreach, join, param, split, step } from "../../lib/index.js"
import type { ArtifactsOf, StateOf } from "../../lib/index.js"

const Train = pipe(
  flow("Train", {
    params: { lr: param(t.number, { default: 0.1, help: "learning rate" }), tag: param(t.string) }
  }),
  step("start", (a) => ({ grid: [a.lr, a.lr / 10], seed: 42 })),
  foreach("grid", step("fit", (a, ctx) => ({ score: ctx.input * a.seed, _scratch: 1 }))),
  join("pick", (inputs, _a) => ({ best: Math.max(...inputs.map((i) => i.score)) })),
  split({
    left: step("l", (a) => ({ x: a.best + 1, onlyLeft: "L" })),
    right: (f) => pipe(f, step("r1", (a) => ({ x: a.best + 2 })), step("r2", (a) => ({ y: a.x })))
  }),
  join("merge", { resolve: { x: (xs) => xs.left + xs.right } }),
  step("end", (a) => ({ done: a.x + a.y + a.onlyLeft.length }))
)

test("the final record", () => {
  expectTypeOf<ArtifactsOf<typeof Train>>().toEqualTypeOf<{
    readonly lr: number
    readonly tag: string
    readonly grid: number[]
    readonly seed: number
    readonly best: number
    readonly x: number
    readonly onlyLeft: string
    readonly y: number
    readonly done: number
  }>()
})

test("what a run accepts: tag is required, lr has a default", () => {
  expectTypeOf<StateOf<typeof Train>["meta"]["inputs"]>().toEqualTypeOf<{ readonly lr?: number; readonly tag: string }>()
})
