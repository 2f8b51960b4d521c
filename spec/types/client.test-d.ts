import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expectTypeOf, test } from "vitest"
import { Client, flow, param, step } from "../../lib/index.js"
import type { RunHandle } from "../../lib/index.js"

const Train = pipe(
  flow("Train", { params: { lr: param(t.number, { default: 0.1 }) } }),
  step("start", (a) => ({ best: a.lr * 2, label: "x" }))
)

describe("Client typing", () => {
  test("a run opened with the flow definition types its artifacts", async () => {
    const run = await Client.open().run(Train)
    expectTypeOf(run.artifact("best")).toEqualTypeOf<Promise<number>>()
    expectTypeOf(run.artifact("lr")).toEqualTypeOf<Promise<number>>()
    expectTypeOf(run.artifacts()).toEqualTypeOf<Promise<{ readonly best: number; readonly label: string; readonly lr: number }>>()
    // @ts-expect-error: 'bset' is not an artifact of Train
    void run.artifact("bset")
  })

  test("a run opened by name is untyped", async () => {
    const run = await Client.open().run("Train")
    expectTypeOf(run).toEqualTypeOf<RunHandle>()
    expectTypeOf(run.artifact("anything")).toEqualTypeOf<Promise<unknown>>()
  })
})
