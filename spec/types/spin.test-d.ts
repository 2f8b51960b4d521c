import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, join, spin, step } from "../../lib/index.js"
import type { Flow, SpinOptions, SpinResult, SpunTask } from "../../lib/index.js"

const Train = pipe(
  flow("Train"),
  step("start", () => ({ grid: [1, 2] })),
  foreach("grid", step("fit", (_a, ctx) => ({ score: ctx.input * 2 }))),
  join("pick", (inputs) => ({ best: Math.max(...inputs.map((i) => i.score)) }))
)

describe("spin", () => {
  test("the step name is one of the flow's steps or joins", () => {
    void spin(Train, "fit", { task: 1 })
    void spin(Train, "pick")
    void spin(Train, "start", { origin: "20261130-120000-000-abcdef", persist: true })
    // @ts-expect-error: 'fti' is not a step of Train
    void spin(Train, "fti")
    // @ts-expect-error: a step name is a string
    void spin(Train, 0)
  })

  test("a flow whose steps are not known takes any name", () => {
    const untyped = Train as Flow
    void spin(untyped, "anything")
  })

  test("a flow left with an open foreach cannot be spun, as it cannot run", () => {
    const open = pipe(flow("Open"), step("start", () => ({ xs: [1] })), foreach("xs", step("body", () => ({ y: 1 }))))
    // @ts-expect-error: the foreach is not closed by a join
    void spin(open, "body")
  })

  test("task is an index or a task id; the other options are typed", () => {
    expectTypeOf<SpinOptions["task"]>().toEqualTypeOf<number | string | undefined>()
    expectTypeOf<SpinOptions["persist"]>().toEqualTypeOf<boolean | undefined>()
    // @ts-expect-error: persist is a boolean
    void spin(Train, "fit", { persist: "yes" })
    // @ts-expect-error: task is a number or a string
    void spin(Train, "fit", { task: [1] })
  })

  test("resolves to the new output next to the original output or error", () => {
    expectTypeOf(spin(Train, "fit")).toEqualTypeOf<Promise<SpinResult>>()
    expectTypeOf<SpinResult["output"]>().toEqualTypeOf<Readonly<Record<string, unknown>>>()
    expectTypeOf<SpinResult["original"]>().toEqualTypeOf<Readonly<Record<string, unknown>> | Error>()
    expectTypeOf<SpinResult["origin"]>().toEqualTypeOf<SpunTask>()
    expectTypeOf<SpunTask["status"]>().toEqualTypeOf<"succeeded" | "failed">()
    expectTypeOf<SpinResult["runId"]>().toEqualTypeOf<string | undefined>()
  })
})
