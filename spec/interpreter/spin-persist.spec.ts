/**
 * spin stores nothing unless `persist`, which makes a new run readable by the client (and spinnable again);
 * the function runs once, its output checked as a run checks it.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import {
  Client,
  flow,
  FlowDefinitionError,
  NotStorableError,
  run,
  RunAbortedError,
  spin,
  SpinFailedError,
  step
} from "../../lib/index.js"
import type { StepOptions } from "../../lib/index.js"
import { failing, Grid, lastSeen, originRun, replayed } from "./spinGrid.js"
import { forEachStore, quiet, spyingStore } from "../stores.js"

forEachStore((_name, makeStore) => {
  describe("what is stored", () => {
    test("without persist, nothing: no blob, run or manifest, even for an output that needs a blob", async () => {
      const counted = spyingStore(await makeStore())
      const Big = pipe(
        flow("Big"),
        step("start", () => ({ n: 1 })),
        step("grow", (a) => ({ text: "x".repeat(100_000 + a.n), bytes: new Float64Array(10_000).fill(a.n) }))
      )
      await run(Big, { store: counted.store, log: quiet })
      const before = { writes: counted.writes.length, runWrites: counted.runWrites.length, commits: counted.commits.length }
      const result = await spin(Big, "grow", { store: counted.store })
      expect(result.output["text"]).toHaveLength(100_001)
      expect({ writes: counted.writes.length, runWrites: counted.runWrites.length, commits: counted.commits.length }).toEqual(before)
      expect(await Client.open(counted.store).runs("Big")).toHaveLength(1)
    })

    test("with persist, a new run holding the one task, readable by the client, its record shared with the origin", async () => {
      const counted = spyingStore(await makeStore())
      const origin = await originRun(counted.store)
      const { result, inSpin } = await replayed("cell/2.0", () => spin(Grid, "cell", { store: counted.store, task: "2.0", persist: true }))
      expect(result.runId).toBeDefined()
      const runId = result.runId as string
      expect(inSpin.ctx).toMatchObject({ runId, originRunId: origin.runId })
      expect(counted.commits.filter((commit) => commit === `Grid/${runId}`)).toHaveLength(1)
      const client = Client.open(counted.store)
      expect((await client.runs("Grid")).map((listed) => listed.id)).toEqual([runId, origin.runId])
      const handle = await client.run(Grid, runId)
      expect(handle).toMatchObject({ status: "succeeded", originRunId: origin.runId, params: { scale: 3 } })
      const task = await handle.step("cell").task("2.0")
      expect(task).toMatchObject({ id: "2.0", attempt: 0, status: "succeeded", index: 0 })
      expect(task.foreachStack).toEqual([
        { step: "start", artifact: "rows", index: 2, count: 3 },
        { step: "expand", artifact: "cols", index: 0, count: 2 }
      ])
      expect(await task.artifact("value")).toBe(93)
      expect(await task.artifact("cols")).toEqual([31, 32])
      expect(await task.artifactNames()).toEqual(["cols", "label", "rows", "scale", "value"])
      expect(await handle.step("end").tasks()).toEqual([])
      const originTask = await (await client.run(Grid, origin.runId)).step("cell").task("2.0")
      expect((await task.info("cols")).hash).toBe((await originTask.info("cols")).hash)
    })

    test("a persisted spin can be spun again, on the same record; it becomes the latest run", async () => {
      const store = await makeStore()
      const origin = await originRun(store)
      const inRun = lastSeen("cell/1.1")
      const persisted = await spin(Grid, "cell", { store, task: "1.1", persist: true })
      const again = await replayed("cell/1.1", () => spin(Grid, "cell", { store, task: "1.1" }))
      expect(again.result.origin.runId).toBe(persisted.runId)
      expect(again.inSpin.record).toEqual(inRun.record)
      expect(again.inSpin.ctx).toEqual({ ...inRun.ctx, runId: persisted.runId, originRunId: origin.runId })
      expect(again.result.original).toEqual({ value: 66 })
      await expect(spin(Grid, "total", { store })).rejects.toThrow(
        `artiflow: spin: run '${persisted.runId}' of flow 'Grid' has no succeeded or failed task of step 'total' (steps that ran: 'cell'); the latest run where it ran is '${origin.runId}': spin it with origin`
      )
      const joined = await spin(Grid, "total", { store, persist: true, origin: origin.runId })
      expect((await spin(Grid, "total", { store, origin: joined.runId })).output).toEqual({ sum: 387 })
    })

    test("with persist, a function that throws leaves a failed run that records the task's error", async () => {
      const store = await makeStore()
      await originRun(store)
      failing.add("cell/0.1")
      try {
        const error = await spin(Grid, "cell", { store, task: "0.1", persist: true }).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(SpinFailedError)
        const runId = (error as SpinFailedError).runId as string
        expect((error as SpinFailedError).message).toContain(`(recorded as run '${runId}')`)
        const handle = await Client.open(store).run("Grid", runId)
        expect(handle.status).toBe("failed")
        expect(handle.failure).toMatchObject({ step: "cell", taskId: "0.1" })
        const task = await handle.step("cell").task("0.1")
        expect(task.status).toBe("failed")
        expect(task.error?.message).toBe("cell 0.1 failed")
      } finally {
        failing.delete("cell/0.1")
      }
    })
  })

  describe("the function runs once, as the run would check it", () => {
    const Checked = (behaviour: () => unknown, options: StepOptions = {}) =>
      pipe(
        flow("Checked"),
        step("start", () => ({ n: 1 })),
        step("check", () => behaviour() as { x: number }, options)
      )

    test("a returned value that is not an object of artifacts fails the spin with the run's rule", async () => {
      const store = await makeStore()
      await run(Checked(() => ({ x: 1 })), { store, log: quiet })
      const error = await spin(Checked(() => 42), "check", { store }).catch((e: unknown) => e)
      expect((error as SpinFailedError).cause).toBeInstanceOf(FlowDefinitionError)
      expect(((error as SpinFailedError).cause as Error).message).toBe(
        "artiflow: step 'check' must return an object of artifacts (or nothing), not 42"
      )
    })

    test("a value that cannot be stored fails it too, naming the artifact", async () => {
      const store = await makeStore()
      await run(Checked(() => ({ x: 1 })), { store, log: quiet })
      const error = await spin(Checked(() => ({ x: () => 1 })), "check", { store }).catch((e: unknown) => e)
      expect((error as SpinFailedError).cause).toBeInstanceOf(NotStorableError)
      expect((error as SpinFailedError).cause).toMatchObject({ step: "check", artifact: "x" })
    })

    test("retry and catch do not apply: spin reports what the function did", async () => {
      const store = await makeStore()
      let calls = 0
      const flaky = () => {
        calls++
        throw new Error("always")
      }
      await run(Checked(flaky, { retry: 2, catch: "err" }), { store, log: quiet })
      calls = 0
      const caught = await spin(Checked(flaky, { retry: 2, catch: "err" }), "check", { store }).catch((e: unknown) => e)
      expect(calls).toBe(1)
      expect((caught as SpinFailedError).cause).toEqual(new Error("always"))
      const original = (await spin(Checked(() => ({ x: 2 }), { retry: 2, catch: "err" }), "check", { store })).original
      expect(original).toMatchObject({ err: { name: "Error", message: "always" } })
    })

    test("a signal cancels it", async () => {
      const store = await makeStore()
      await run(Checked(() => ({ x: 1 })), { store, log: quiet })
      const controller = new AbortController()
      const slow = () => new Promise<never>(() => controller.abort())
      const error = await spin(Checked(slow), "check", { store, signal: controller.signal }).catch((e: unknown) => e)
      expect((error as SpinFailedError).cause).toBeInstanceOf(RunAbortedError)
    })
  })

})
