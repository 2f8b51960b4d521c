/**
 * `choose` (DESIGN.md §8): the selector's rules, exhaustive cases, the record after the choose (artifacts
 * present at the end of every case, typed as the union across the cases), and every error on the selector.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expectTypeOf, test } from "vitest"
import { choose, flow, foreach, join, param, resume, run, split, step } from "../../lib/index.js"
import type { ArtifactsOf, CheckRunnable, StateOf } from "../../lib/index.js"
import type {
  CaseImpossible,
  CaseMissing,
  CaseOpen,
  ChooseMissing,
  ChooseUnchecked,
  ChooseWide,
  DuplicateStep,
  JoinAfterChoose,
  StageAfterOpen
} from "../../lib/types/messages.js"
import { casesAfter } from "./helpers.js"
import type { ChooseParam, NameParam } from "./helpers.js"

const Start = pipe(
  flow("Route", { params: { n: param(t.number) } }),
  step("start", (a) => ({ size: a.n > 100 ? ("big" as const) : ("small" as const), w: 0, loss: 1, xs: [1, 2] }))
)

describe("the record after a choose", () => {
  test("holds what every case ends with, each typed as the union across the cases, shown flat", () => {
    const Route = pipe(
      Start,
      choose("size", {
        big: (f) => pipe(f, step("shard", () => ({ parts: 8 })), step("plan", (a) => ({ plan: `x${a.parts}`, n2: 1 }))),
        small: step("inline", () => ({ plan: "inline", n2: "one" }))
      })
    )
    expectTypeOf<ArtifactsOf<typeof Route>>().toEqualTypeOf<{
      readonly n: number
      readonly size: "big" | "small"
      readonly w: number
      readonly loss: number
      readonly xs: number[]
      readonly plan: string
      readonly n2: number | string
    }>()
  })

  test("an artifact only some cases write is not in it: reading it is an error", () => {
    pipe(
      Start,
      choose("size", {
        big: step("shard", () => ({ parts: 8, plan: "x8" })),
        small: step("inline", () => ({ plan: "inline" }))
      }),
      step("end", (a) => ({
        summary: a.plan,
        // @ts-expect-error: 'parts' is written only in the case 'big'
        parts: a.parts
      }))
    )
  })

  test("a case that does nothing keeps the record; an artifact written in one case only keeps its old type in the other", () => {
    const Kept = pipe(
      Start,
      choose("size", { big: step("grow", (a) => ({ w: `${a.w}!` })), small: (f) => f })
    )
    expectTypeOf<ArtifactsOf<typeof Kept>["w"]>().toEqualTypeOf<string | number>()
  })

  test("each case starts from the record before the choose", () => {
    pipe(
      Start,
      choose("size", {
        big: step("shard", (a) => {
          expectTypeOf(a.size).toEqualTypeOf<"big" | "small">()
          return { w: a.w + 1 }
        }),
        small: (f) => f
      })
    )
  })

  test("the example of DESIGN.md §8 (the choose part): a.plan is a string after it, a.parts is not there", () => {
    const Route = pipe(
      Start,
      choose("size", {
        big: (f) => pipe(f, step("shard", () => ({ parts: 8 })), step("plan", (a) => ({ plan: `x${a.parts}` }))),
        small: step("inline", () => ({ plan: "inline" }))
      }),
      step("end", (a) => ({ summary: `${a.plan} ${a.w}` }))
    )
    expectTypeOf<ArtifactsOf<typeof Route>["summary"]>().toEqualTypeOf<string>()
    expectTypeOf<ArtifactsOf<typeof Route>>().not.toHaveProperty("parts")
  })
})

describe("selector types", () => {
  test("booleans are keyed 'true' and 'false', numbers by their string form", () => {
    const Flags = pipe(
      flow("Flags"),
      step("start", () => ({ ok: Math.random() > 0.5, k: (Math.random() > 0.5 ? 1 : -2) as 1 | -2 })),
      choose("ok", { true: step("yes", () => ({ r: 1 })), false: step("no", () => ({ r: 2 })) }),
      choose("k", { 1: step("one", () => ({ s: "a" as const })), "-2": step("minus", () => ({ s: "b" as const })) })
    )
    expectTypeOf<ArtifactsOf<typeof Flags>["s"]>().toEqualTypeOf<"a" | "b">()
    expectTypeOf<ArtifactsOf<typeof Flags>["r"]>().toEqualTypeOf<number>()
  })

  test("a missing selector is an error on it", () => {
    pipe(
      Start,
      // @ts-expect-error: there is no artifact 'sise'
      choose("sise", { big: (f) => f, small: (f) => f })
    )
    const cases = casesAfter(Start)({ big: (f) => f, small: (f) => f })
    expectTypeOf<ChooseParam<typeof Start, "sise", typeof cases>>().toEqualTypeOf<ChooseMissing<"sise">>()
    expectTypeOf<ChooseMissing<"sise">>().toEqualTypeOf<"artiflow: choose on 'sise': no artifact named 'sise' is available here">()
  })

  test("a wide selector (string, number, a template, null among literals, an object) is an error on it", () => {
    const Wide = pipe(
      flow("Wide"),
      step("start", () => ({
        s: "x" as string,
        n: 1 as number,
        tpl: "a-1" as `a-${string}`,
        maybe: "a" as "a" | null,
        o: { a: 1 }
      }))
    )
    // @ts-expect-error: 'string' has no fixed set of values
    pipe(Wide, choose("s", { x: (f) => f }))
    // @ts-expect-error: 'number' has no fixed set of values
    pipe(Wide, choose("n", { 1: (f) => f }))
    // @ts-expect-error: a template literal type has no fixed set of values
    pipe(Wide, choose("tpl", { "a-1": (f) => f }))
    // @ts-expect-error: null is not a string, number or boolean
    pipe(Wide, choose("maybe", { a: (f) => f }))
    // @ts-expect-error: an object is not a literal
    pipe(Wide, choose("o", { a: (f) => f }))
    const cases = casesAfter(Wide)({ x: (f) => f })
    expectTypeOf<ChooseParam<typeof Wide, "s", typeof cases>>().toEqualTypeOf<ChooseWide<"s">>()
    expectTypeOf<ChooseParam<typeof Wide, "maybe", typeof cases>>().toEqualTypeOf<ChooseWide<"maybe">>()
    expectTypeOf<ChooseWide<"s">>().toEqualTypeOf<"artiflow: choose on 's': artifact 's' must be a union of string, number or boolean literals: give it literal values ('as const') or add a step that maps it to one">()
  })

  test("a step that maps a wide value to literals fixes it", () => {
    pipe(
      flow("Mapped"),
      step("start", () => ({ s: "x" as string })),
      step("classify", (a) => ({ kind: a.s.length > 3 ? ("long" as const) : ("short" as const) })),
      choose("kind", { long: (f) => f, short: (f) => f })
    )
  })
})

describe("cases are exhaustive", () => {
  test("a value without a case is an error on the selector naming every missing value", () => {
    const Three = pipe(flow("Three"), step("start", () => ({ c: "a" as "a" | "b" | "c" })))
    pipe(
      Three,
      // @ts-expect-error: 'b' and 'c' have no case
      choose("c", {
        a: step("onlyA", () => ({}))
      })
    )
    const cases = casesAfter(Three)({ a: step("onlyA", () => ({})) })
    expectTypeOf<ChooseParam<typeof Three, "c", typeof cases>>().toEqualTypeOf<CaseMissing<"c", "b"> | CaseMissing<"c", "c">>()
    expectTypeOf<CaseMissing<"c", "b">>().toEqualTypeOf<"artiflow: choose on 'c': value 'b' has no case: add a case 'b'">()
  })

  test("a case for a value the selector cannot hold is an error on the selector naming the case", () => {
    pipe(
      Start,
      // @ts-expect-error: 'size' is never 'medium'
      choose("size", {
        big: (f) => f,
        small: (f) => f,
        medium: (f) => f
      })
    )
    const cases = casesAfter(Start)({ big: (f) => f, small: (f) => f, medium: (f) => f })
    expectTypeOf<ChooseParam<typeof Start, "size", typeof cases>>().toEqualTypeOf<CaseImpossible<"size", "medium">>()
    expectTypeOf<CaseImpossible<"size", "medium">>().toEqualTypeOf<"artiflow: choose on 'size': case 'medium' can never be taken: 'size' cannot hold that value (remove the case)">()
  })

  test("a boolean selector needs both cases", () => {
    const Bool = pipe(flow("Bool"), step("start", () => ({ ok: Math.random() > 0.5 })))
    // @ts-expect-error: 'false' has no case
    pipe(Bool, choose("ok", { true: (f) => f }))
    const cases = casesAfter(Bool)({ true: (f) => f })
    expectTypeOf<ChooseParam<typeof Bool, "ok", typeof cases>>().toEqualTypeOf<CaseMissing<"ok", "false">>()
  })

  test("an empty cases object misses every value", () => {
    // @ts-expect-error: neither 'big' nor 'small' has a case
    pipe(Start, choose("size", {}))
    expectTypeOf<ChooseParam<typeof Start, "size", {}>>().toEqualTypeOf<CaseMissing<"size", "big"> | CaseMissing<"size", "small">>()
  })
})

describe("what is wrong inside the cases is reported on the selector", () => {
  test("a step name used in two cases", () => {
    pipe(
      Start,
      // @ts-expect-error: both cases have a step 'work'
      choose("size", {
        big: step("work", () => ({ a: 1 })),
        small: (f) => pipe(f, step("work", () => ({ a: 2 })))
      })
    )
    const cases = casesAfter(Start)({ big: step("work", () => ({ a: 1 })), small: step("work", () => ({ a: 2 })) })
    expectTypeOf<ChooseParam<typeof Start, "size", typeof cases>>().toEqualTypeOf<DuplicateStep<"work">>()
  })

  test("a case that ends with an open foreach", () => {
    pipe(
      Start,
      // @ts-expect-error: the case 'big' leaves its foreach open
      choose("size", {
        big: (f) => pipe(f, foreach("xs", step("each", () => ({})))),
        small: (f) => f
      })
    )
    const cases = casesAfter(Start)({ big: (f) => pipe(f, foreach("xs", step("each", () => ({})))), small: (f) => f })
    expectTypeOf<ChooseParam<typeof Start, "size", typeof cases>>().toEqualTypeOf<CaseOpen<"size", "big", "foreach">>()
  })

  test("a step in a case named like a step before the choose is an error on that step", () => {
    pipe(
      Start,
      choose("size", {
        // @ts-expect-error: 'start' is taken
        big: step("start", () => ({})),
        small: (f) => f
      })
    )
  })
})

describe("where a choose may stand", () => {
  test("not directly after an open split", () => {
    const Open = pipe(Start, split({ a: step("a", () => ({})), b: step("b", () => ({})) }))
    // @ts-expect-error: the split needs its join first
    pipe(Open, choose("size", { big: (f) => f, small: (f) => f }))
    const cases = casesAfter(Open)({ big: (f) => f, small: (f) => f })
    expectTypeOf<ChooseParam<typeof Open, "size", typeof cases>>().toEqualTypeOf<StageAfterOpen<"choose on 'size'", "split">>()
  })

  test("a join right after a choose is an error on the join's name", () => {
    const Chosen = pipe(Start, choose("size", { big: (f) => f, small: (f) => f }))
    // @ts-expect-error: a choose needs no join
    pipe(Chosen, join("merge"))
    expectTypeOf<NameParam<typeof join<StateOf<typeof Chosen>, "merge">>>().toEqualTypeOf<JoinAfterChoose<"merge", "size">>()
    expectTypeOf<JoinAfterChoose<"merge", "size">>().toEqualTypeOf<"artiflow: join 'merge' directly after choose on 'size': a choose needs no join (exactly one case runs, and the record after it holds what that case wrote)">()
  })

  test("run of a flow that ends with an invalid choose is an error too", () => {
    const Invalid = pipe(
      Start,
      // @ts-expect-error: 'small' has no case
      choose("size", { big: step("big", () => ({})) })
    )
    // @ts-expect-error: the flow ends with an invalid choose
    void run(Invalid, { params: { n: 1 } })
    expectTypeOf<CheckRunnable<typeof Invalid>>().toEqualTypeOf<CaseMissing<"size", "small">>()
    const Valid = pipe(Start, choose("size", { big: (f) => f, small: (f) => f }))
    expectTypeOf<CheckRunnable<typeof Valid>>().toEqualTypeOf<typeof Valid>()
  })

  test("when the compiler could not type the cases of an invalid choose, run says the choose has errors", () => {
    // The call's result is typed as if its cases, functions to type, were still unknown.
    const Invalid = pipe(
      Start,
      // @ts-expect-error: 'small' has no case
      choose("size", { big: (f) => f })
    )
    // @ts-expect-error: the flow ends with an invalid choose
    void run(Invalid, { params: { n: 1 } })
    expectTypeOf<CheckRunnable<typeof Invalid>>().toEqualTypeOf<ChooseUnchecked<"size">>()
    const Missing = pipe(
      Start,
      // @ts-expect-error: there is no artifact 'sise'
      choose("sise", { big: (f) => f })
    )
    expectTypeOf<CheckRunnable<typeof Missing>>().toEqualTypeOf<ChooseMissing<"sise">>()
  })
})

describe("nesting", () => {
  test("a choose in a foreach body, with a split inside a case; a foreach inside a case", () => {
    const Nested = pipe(
      Start,
      step("items", () => ({ items: ["a", "bb"] })),
      foreach("items", (f) =>
        pipe(
          f,
          step("classify", (_a, ctx) => ({ kind: ctx.input.length > 1 ? ("long" as const) : ("short" as const) })),
          choose("kind", {
            long: (g) =>
              pipe(
                g,
                split({ l: step("l", (_a, ctx) => ({ x: ctx.input.length })), r: step("r", () => ({ y: 1 })) }),
                join("both", (inputs) => ({ out: inputs.l.x + inputs.r.y }))
              ),
            short: step("short", (_a, ctx) => ({ out: ctx.index }))
          })
        )
      ),
      join("all", (inputs) => ({ outs: inputs.map((i) => i.out) })),
      choose("size", {
        big: (f) => pipe(f, foreach("xs", step("each", (_a, ctx) => ({ v: ctx.input }))), join("gather", (inputs) => ({ total: inputs.length }))),
        small: step("none", () => ({ total: 0 }))
      })
    )
    expectTypeOf<ArtifactsOf<typeof Nested>["outs"]>().toEqualTypeOf<number[]>()
    expectTypeOf<ArtifactsOf<typeof Nested>["total"]>().toEqualTypeOf<number>()
  })

  test("a choose in a split branch: what its cases may write counts as written by the branch", () => {
    const InSplit = pipe(
      Start,
      split({
        a: choose("size", { big: step("big", () => ({ w: 1 })), small: (f) => f }),
        b: step("b", () => ({ w: 2 }))
      }),
      join("merge", { resolve: { w: (ws) => ws.a + ws.b } })
    )
    expectTypeOf<ArtifactsOf<typeof InSplit>["w"]>().toEqualTypeOf<number>()
  })

  test("resume from a step inside a case is type-checked", () => {
    const Route = pipe(
      Start,
      choose("size", { big: step("shard", () => ({})), small: step("inline", () => ({})) })
    )
    void resume(Route, { from: "inline" })
    // @ts-expect-error: 'inlined' is no step of the flow
    void resume(Route, { from: "inlined" })
  })
})
