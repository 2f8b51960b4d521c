import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, join, resume, step } from "../../lib/index.js"
import type { ResumeOptions, RunResult } from "../../lib/index.js"

const Train = pipe(
  flow("Train"),
  step("start", () => ({ grid: [1, 2] })),
  foreach("grid", step("fit", (_a, ctx) => ({ score: ctx.input * 2 }))),
  join("pick", (inputs) => ({ best: Math.max(...inputs.map((i) => i.score)) }))
)

describe("resume", () => {
  test("resolves to the flow's final record", () => {
    expectTypeOf(resume(Train)).toEqualTypeOf<Promise<RunResult<{ readonly best: number; readonly grid: number[] }>>>()
  })

  test("`from` names a step or join of the flow", () => {
    void resume(Train, { from: "fit" })
    void resume(Train, { from: "pick", origin: "20261130-120000-000-abcdef" })
    // @ts-expect-error: 'fti' is not a step of Train
    void resume(Train, { from: "fti" })
    expectTypeOf<ResumeOptions<"a" | "b">["from"]>().toEqualTypeOf<"a" | "b" | undefined>()
  })
})
