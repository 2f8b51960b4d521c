/**
 * The `ctx` a step or join function receives: where it runs, and inside foreach bodies only, the element
 * (`ctx.input`, typed from the array artifact), its index and the typed stack of enclosing foreach frames.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, join, split, step } from "../../lib/index.js"
import type { ForeachContext, ForeachFrame, StepContext } from "../../lib/index.js"

const Start = pipe(
  flow("Grid"),
  step("start", () => ({ grid: [0.1, 0.01], names: ["a", "b"] as const, seed: 42 }))
)

describe("outside a foreach", () => {
  test("ctx says where the step runs", () => {
    pipe(
      Start,
      step("end", (_a, ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<StepContext>()
        expectTypeOf(ctx.flow).toEqualTypeOf<string>()
        expectTypeOf(ctx.runId).toEqualTypeOf<string>()
        expectTypeOf(ctx.step).toEqualTypeOf<string>()
        expectTypeOf(ctx.taskId).toEqualTypeOf<string>()
        expectTypeOf(ctx.attempt).toEqualTypeOf<number>()
        expectTypeOf(ctx.originRunId).toEqualTypeOf<string | undefined>()
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>()
        expectTypeOf(ctx.log).toEqualTypeOf<(...values: ReadonlyArray<unknown>) => void>()
        expectTypeOf(ctx.foreachStack).toEqualTypeOf<readonly []>()
        return {}
      })
    )
  })

  test("ctx.input and ctx.index do not exist", () => {
    pipe(
      Start,
      step("end", (_a, ctx) => ({
        // @ts-expect-error: ctx.input is only available inside a foreach body
        x: ctx.input,
        // @ts-expect-error: ctx.index is only available inside a foreach body
        i: ctx.index
      }))
    )
  })

  test("a join closing a foreach runs outside it: no ctx.input", () => {
    pipe(
      Start,
      foreach("grid", step("fit", (_a, ctx) => ({ score: ctx.input }))),
      join("pick", (_inputs, _a, ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<StepContext>()
        return {}
      })
    )
  })
})

describe("inside a foreach body", () => {
  test("ctx.input is the element, ctx.index its index, ctx.foreachStack one typed frame", () => {
    pipe(
      Start,
      foreach(
        "grid",
        step("fit", (_a, ctx) => {
          expectTypeOf(ctx).toEqualTypeOf<ForeachContext<number, readonly [ForeachFrame<"grid", number>]>>()
          expectTypeOf(ctx.input).toEqualTypeOf<number>()
          expectTypeOf(ctx.index).toEqualTypeOf<number>()
          expectTypeOf(ctx.foreachStack).toEqualTypeOf<readonly [ForeachFrame<"grid", number>]>()
          expectTypeOf(ctx.foreachStack[0].count).toEqualTypeOf<number>()
          expectTypeOf(ctx.foreachStack[0].step).toEqualTypeOf<string>()
          return {}
        })
      ),
      join("pick")
    )
  })

  test("the element of a readonly tuple is the union of its members", () => {
    pipe(
      Start,
      foreach(
        "names",
        step("greet", (_a, ctx) => {
          expectTypeOf(ctx.input).toEqualTypeOf<"a" | "b">()
          return {}
        })
      ),
      join("done")
    )
  })

  test("every step of the body, and steps in a split inside it, see the element", () => {
    pipe(
      Start,
      foreach("grid", (f) =>
        pipe(
          f,
          step("prepare", (_a, ctx) => ({ lr: ctx.input })),
          split({
            l: step("l", (_a, ctx) => {
              expectTypeOf(ctx.input).toEqualTypeOf<number>()
              return { l: 1 }
            }),
            r: step("r", (_a, ctx) => ({ r: ctx.index }))
          }),
          join("both", (_inputs, _a, ctx) => {
            expectTypeOf(ctx.input).toEqualTypeOf<number>()
            return {}
          })
        )
      ),
      join("pick")
    )
  })
})

describe("nested foreach", () => {
  test("the inner body sees the inner element and both frames, outermost first", () => {
    pipe(
      Start,
      foreach("grid", (f) =>
        pipe(
          f,
          step("folds", (_a, ctx) => ({ folds: [`${ctx.input}-0`, `${ctx.input}-1`] })),
          foreach(
            "folds",
            step("fit", (_a, ctx) => {
              expectTypeOf(ctx.input).toEqualTypeOf<string>()
              expectTypeOf(ctx.foreachStack).toEqualTypeOf<
                readonly [ForeachFrame<"grid", number>, ForeachFrame<"folds", string>]
              >()
              expectTypeOf(ctx.foreachStack[0].input).toEqualTypeOf<number>()
              return { score: 1 }
            })
          ),
          join("avg", (inputs, _a, ctx) => {
            expectTypeOf(ctx).toEqualTypeOf<ForeachContext<number, readonly [ForeachFrame<"grid", number>]>>()
            return { avg: inputs.length }
          })
        )
      ),
      join("pick")
    )
  })
})
