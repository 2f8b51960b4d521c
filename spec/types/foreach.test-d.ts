/**
 * foreach and its join (DESIGN.md §3.4, §3.6, §3.7): the body sees the record before the foreach, the
 * artifact must be an array, and the join gets every task's record while only `equal` or the join
 * function's output bring body artifacts into the record.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, join, param, split, step } from "../../lib/index.js"
import type { ArtifactsOf, StateOf } from "../../lib/index.js"
import type {
  BodyOpen,
  EqualNotWritten,
  ForeachMissing,
  ForeachNotArray,
  SplitOptionInForeachJoin
} from "../../lib/types/messages.js"
import type { Flat, NameParam } from "./helpers.js"

const Start = pipe(
  flow("Grid", { params: { folds: param(t.array(t.string)) } }),
  step("start", () => ({ grid: [0.1, 0.01], seed: 42, label: "x", maybe: [1] as number[] | undefined }))
)
type Before = {
  readonly folds: string[]
  readonly grid: number[]
  readonly seed: number
  readonly label: string
  readonly maybe: number[] | undefined
}
type S = StateOf<typeof Start>

const Open = pipe(
  Start,
  foreach("grid", step("fit", (a, ctx) => ({ score: ctx.input * a.seed, lr: ctx.input, _tmp: 0 })))
)
type Task = Flat<Before & { readonly score: number; readonly lr: number }>

describe("the body", () => {
  test("sees every artifact from before the foreach", () => {
    pipe(
      Start,
      foreach(
        "grid",
        step("fit", (a) => {
          expectTypeOf(a).toEqualTypeOf<Before>()
          return {}
        })
      ),
      join("pick")
    )
  })

  test("can iterate a parameter", () => {
    pipe(Start, foreach("folds", step("fold", (_a, ctx) => ({ fold: ctx.input.length }))), join("folded"))
  })
})

describe("the artifact must be an array", () => {
  test("a missing artifact is an error on its name", () => {
    pipe(
      Start,
      // @ts-expect-error: 'gird' is not an artifact
      foreach("gird", step("fit", () => ({})))
    )
    expectTypeOf<NameParam<typeof foreach<S, "gird", S>>>().toEqualTypeOf<ForeachMissing<"gird">>()
  })

  test("an ephemeral artifact is missing too", () => {
    const F = pipe(flow("F"), step("start", () => ({ _xs: [1] })))
    pipe(
      F,
      // @ts-expect-error: '_xs' is ephemeral
      foreach("_xs", step("fit", () => ({})))
    )
    expectTypeOf<NameParam<typeof foreach<StateOf<typeof F>, "_xs", S>>>().toEqualTypeOf<ForeachMissing<"_xs">>()
  })

  test("a number, a string or a possibly undefined array is an error on the artifact's name", () => {
    pipe(
      Start,
      // @ts-expect-error: 'seed' is a number
      foreach("seed", step("fit", () => ({})))
    )
    pipe(
      Start,
      // @ts-expect-error: 'label' is a string, not an array
      foreach("label", step("fit", () => ({})))
    )
    pipe(
      Start,
      // @ts-expect-error: 'maybe' may be undefined
      foreach("maybe", step("fit", () => ({})))
    )
    expectTypeOf<NameParam<typeof foreach<S, "seed", S>>>().toEqualTypeOf<ForeachNotArray<"seed">>()
    expectTypeOf<NameParam<typeof foreach<S, "label", S>>>().toEqualTypeOf<ForeachNotArray<"label">>()
    expectTypeOf<NameParam<typeof foreach<S, "maybe", S>>>().toEqualTypeOf<ForeachNotArray<"maybe">>()
  })

  test("a body left open is an error on the artifact's name", () => {
    const Body = pipe(Start, split({ a: step("a", () => ({})) }))
    pipe(
      Start,
      // @ts-expect-error: the split in the body has no join
      foreach("grid", (f) => pipe(f, split({ a: step("a", () => ({})) })))
    )
    expectTypeOf<NameParam<typeof foreach<S, "grid", StateOf<typeof Body>>>>().toEqualTypeOf<
      BodyOpen<"grid", "split">
    >()
  })
})

describe("the join", () => {
  test("gets every task's record in index order, and `a` is the record before the foreach", () => {
    pipe(
      Open,
      join("pick", (inputs, a) => {
        expectTypeOf(inputs).toEqualTypeOf<ReadonlyArray<Task>>()
        expectTypeOf(a).toEqualTypeOf<Before>()
        return {}
      })
    )
  })

  test("without equal or a function, body artifacts do not reach the record", () => {
    const F = pipe(Open, join("pick"))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<Before>()
  })

  test("what the join function returns joins the record", () => {
    const F = pipe(Open, join("pick", (inputs) => ({ best: Math.max(...inputs.map((i) => i.score)) })))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<Flat<Before & { readonly best: number }>>()
  })

  test("a body that replaces an earlier artifact leaves it as it was before the foreach", () => {
    const F = pipe(Start, foreach("grid", step("fit", () => ({ seed: "s" }))), join("pick"))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<Before>()
  })

  test("equal brings a body artifact into the record, with or without a function", () => {
    const F = pipe(Open, join("pick", { equal: ["lr"] }))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<Flat<Before & { readonly lr: number }>>()
    pipe(
      Open,
      join("pick", { equal: ["lr"] }, (inputs, a) => {
        expectTypeOf(a).toEqualTypeOf<Flat<Before & { readonly lr: number }>>()
        return { n: inputs.length }
      })
    )
  })

  test("equal naming an artifact the body did not write is an error on the join's name", () => {
    pipe(
      Open,
      // @ts-expect-error: 'seed' is not written in the body
      join("pick", { equal: ["seed"] })
    )
    expectTypeOf<
      NameParam<typeof join<StateOf<typeof Open>, "pick", { readonly equal: readonly ["seed"] }, {}>>
    >().toEqualTypeOf<EqualNotWritten<"pick", "seed">>()
  })

  test("resolve, take and exclude are for split joins: an error on the join's name", () => {
    pipe(
      Open,
      // @ts-expect-error: exclude is only for split joins
      join("pick", { exclude: ["score"] })
    )
    pipe(
      Open,
      // @ts-expect-error: resolve is only for split joins
      join("pick", { resolve: { score: (v: unknown) => v } }, () => ({}))
    )
    type Exclude = { readonly exclude: readonly ["score"] }
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "pick", Exclude, {}>>>().toEqualTypeOf<
      SplitOptionInForeachJoin<"pick", "exclude">
    >()
    type Take = { readonly take: { readonly score: "0" } }
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "pick", Take, {}>>>().toEqualTypeOf<
      SplitOptionInForeachJoin<"pick", "take">
    >()
  })
})
