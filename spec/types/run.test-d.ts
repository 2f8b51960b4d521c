import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import type { TaskEither } from "fp-ts/lib/TaskEither.js"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, includeFile, join, param, run, runTaskEither, split, step } from "../../lib/index.js"
import type { CheckRunnable, RunError, RunFailedError, RunResult } from "../../lib/index.js"
import type { RunOpen } from "../../lib/types/messages.js"

const Train = pipe(
  flow("Train", { params: { lr: param(t.number, { default: 0.1 }), tag: param(t.string), data: includeFile() } }),
  step("start", (a) => ({ best: a.lr * 2, size: a.data.length }))
)
const NoParams = pipe(flow("NoParams"), step("start", () => ({ n: 1 })))
const OpenSplit = pipe(flow("OpenSplit"), step("start", () => ({ n: 1 })), split({ a: step("a", () => ({})) }))
const OpenForeach = pipe(flow("OpenForeach"), step("start", () => ({ xs: [1] })), foreach("xs", step("b", () => ({}))))

describe("run", () => {
  test("resolves to the final record, typed", () => {
    expectTypeOf(run(NoParams)).toEqualTypeOf<Promise<RunResult<{ readonly n: number }>>>()
    expectTypeOf(run(Train, { params: { tag: "x", data: "in.csv" } })).toEqualTypeOf<
      Promise<RunResult<{ readonly best: number; readonly data: string; readonly lr: number; readonly size: number; readonly tag: string }>>
    >()
  })

  test("params: required ones must be given, with their input types (a path for included files)", () => {
    // @ts-expect-error: Train has required parameters, so options with params are required
    void run(Train)
    // @ts-expect-error: 'tag' is required
    void run(Train, { params: { data: "in.csv" } })
    // @ts-expect-error: 'lr' is a number
    void run(Train, { params: { tag: "x", data: "in.csv", lr: "fast" } })
    void run(Train, { params: { tag: "x", data: "in.csv", lr: 0.5 } })
    void run(NoParams, { maxWorkers: 2 })
  })

  test("a flow with an open split or foreach cannot run, with the message on the flow argument", () => {
    // @ts-expect-error: the split is not closed by a join
    void run(OpenSplit)
    // @ts-expect-error: the foreach is not closed by a join
    void run(OpenForeach)
    expectTypeOf<CheckRunnable<typeof OpenSplit>>().toEqualTypeOf<RunOpen<"OpenSplit", "split">>()
    expectTypeOf<CheckRunnable<typeof OpenForeach>>().toEqualTypeOf<RunOpen<"OpenForeach", "foreach">>()
    expectTypeOf<RunOpen<"OpenSplit", "split">>().toEqualTypeOf<"artiflow: flow 'OpenSplit' ends with an open split: close it with join(name) before running the flow">()
    const closed = pipe(OpenSplit, join("j"))
    expectTypeOf<CheckRunnable<typeof closed>>().toEqualTypeOf<typeof closed>()
  })

  test("runTaskEither puts the errors on the left", () => {
    expectTypeOf(runTaskEither(NoParams)).toEqualTypeOf<TaskEither<RunError, RunResult<{ readonly n: number }>>>()
    expectTypeOf<RunFailedError>().toMatchTypeOf<RunError>()
  })
})
