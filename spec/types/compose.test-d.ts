/**
 * Composition (DESIGN.md §2): `Flow#pipe` (also nested), `seq`, and reusable fragments built with `subflow`
 * (both forms) and inserted with `use`, which checks at the point of use that the flow provides what the
 * fragment needs.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, join, param, seq, split, step, subflow, use } from "../../lib/index.js"
import type { ArtifactsOf, CaughtError } from "../../lib/index.js"
import type { DuplicateStep, ParamWrite, StageAfterOpen, SubflowNeeds, SubflowOpen } from "../../lib/types/messages.js"
import type { UseParam } from "./helpers.js"

describe("Flow#pipe", () => {
  test("chains stages like pipe(...), and again on its result", () => {
    const F = flow("F").pipe(
      step("start", () => ({ n: 1 })),
      step("next", (a) => ({ m: `${a.n}` }))
    )
    const G = F.pipe(step("more", (a) => ({ o: [a.m] }))).pipe(step("last", (a) => ({ p: a.o.length })))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{ readonly n: number; readonly m: string }>()
    expectTypeOf<ArtifactsOf<typeof G>>().toEqualTypeOf<{
      readonly n: number
      readonly m: string
      readonly o: string[]
      readonly p: number
    }>()
  })

  test("nests: a stage may be (f) => f.pipe(...) or (f) => pipe(f, ...)", () => {
    const F = flow("F").pipe(
      step("start", () => ({ x: 1 })),
      (f) => f.pipe(step("a", (a) => ({ y: a.x }))),
      (f) => pipe(f, step("b", (a) => ({ z: String(a.y) })))
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly x: number
      readonly y: number
      readonly z: string
    }>()
  })

  test("reports a broken rule on the same argument as pipe(...) does", () => {
    flow("F").pipe(
      step("start", () => ({ n: 1 })),
      // @ts-expect-error: 'start' is taken
      step("start", () => ({ m: 1 }))
    )
  })
})

describe("seq", () => {
  test("groups stages into one, typed from the flow it is applied to", () => {
    const F = pipe(
      flow("F", { params: { k: param(t.number) } }),
      seq(
        step("load", (a) => ({ rows: [a.k] })),
        step("clean", (a) => ({ rows: a.rows.map(String) }))
      ),
      step("end", (a) => ({ n: a.rows.length }))
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly k: number
      readonly rows: string[]
      readonly n: number
    }>()
  })

  test("built apart from a flow, it types its own steps and reports no false errors", () => {
    const prepare = seq(
      step("load", () => ({ rows: [1, 2, 3] }), { catch: "err" }),
      step("clean", (a) => {
        expectTypeOf(a.err).toEqualTypeOf<CaughtError | undefined>()
        return { clean: a.err === undefined ? a.rows : [] }
      })
    )
    const F = pipe(flow("F"), prepare)
    expectTypeOf<ArtifactsOf<typeof F>["clean"]>().toEqualTypeOf<number[]>()
  })
})

describe("subflow and use", () => {
  const typed = subflow<{ xs: ReadonlyArray<number> }>()((f) =>
    pipe(
      f,
      step("normalize", (a) => {
        expectTypeOf(a).toEqualTypeOf<{ readonly xs: ReadonlyArray<number> }>()
        return { xs: a.xs.map((x) => `${x}`), count: a.xs.length }
      })
    )
  )
  const checked = subflow({ xs: t.array(t.number) }, (f) =>
    pipe(
      f,
      step("normalize", (a) => {
        expectTypeOf(a).toEqualTypeOf<{ readonly xs: number[] }>()
        return { total: a.xs.reduce((s, x) => s + x, 0) }
      })
    )
  )
  const Start = pipe(flow("F"), step("start", () => ({ xs: [1, 2], other: true })))

  test("subflow<Needs>()(build): the fragment sees only what it needs; use adds what it writes", () => {
    const F = pipe(Start, use(typed))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly xs: string[]
      readonly other: boolean
      readonly count: number
    }>()
  })

  test("subflow(codecs, build): the needs come from io-ts codecs", () => {
    const F = pipe(Start, use(checked))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly xs: number[]
      readonly other: boolean
      readonly total: number
    }>()
  })

  test("a fragment cannot read artifacts it does not declare", () => {
    subflow<{ xs: ReadonlyArray<number> }>()((f) =>
      pipe(
        f,
        step("peek", (a) => ({
          // @ts-expect-error: 'other' is not among the fragment's needs
          y: a.other
        }))
      )
    )
  })

  test("a parameter can provide what a fragment needs", () => {
    const F = pipe(flow("F", { params: { xs: param(t.array(t.number)) } }), use(checked))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{ readonly xs: number[]; readonly total: number }>()
  })

  test("a missing need is an error on use's argument, naming the artifact", () => {
    const NoXs = pipe(flow("F"), step("start", () => ({ other: true })))
    pipe(
      NoXs,
      // @ts-expect-error: the flow has no 'xs'
      use(typed)
    )
    expectTypeOf<UseParam<typeof NoXs, typeof typed>>().toEqualTypeOf<SubflowNeeds<"xs">>()
    expectTypeOf<UseParam<typeof NoXs, typeof checked>>().toEqualTypeOf<SubflowNeeds<"xs">>()
  })

  test("a need of the wrong type is an error on use's argument, naming the artifact", () => {
    const Strings = pipe(flow("F"), step("start", () => ({ xs: ["a"] })))
    pipe(
      Strings,
      // @ts-expect-error: 'xs' holds strings, the fragment needs numbers
      use(checked)
    )
    expectTypeOf<UseParam<typeof Strings, typeof checked>>().toEqualTypeOf<SubflowNeeds<"xs">>()
  })

  test("a fragment step named like a step of the flow is an error on use's argument", () => {
    const Taken = pipe(flow("F"), step("normalize", () => ({ xs: [1] })))
    pipe(
      Taken,
      // @ts-expect-error: 'normalize' is taken
      use(typed)
    )
    expectTypeOf<UseParam<typeof Taken, typeof typed>>().toEqualTypeOf<DuplicateStep<"normalize">>()
  })

  test("a fragment writing a parameter of the flow is an error on use's argument", () => {
    const Param = pipe(flow("F", { params: { xs: param(t.array(t.number)) } }))
    pipe(
      Param,
      // @ts-expect-error: the fragment writes 'xs', a parameter here
      use(typed)
    )
    expectTypeOf<UseParam<typeof Param, typeof typed>>().toEqualTypeOf<ParamWrite<"(in a subflow)", "xs">>()
  })

  test("a fragment left open is an error on use's argument", () => {
    const open = subflow<{ xs: ReadonlyArray<number> }>()((f) => pipe(f, foreach("xs", step("each", () => ({})))))
    pipe(
      Start,
      // @ts-expect-error: the fragment's foreach has no join
      use(open)
    )
    expectTypeOf<UseParam<typeof Start, typeof open>>().toEqualTypeOf<SubflowOpen<"foreach">>()
  })

  test("use right after an open split is an error on its argument", () => {
    const Open = pipe(Start, split({ a: step("a", () => ({})) }))
    pipe(
      Open,
      // @ts-expect-error: the split is not joined
      use(typed)
    )
    expectTypeOf<UseParam<typeof Open, typeof typed>>().toEqualTypeOf<StageAfterOpen<"use of a subflow", "split">>()
  })

  test("a fragment can be used inside a branch and a foreach body", () => {
    const sum = subflow({ xs: t.array(t.number) }, (f) => pipe(f, step("sum", (a) => ({ sum: a.xs.length }))))
    const F = pipe(
      Start,
      split({ a: use(typed), b: step("b", () => ({})) }),
      join("merge", { take: { xs: "a" } }),
      step("grid", () => ({ grids: [[1], [2]] })),
      foreach("grids", (f) => pipe(f, step("pickXs", (_a, ctx) => ({ xs: ctx.input })), use(sum))),
      join("gather")
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly xs: string[]
      readonly other: boolean
      readonly count: number
      readonly grids: number[][]
    }>()
  })
})
