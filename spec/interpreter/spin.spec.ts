/**
 * spin: one step's (or join's) function runs again on exactly the record and ctx its task had in a past run
 * (parameters, foreach frames, the records a join joined); `original` is what the task wrote, or its error.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { flow, join, resume, run, spin, SpinFailedError, split, step } from "../../lib/index.js"
import type { LogLine } from "../../lib/index.js"
import { runFailure } from "./failure.js"
import { failing, Grid, lastSeen, originRun, replayed } from "./spinGrid.js"
import { forEachStore, quiet } from "../stores.js"

forEachStore((_name, makeStore) => {
  describe("spin replays what the task saw", () => {
    test("a plain step: the same record, parameters included, and a ctx like the run's", async () => {
      const store = await makeStore()
      const origin = await originRun(store)
      const inRun = lastSeen("end/0")
      const lines: Array<LogLine> = []
      const { result, inSpin } = await replayed("end/0", () => spin(Grid, "end", { store, log: (line) => lines.push(line) }))
      expect(inSpin.record).toEqual(inRun.record)
      expect(inSpin.record["scale"]).toBe(3)
      expect(inSpin.ctx).toEqual(inRun.ctx)
      expect(inSpin.ctx).toMatchObject({ flow: "Grid", step: "end", taskId: "0", attempt: 0, originRunId: undefined, foreachStack: [] })
      expect(result.output).toEqual({ done: "L387+R387".length + 3 })
      expect(result.original).toEqual({ done: origin.artifacts.done })
      expect(result.origin).toEqual({ runId: origin.runId, step: "end", taskId: "0", attempt: 0, status: "succeeded" })
      expect(result.runId).toBeUndefined()
      expect(lines).toEqual([{ flow: "Grid", runId: origin.runId, step: "end", taskId: "0", attempt: 0, text: "ending with L387+R387" }])
    })

    test("a foreach body task by index: its element, index and foreach stack", async () => {
      const store = await makeStore()
      await originRun(store)
      const inRun = lastSeen("expand/2")
      const { result, inSpin } = await replayed("expand/2", () => spin(Grid, "expand", { store, task: 2 }))
      expect(inSpin).toEqual(inRun)
      expect(inSpin.ctx).toMatchObject({ input: 30, index: 2, taskId: "2" })
      expect(inSpin.ctx["foreachStack"]).toEqual([{ step: "start", artifact: "rows", index: 2, count: 3, input: 30 }])
      expect(result.output).toEqual({ cols: [31, 32], _scratch: "not stored" })
      expect(result.original).toEqual({ cols: [31, 32] })
    })

    test("a task in nested foreaches, by task id: both frames, each with its element", async () => {
      const store = await makeStore()
      await originRun(store)
      const inRun = lastSeen("cell/1.0")
      const { result, inSpin } = await replayed("cell/1.0", () => spin(Grid, "cell", { store, task: "1.0" }))
      expect(inSpin.record).toEqual(inRun.record)
      expect(inSpin.ctx).toEqual(inRun.ctx)
      expect(inSpin.ctx["foreachStack"]).toEqual([
        { step: "start", artifact: "rows", index: 1, count: 3, input: 20 },
        { step: "expand", artifact: "cols", index: 0, count: 2, input: 21 }
      ])
      expect(result.output).toEqual({ value: 21 * 3 })
      expect(result.original).toEqual({ value: 63 })
    })

    test("a failed task: original is its error, and the fixed function runs on the same record", async () => {
      const store = await makeStore()
      failing.add("cell/2.1")
      try {
        const failure = await runFailure(originRun(store, 2))
        const stillFailing = await spin(Grid, "cell", { store, task: "2.1" }).catch((error: unknown) => error)
        expect(stillFailing).toBeInstanceOf(SpinFailedError)
        expect((stillFailing as SpinFailedError).cause).toEqual(new Error("cell 2.1 failed"))
        expect((stillFailing as SpinFailedError).message).toBe(
          `artiflow: spin of step 'cell' (task 2.1 of run '${failure.runId}' of flow 'Grid') failed: cell 2.1 failed`
        )
        failing.delete("cell/2.1")
        const { result: fixed, inSpin } = await replayed("cell/2.1", () => spin(Grid, "cell", { store, task: "2.1" }))
        expect(fixed.output).toEqual({ value: 32 * 2 })
        expect(fixed.origin.status).toBe("failed")
        expect(fixed.original).toBeInstanceOf(Error)
        expect((fixed.original as Error).message).toBe("cell 2.1 failed")
        expect((fixed.original as Error).stack).toContain("cell 2.1 failed")
        expect(inSpin.ctx).toMatchObject({ runId: failure.runId, input: 32, index: 1 })
      } finally {
        failing.delete("cell/2.1")
      }
    })

    test("the origin's parameters, not the defaults, whichever run is spun", async () => {
      const store = await makeStore()
      const first = await originRun(store, 5)
      await originRun(store, 7)
      expect((await spin(Grid, "cell", { store, task: "0.0" })).output).toEqual({ value: 11 * 7 })
      const { result: older, inSpin } = await replayed("cell/0.0", () => spin(Grid, "cell", { store, task: "0.0", origin: first.runId }))
      expect(older.output).toEqual({ value: 11 * 5 })
      expect(inSpin.record["scale"]).toBe(5)
    })
  })

  describe("joins re-run on the records they joined", () => {
    test("a foreach join gets every task's record, in index order, and the record before the foreach", async () => {
      const store = await makeStore()
      await originRun(store)
      const inRun = lastSeen("total/0")
      const { result, inSpin } = await replayed("total/0", () => spin(Grid, "total", { store }))
      expect(inSpin).toEqual(inRun)
      expect(result.output).toEqual({ sum: 387 })
      expect(result.original).toEqual({ sum: 387 })
    })

    test("a join inside a foreach body: its own task's records", async () => {
      const store = await makeStore()
      await originRun(store)
      const inRun = lastSeen("row/1")
      const { result, inSpin } = await replayed("row/1", () => spin(Grid, "row", { store, task: 1 }))
      expect(inSpin).toEqual(inRun)
      expect(result.output).toEqual({ rowSum: 21 * 3 + 22 * 3 })
    })

    test("a split join: the branches' records, the merge rules, resolve functions included", async () => {
      const store = await makeStore()
      const origin = await originRun(store)
      const inRun = lastSeen("merge/0")
      const { result, inSpin } = await replayed("merge/0", () => spin(Grid, "merge", { store }))
      expect(inSpin).toEqual(inRun)
      expect(result.output).toEqual({ side: "L387|R387", lonly: 1, both: "L387+R387" })
      expect(result.original).toEqual({ side: origin.artifacts.side, lonly: 1, both: origin.artifacts.both })
    })

    test("what each branch wrote counts for the merge rules, also a value it returned unchanged", async () => {
      const store = await makeStore()
      const Rewrite = pipe(
        flow("Rewrite"),
        step("start", () => ({ shared: 1 })),
        split({ keep: step("keep", (a) => ({ shared: a.shared })), other: step("other", () => ({ own: 2 })) }),
        join("merge", { resolve: { shared: (values) => values.keep + values.other + 10 } })
      )
      const origin = await run(Rewrite, { store, log: quiet })
      expect(origin.artifacts.shared).toBe(12)
      const result = await spin(Rewrite, "merge", { store })
      expect(result.output).toEqual({ shared: 12, own: 2 })
    })
  })

  test("a task a resumed run reused is spun on the record it had in the run that computed it", async () => {
    const store = await makeStore()
    failing.add("cell/0.0")
    try {
      await runFailure(originRun(store))
    } finally {
      failing.delete("cell/0.0")
    }
    const resumed = await resume(Grid, { store, log: quiet })
    const inRun = lastSeen("cell/1.1")
    const { result, inSpin } = await replayed("cell/1.1", () => spin(Grid, "cell", { store, task: "1.1", origin: resumed.runId }))
    expect(inSpin).toEqual({ ...inRun, ctx: { ...inRun.ctx, runId: resumed.runId, originRunId: expect.any(String) } })
    expect(result.original).toEqual({ value: 66 })
    const join = await spin(Grid, "total", { store, origin: resumed.runId })
    expect(join.output).toEqual({ sum: resumed.artifacts.sum })
  })
})
