/**
 * The artifact record (DESIGN.md §3.1-§3.3): a step's record is the previous one plus what it returns, a
 * returned key replaces the old value and its type, `_` names are ephemeral, parameters are read-only, and
 * what users see (`a`, the final record) is one flat readonly object.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expectTypeOf, test } from "vitest"
import { flow, includeFile, join, param, split, step } from "../../lib/index.js"
import type { ArtifactsOf, StateOf } from "../../lib/index.js"
import type { ParamWrite } from "../../lib/types/messages.js"
import type { NameParam } from "./helpers.js"

const Train = pipe(
  flow("Train", { params: { lr: param(t.number, { default: 0.1 }), tag: param(t.string) } }),
  step("start", (a) => ({ grid: [a.lr, a.lr / 10], seed: 42 })),
  step("fit", (a) => ({ seed: `${a.tag}-${a.seed}`, score: 0.5 }))
)

describe("a step adds and replaces artifacts", () => {
  test("a flow without parameters starts empty", () => {
    expectTypeOf<ArtifactsOf<ReturnType<typeof flow<"Empty">>>>().toEqualTypeOf<{}>()
  })

  test("parameters are artifacts from the first step on, and each step adds its outputs", () => {
    pipe(
      flow("F", { params: { lr: param(t.number, { default: 0.1 }) } }),
      step("start", (a) => {
        expectTypeOf(a).toEqualTypeOf<{ readonly lr: number }>()
        return { grid: [a.lr] }
      }),
      step("next", (a) => {
        expectTypeOf(a).toEqualTypeOf<{ readonly lr: number; readonly grid: number[] }>()
        return {}
      })
    )
  })

  test("a returned key replaces the old value and its type", () => {
    expectTypeOf<ArtifactsOf<typeof Train>>().toEqualTypeOf<{
      readonly lr: number
      readonly tag: string
      readonly grid: number[]
      readonly seed: string
      readonly score: number
    }>()
  })

  test("async steps write what their promise resolves to", () => {
    const F = pipe(
      flow("F"),
      step("start", async () => ({ rows: [1, 2, 3] })),
      step("count", (a) => Promise.resolve({ n: a.rows.length }))
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{ readonly rows: number[]; readonly n: number }>()
  })

  test("a step returning nothing writes nothing", () => {
    const F = pipe(
      flow("F"),
      step("start", () => ({ n: 1 })),
      step("log", (a, ctx) => ctx.log(a.n)),
      step("wait", async () => {})
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{ readonly n: number }>()
  })

  test("a union of outputs writes every key of any member; a member without a key leaves it as it was", () => {
    const F = pipe(
      flow("F"),
      step("start", () => ({ n: 1, id: "a" })),
      step("branch", (a) => (a.n > 0 ? { label: "positive" } : { n: -a.n, id: 7, flipped: true }))
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly n: number
      readonly id: string | number
      readonly label: string | undefined
      readonly flipped: boolean | undefined
    }>()
  })

  test("`a` is one flat readonly object, also after a split join", () => {
    pipe(
      Train,
      split({ l: step("l", () => ({ x: 1 })), r: step("r", () => ({ y: "y" })) }),
      join("merge"),
      step("end", (a) => {
        expectTypeOf(a).toEqualTypeOf<{
          readonly lr: number
          readonly tag: string
          readonly grid: number[]
          readonly seed: string
          readonly score: number
          readonly x: number
          readonly y: string
        }>()
        return {}
      })
    )
  })
})

describe("records are immutable", () => {
  test("a step cannot assign to an artifact", () => {
    pipe(
      Train,
      step("end", (a) => {
        // @ts-expect-error: artifacts are read-only properties
        a.score = 1
        return {}
      })
    )
  })
})

describe("ephemeral artifacts (`_` names)", () => {
  const F = pipe(
    flow("F"),
    step("start", () => ({ _scratch: [1, 2], kept: 1 })),
    step("next", (a) => ({ n: a.kept, _more: () => 1 }))
  )

  test("are removed from the record type", () => {
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{ readonly kept: number; readonly n: number }>()
  })

  test("are visible to no later step", () => {
    pipe(
      F,
      step("end", (a) => ({
        // @ts-expect-error: '_scratch' is ephemeral, no later step sees it
        m: a._scratch
      }))
    )
  })
})

describe("parameters and included files are read-only", () => {
  const P = flow("P", { params: { lr: param(t.number, { default: 0.1 }), data: includeFile() } })
  type Start = StateOf<typeof P>

  test("a step writing a parameter is an error on its name, naming step and parameter", () => {
    pipe(
      P,
      // @ts-expect-error: 'lr' is a parameter
      step("tune", (a) => ({ lr: a.lr * 2 }))
    )
    expectTypeOf<NameParam<typeof step<Start, "tune", { lr: number }>>>().toEqualTypeOf<ParamWrite<"tune", "lr">>()
  })

  test("writing an included file is an error too", () => {
    pipe(
      P,
      // @ts-expect-error: 'data' is an included file
      step("clean", (a) => ({ data: a.data.trim() }))
    )
    expectTypeOf<NameParam<typeof step<Start, "clean", { data: string }>>>().toEqualTypeOf<
      ParamWrite<"clean", "data">
    >()
  })

  test("a parameter stays read-only after later steps and joins", () => {
    const Later = pipe(
      P,
      step("start", () => ({ xs: [1] })),
      split({ a: step("a", () => ({ y: 1 })), b: step("b", () => ({ z: 1 })) }),
      join("j")
    )
    pipe(
      Later,
      // @ts-expect-error: 'lr' is still a parameter
      step("late", () => ({ lr: 1 }))
    )
    expectTypeOf<NameParam<typeof step<StateOf<typeof Later>, "late", { lr: number }>>>().toEqualTypeOf<
      ParamWrite<"late", "lr">
    >()
  })

  test("a join function writing a parameter is an error on the join's name", () => {
    const Open = pipe(P, step("start", () => ({ xs: [1] })), split({ a: step("a", () => ({ y: 1 })) }))
    pipe(
      Open,
      // @ts-expect-error: 'lr' is a parameter
      join("j", () => ({ lr: 2 }))
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "j", {}, { lr: number }>>>().toEqualTypeOf<
      ParamWrite<"j", "lr">
    >()
  })
})
