/**
 * spin: one step's (or join's) function runs again on exactly the record and ctx its task had in a past run
 * (parameters, foreach frames, the records a join joined); `original` is what the task wrote, or its error;
 * nothing is stored unless `persist`, which makes a new run readable by the client.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import {
  Client,
  flow,
  FlowDefinitionError,
  foreach,
  join,
  NotStorableError,
  param,
  resume,
  run,
  RunAbortedError,
  spin,
  SpinFailedError,
  split,
  step
} from "../../lib/index.js"
import type { Datastore, ForeachFrame, LogLine, RunContext, StepOptions } from "../../lib/index.js"
import { runFailure } from "./failure.js"
import { forEachStore, quiet, spyingStore } from "../stores.js"

/** What a function was given, as comparable data. */
interface Seen {
  readonly record: Readonly<Record<string, unknown>>
  readonly ctx: Readonly<Record<string, unknown>>
}

/** Records what each call of a function saw, by "step/task". */
const witness = () => {
  const calls = new Map<string, Array<Seen>>()
  const see = (step: string, record: object, ctx: RunContext & { readonly foreachStack: ReadonlyArray<ForeachFrame> }): void => {
    const { flow: flowName, runId, taskId, attempt, originRunId, foreachStack } = ctx
    const inner = foreachStack.at(-1)
    const where = { flow: flowName, runId, step: ctx.step, taskId, attempt, originRunId, foreachStack, input: inner?.input, index: inner?.index }
    const list = calls.get(`${step}/${taskId}`) ?? []
    list.push({ record: { ...record }, ctx: where })
    calls.set(`${step}/${taskId}`, list)
  }
  return { calls, see }
}

/** Steps that throw while their "step/task" is in this set. */
const failing = new Set<string>()

const seen = witness()

const Grid = pipe(
  flow("Grid", { params: { scale: param(t.number, { default: 1 }) } }),
  step("start", (a, ctx) => {
    seen.see("start", a, ctx)
    return { rows: [10, 20, 30], label: "grid" }
  }),
  foreach("rows", (f) =>
    pipe(
      f,
      step("expand", (a, ctx) => {
        seen.see("expand", a, ctx)
        return { cols: [ctx.input + 1, ctx.input + 2], _scratch: "not stored" }
      }),
      foreach(
        "cols",
        step("cell", (a, ctx) => {
          seen.see("cell", a, ctx)
          if (failing.has(`cell/${ctx.taskId}`)) throw new Error(`cell ${ctx.taskId} failed`)
          return { value: ctx.input * a.scale }
        })
      ),
      join("row", (inputs, a, ctx) => {
        seen.see("row", { inputs, ...a }, ctx)
        return { rowSum: inputs.reduce((sum, input) => sum + input.value, 0) }
      })
    )
  ),
  join("total", (inputs, a, ctx) => {
    seen.see("total", { inputs, ...a }, ctx)
    return { sum: inputs.reduce((sum, input) => sum + input.rowSum, 0) }
  }),
  split({
    left: step("left", (a) => ({ side: `L${a.sum}`, lonly: 1 })),
    right: step("right", (a) => ({ side: `R${a.sum}` }))
  }),
  join("merge", { resolve: { side: (sides) => `${sides.left}|${sides.right}` } }, (inputs, a, ctx) => {
    seen.see("merge", { inputs, ...a }, ctx)
    return { both: `${inputs.left.side}+${inputs.right.side}` }
  }),
  step("end", (a, ctx) => {
    seen.see("end", a, ctx)
    ctx.log("ending with", a.both)
    return { done: a.both.length + a.scale }
  })
)

/** The last thing a "step/task" saw. */
const lastSeen = (key: string): Seen => {
  const list = seen.calls.get(key)
  if (list === undefined || list.length === 0) throw new Error(`${key} never ran`)
  return list[list.length - 1] as Seen
}

/** Runs `work`, checks that it called the function of "step/task" exactly once, and returns what that call saw. */
const replayed = async <T>(key: string, work: () => Promise<T>): Promise<{ readonly result: T; readonly inSpin: Seen }> => {
  const before = seen.calls.get(key)?.length ?? 0
  const result = await work()
  expect(seen.calls.get(key)?.length ?? 0).toBe(before + 1)
  return { result, inSpin: lastSeen(key) }
}

forEachStore((_name, makeStore) => {
  const originRun = async (store: Datastore, scale = 3) => run(Grid, { store, log: quiet, params: { scale } })

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
      expect((await client.runs("Grid")).map((listed) => listed.runId)).toEqual([runId, origin.runId])
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
