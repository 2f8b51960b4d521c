/** Fragments inserted with `use`: their steps run in place, and declared needs are checked at run time. */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { FlowDefinitionError } from "../../lib/errors.js"
import { flow, foreach, join, run, step, subflow, use } from "../../lib/index.js"
import { subflowNeeds } from "../../lib/types/messages.js"
import { expectCause, runFailure } from "./failure.js"
import { forEachStore, quiet } from "../stores.js"
import { chain, js } from "./untyped.js"

const normalize = subflow({ xs: t.array(t.number) }, (f) =>
  pipe(
    f,
    step("normalize", (a) => ({ xs: a.xs.map((x) => x / Math.max(...a.xs)) })),
    step("count", (a) => ({ n: a.xs.length }))
  )
)

forEachStore((_name, makeStore) => {
  describe("use", () => {
    test("runs the fragment's steps in place, over the flow's record", async () => {
      const store = await makeStore()
      const F = pipe(
        flow("Use"),
        step("start", () => ({ xs: [1, 2, 4], other: "o" })),
        use(normalize),
        step("end", (a) => ({ total: a.xs.reduce((s, x) => s + x, 0) + a.n }))
      )
      const result = await run(F, { store, log: quiet, runId: "r1" })
      expect(result.artifacts).toEqual({ xs: [0.25, 0.5, 1], other: "o", n: 3, total: 4.75 })
      const steps = (await store.readManifests("Use", "r1")).map((m) => m.step)
      expect(steps).toEqual(["start", "normalize", "count", "end"])
    })

    test("inside a foreach body, the fragment's tasks get index paths", async () => {
      const store = await makeStore()
      const perRow = subflow<{ row: ReadonlyArray<number> }>()((f) =>
        pipe(f, step("sum", (a) => ({ sum: a.row.reduce((s, x) => s + x, 0) })))
      )
      const F = pipe(
        flow("UseInForeach"),
        step("start", () => ({ rows: [[1, 2], [3]] })),
        foreach("rows", (f) => pipe(f, step("pick", (_a, ctx) => ({ row: ctx.input })), use(perRow))),
        join("gather", (inputs) => ({ sums: inputs.map((i) => i.sum) }))
      )
      const result = await run(F, { store, log: quiet, runId: "r1" })
      expect(result.artifacts.sums).toEqual([3, 3])
      const sums = (await store.readManifests("UseInForeach", "r1")).filter((m) => m.step === "sum")
      expect(sums.map((m) => m.taskId).sort()).toEqual(["0", "1"])
    })

    test.each([
      ["missing", { other: 1 }],
      ["of another type", { xs: ["a"] }]
    ])("a needed artifact %s fails the run with the subflowNeeds message", async (_case, written) => {
      const F = chain(js.flow("UseBad"), js.step("start", () => written), js.use(normalize))
      const failure = await runFailure(js.run(F, { store: await makeStore(), log: quiet }))
      expectCause(failure, FlowDefinitionError, subflowNeeds("xs"))
    })
  })
})
