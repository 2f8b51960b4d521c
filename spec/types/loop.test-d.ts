/**
 * `loop` (DESIGN.md §8): a do-while typed against the record before it. An artifact from before the loop
 * keeps a type its next iteration can read; the artifacts the body creates are there after the loop;
 * `ctx.iteration` and `ctx.loopStack` exist in the body only; every error is on the loop's name.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expectTypeOf, test } from "vitest"
import { choose, flow, foreach, join, loop, param, resume, split, step } from "../../lib/index.js"
import type {
  ArtifactsOf,
  ForeachContext,
  ForeachFrame,
  ForeachLoopContext,
  LoopContext,
  LoopFrame,
  LoopOptions,
  StateOf,
  StepContext
} from "../../lib/index.js"
import type {
  DuplicateStep,
  InvalidName,
  LoopBodyOpen,
  LoopRemoves,
  LoopTypeChanged,
  StageAfterOpen
} from "../../lib/types/messages.js"
import { bodyAfter } from "./helpers.js"
import type { LoopParam } from "./helpers.js"

const Start = pipe(
  flow("Fit", { params: { lr: param(t.number, { default: 0.1 }) } }),
  step("start", () => ({ w: 0, loss: 1, xs: [1, 2, 3], label: "a" as "a" | "b" }))
)

describe("the record after a loop", () => {
  test("the example of DESIGN.md §8: the body's artifacts, and until typed with the body's final record", () => {
    const Fit = pipe(
      Start,
      loop(
        "fit",
        (f) => pipe(f, step("update", (a) => ({ w: a.w + 0.1 })), step("evaluate", (a) => ({ loss: (1 - a.w) ** 2, evaluated: true }))),
        {
          until: (a) => {
            expectTypeOf(a.loss).toEqualTypeOf<number>()
            expectTypeOf(a.evaluated).toEqualTypeOf<boolean>()
            return a.loss < 0.01
          },
          maxIterations: 100
        }
      ),
      step("end", (a) => ({ summary: `${a.w} ${a.evaluated}` }))
    )
    expectTypeOf<ArtifactsOf<typeof Fit>>().toEqualTypeOf<{
      readonly lr: number
      readonly w: number
      readonly loss: number
      readonly xs: number[]
      readonly label: "a" | "b"
      readonly evaluated: boolean
      readonly summary: string
    }>()
  })

  test("a narrower type written in the body is the type after the loop", () => {
    const Narrowed = pipe(Start, loop("pick", step("choose", () => ({ label: "b" as const })), { until: () => true }))
    expectTypeOf<ArtifactsOf<typeof Narrowed>["label"]>().toEqualTypeOf<"b">()
  })

  test("until may be async; maxIterations is optional", () => {
    pipe(Start, loop("wait", step("tick", (a) => ({ w: a.w + 1 })), { until: async (a) => a.w > 3 }))
    expectTypeOf<LoopOptions<{ readonly n: number }>>().toEqualTypeOf<{
      readonly until: (a: { readonly n: number }) => boolean | PromiseLike<boolean>
      readonly maxIterations?: number
    }>()
  })

  test("until must return a boolean and read the body's record", () => {
    // @ts-expect-error: until returns a string
    pipe(Start, loop("bad", step("tick", (a) => ({ w: a.w + 1 })), { until: () => "yes" }))
    // @ts-expect-error: 'wq' is not an artifact
    pipe(Start, loop("typo", step("tick2", (a) => ({ w: a.w + 1 })), { until: (a) => a.wq > 1 }))
  })
})

describe("the body keeps the types of the artifacts it writes", () => {
  test("a type the next iteration could not read is an error on the loop's name, with both types", () => {
    pipe(
      Start,
      // @ts-expect-error: 'w' is a number before the loop and a string at the end of the body
      loop("fit", (f) => pipe(f, step("update", (a) => ({ w: `${a.w}` }))), { until: () => true })
    )
    const body = bodyAfter(Start, "fit")((f) => pipe(f, step("update", (a) => ({ w: `${a.w}` }))))
    expectTypeOf<LoopParam<typeof Start, "fit", typeof body>>().toEqualTypeOf<LoopTypeChanged<"fit", "w", number, string>>()
    expectTypeOf<LoopTypeChanged<"fit", "w", number, string>>().toEqualTypeOf<{
      readonly "artiflow: loop 'fit': artifact 'w' must keep a type assignable to its type before the loop (the next iteration reads it with that type)": {
        readonly before: number
        readonly body: string
      }
    }>()
  })

  test("a wider type is an error too", () => {
    const body = bodyAfter(Start, "fit")(step("relabel", () => ({ label: "c" as "a" | "b" | "c" })))
    expectTypeOf<LoopParam<typeof Start, "fit", typeof body>>().toEqualTypeOf<
      LoopTypeChanged<"fit", "label", "a" | "b", "a" | "b" | "c">
    >()
  })

  test("an artifact from before the loop that the body drops is an error", () => {
    const body = bodyAfter(Start, "fit")((f) =>
      pipe(
        f,
        split({ a: step("a", () => ({ loss: 1 })), b: step("b", () => ({ loss: 2 })) }),
        join("merge", { exclude: ["loss"] })
      )
    )
    expectTypeOf<LoopParam<typeof Start, "fit", typeof body>>().toEqualTypeOf<LoopRemoves<"fit", "loss">>()
  })
})

describe("ctx in a loop body", () => {
  test("ctx.iteration and ctx.loopStack, typed, in every step of the body", () => {
    pipe(
      Start,
      loop(
        "fit",
        step("update", (a, ctx) => {
          expectTypeOf(ctx).toEqualTypeOf<LoopContext<readonly [LoopFrame<"fit">]>>()
          expectTypeOf(ctx.iteration).toEqualTypeOf<number>()
          expectTypeOf(ctx.loopStack).toEqualTypeOf<readonly [LoopFrame<"fit">]>()
          expectTypeOf(ctx.loopStack[0]).toEqualTypeOf<{ readonly loop: "fit"; readonly iteration: number }>()
          expectTypeOf(ctx.foreachStack).toEqualTypeOf<readonly []>()
          return { w: a.w + ctx.iteration }
        }),
        { until: (a) => a.w > 10 }
      )
    )
  })

  test("outside a loop they do not exist", () => {
    pipe(
      Start,
      step("end", (_a, ctx) => ({
        // @ts-expect-error: ctx.iteration is only available inside a loop body
        i: ctx.iteration,
        // @ts-expect-error: ctx.loopStack is only available inside a loop body
        s: ctx.loopStack
      }))
    )
    pipe(
      Start,
      loop("fit", step("update", (a) => ({ w: a.w + 1 })), { until: () => true }),
      step("after", (_a, ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<StepContext>()
        return {}
      })
    )
  })

  test("nested loops: both frames, outermost first", () => {
    pipe(
      Start,
      loop(
        "outer",
        loop(
          "inner",
          step("update", (a, ctx) => {
            expectTypeOf(ctx.loopStack).toEqualTypeOf<readonly [LoopFrame<"outer">, LoopFrame<"inner">]>()
            return { w: a.w + 1 }
          }),
          { until: (a) => a.w % 3 === 0 }
        ),
        { until: (a) => a.w > 9 }
      )
    )
  })

  test("a foreach in a loop body, and a loop in a foreach body: both contexts", () => {
    pipe(
      Start,
      loop(
        "fit",
        (f) =>
          pipe(
            f,
            foreach(
              "xs",
              step("each", (_a, ctx) => {
                expectTypeOf(ctx).toEqualTypeOf<
                  ForeachLoopContext<number, readonly [ForeachFrame<"xs", number>], readonly [LoopFrame<"fit">]>
                >()
                expectTypeOf(ctx.input).toEqualTypeOf<number>()
                expectTypeOf(ctx.iteration).toEqualTypeOf<number>()
                return { y: ctx.input * ctx.iteration }
              })
            ),
            join("sum", (inputs, _a, ctx) => {
              expectTypeOf(ctx).toEqualTypeOf<LoopContext<readonly [LoopFrame<"fit">]>>()
              return { w: inputs.reduce((s, i) => s + i.y, 0) }
            })
          ),
        { until: (a) => a.w > 100 }
      ),
      foreach(
        "xs",
        loop(
          "count",
          step("up", (_a, ctx) => {
            expectTypeOf(ctx.input).toEqualTypeOf<number>()
            expectTypeOf(ctx.foreachStack).toEqualTypeOf<readonly [ForeachFrame<"xs", number>]>()
            expectTypeOf(ctx.loopStack).toEqualTypeOf<readonly [LoopFrame<"count">]>()
            return { n: ctx.iteration }
          }),
          { until: (a) => a.n >= 2 }
        )
      ),
      join("counted", (inputs, _a, ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<StepContext>()
        return { counts: inputs.map((i) => i.n) }
      })
    )
  })

  test("a foreach context outside loops is unchanged", () => {
    pipe(
      Start,
      foreach(
        "xs",
        step("each", (_a, ctx) => {
          expectTypeOf(ctx).toEqualTypeOf<ForeachContext<number, readonly [ForeachFrame<"xs", number>]>>()
          return {}
        })
      ),
      join("j")
    )
  })
})

describe("what is wrong is reported on the loop's name", () => {
  test("a loop named like a step before it", () => {
    // @ts-expect-error: 'start' is taken
    pipe(Start, loop("start", step("update", (a) => ({ w: a.w })), { until: () => true }))
    const body = bodyAfter(Start, "start")(step("update", (a) => ({ w: a.w })))
    expectTypeOf<LoopParam<typeof Start, "start", typeof body>>().toEqualTypeOf<DuplicateStep<"start">>()
  })

  test("a step of the body named like the loop: an error on that step", () => {
    pipe(
      Start,
      loop(
        "fit",
        // @ts-expect-error: 'fit' is the loop's name
        step("fit", (a) => ({ w: a.w })),
        { until: () => true }
      )
    )
  })

  test("a body that ends with an open split", () => {
    pipe(
      Start,
      // @ts-expect-error: the body's split has no join
      loop("fit", (f) => pipe(f, split({ a: step("a", () => ({})), b: step("b", () => ({})) })), { until: () => true })
    )
    const body = bodyAfter(Start, "fit")((f) => pipe(f, split({ a: step("a", () => ({})), b: step("b", () => ({})) })))
    expectTypeOf<LoopParam<typeof Start, "fit", typeof body>>().toEqualTypeOf<LoopBodyOpen<"fit", "split">>()
  })

  test("directly after an open foreach", () => {
    const Open = pipe(Start, foreach("xs", step("each", () => ({}))))
    // @ts-expect-error: the foreach needs its join first
    pipe(Open, loop("fit", step("update", (a) => ({ w: a.w })), { until: () => true }))
    const body = bodyAfter(Open, "fit")(step("update", (a) => ({ w: a.w })))
    expectTypeOf<LoopParam<typeof Open, "fit", typeof body>>().toEqualTypeOf<StageAfterOpen<"loop 'fit'", "foreach">>()
  })

  test("an invalid name", () => {
    // @ts-expect-error: a loop name cannot start with '_'
    pipe(Start, loop("_fit", step("update", (a) => ({ w: a.w })), { until: () => true }))
    const body = bodyAfter(Start, "_fit")(step("update", (a) => ({ w: a.w })))
    expectTypeOf<LoopParam<typeof Start, "_fit", typeof body>>().toEqualTypeOf<InvalidName<"loop", "_fit">>()
  })
})

describe("loops nest with the other combinators", () => {
  test("a choose in a loop body, a loop in a choose case and in a split branch", () => {
    const Mixed = pipe(
      Start,
      loop(
        "refine",
        (f) =>
          pipe(
            f,
            step("measure", (a) => ({ side: a.w > 1 ? ("high" as const) : ("low" as const) })),
            choose("side", { high: step("down", (a) => ({ w: a.w - 1 })), low: step("up", (a) => ({ w: a.w + 2 })) })
          ),
        { until: (a) => a.side === "high" }
      ),
      choose("label", {
        a: loop("again", step("again1", (a) => ({ loss: a.loss / 2 })), { until: (a) => a.loss < 0.1 }),
        b: (f) => f
      }),
      split({
        l: loop("left", step("left1", (a) => ({ loss: a.loss * 0.9 })), { until: () => true }),
        r: step("right", () => ({ extra: 1 }))
      }),
      join("merge", { resolve: { loss: (ls) => Math.min(ls.l, ls.r) } })
    )
    expectTypeOf<ArtifactsOf<typeof Mixed>["side"]>().toEqualTypeOf<"high" | "low">()
    expectTypeOf<ArtifactsOf<typeof Mixed>["loss"]>().toEqualTypeOf<number>()
    expectTypeOf<StateOf<typeof Mixed>["steps"]>().toEqualTypeOf<
      "start" | "measure" | "down" | "up" | "refine" | "again1" | "again" | "left1" | "left" | "right" | "merge"
    >()
  })

  test("resume from a loop's name or a step in its body", () => {
    const Fit = pipe(Start, loop("fit", step("update", (a) => ({ w: a.w + 1 })), { until: () => true }))
    void resume(Fit, { from: "fit" })
    void resume(Fit, { from: "update" })
    // @ts-expect-error: 'fot' is no step or loop of the flow
    void resume(Fit, { from: "fot" })
  })
})
