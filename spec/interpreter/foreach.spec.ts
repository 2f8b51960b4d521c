/** DESIGN.md §3.4, §3.6, §3.7 at run time: foreach tasks, their context, their join. */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { FlowDefinitionError } from "../../lib/errors.js"
import { flow, foreach, join, run, step } from "../../lib/index.js"
import {
  equalMismatch,
  equalNotWritten,
  foreachMissing,
  foreachNotArray,
  inputOutsideForeach
} from "../../lib/types/messages.js"
import { expectCause, runFailure } from "./failure.js"
import { readMeta } from "./manifests.js"
import { forEachStore, quiet } from "../stores.js"
import { chain, js } from "./untyped.js"

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

forEachStore((_name, makeStore) => {
  describe("the context of a foreach task", () => {
    test("has the element, its index and the frames, outermost first (nested too); task ids are paths", async () => {
      const store = await makeStore()
      const seen: Array<{ taskId: string; stack: unknown; input: number; index: number }> = []
      const F = pipe(
        flow("Nested"),
        step("start", () => ({ rows: [0, 1, 2, 3] })),
        foreach(
          "rows",
          (f) =>
            pipe(
              f,
              step("prep", (a, ctx) => ({ cols: [ctx.input * 10, ctx.input * 10 + 1] })),
              foreach(
                "cols",
                step("cell", (a, ctx) => {
                  seen.push({ taskId: ctx.taskId, stack: ctx.foreachStack, input: ctx.input, index: ctx.index })
                  return { v: ctx.input }
                })
              ),
              join("inner", (inputs, _a, ctx) => ({ vs: inputs.map((i) => i.v), innerTask: ctx.taskId }))
            )
        ),
        join("outer", (inputs) => ({ all: inputs.map((i) => [i.innerTask, i.vs]) }))
      )
      const result = await run(F, { store, log: quiet })
      expect(result.artifacts.all).toEqual([["0", [0, 1]], ["1", [10, 11]], ["2", [20, 21]], ["3", [30, 31]]])
      const cell31 = seen.find((s) => s.taskId === "3.1")
      expect(cell31).toEqual({
        taskId: "3.1",
        input: 31,
        index: 1,
        stack: [
          { step: "start", artifact: "rows", index: 3, count: 4, input: 3 },
          { step: "prep", artifact: "cols", index: 1, count: 2, input: 31 }
        ]
      })
      const manifests = await store.readManifests("Nested", result.runId)
      const ids = (step: string) => manifests.filter((m) => m.step === step).map((m) => m.taskId).sort()
      expect(ids("cell")).toEqual(["0.0", "0.1", "1.0", "1.1", "2.0", "2.1", "3.0", "3.1"])
      expect(ids("prep")).toEqual(["0", "1", "2", "3"])
      expect(ids("inner")).toEqual(["0", "1", "2", "3"])
      expect(ids("outer")).toEqual(["0"])
      const stored = manifests.find((m) => m.step === "cell" && m.taskId === "3.1")
      expect(stored?.foreachStack).toEqual([
        { step: "start", artifact: "rows", index: 3, count: 4 },
        { step: "prep", artifact: "cols", index: 1, count: 2 }
      ])
    })

    test("ctx.input and ctx.index outside a foreach throw the inputOutsideForeach message", async () => {
      const messages: Array<string> = []
      const F = pipe(
        flow("Outside"),
        step("start", (_a, ctx) => {
          const loose = ctx as unknown as { input: unknown; index: unknown }
          for (const read of [() => loose.input, () => loose.index]) {
            try {
              read()
            } catch (error) {
              expect(error).toBeInstanceOf(FlowDefinitionError)
              messages.push((error as Error).message)
            }
          }
          return { stack: [...ctx.foreachStack], taskId: ctx.taskId }
        })
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(messages).toEqual([inputOutsideForeach("start", "input"), inputOutsideForeach("start", "index")])
      expect(result.artifacts).toEqual({ stack: [], taskId: "0" })
    })
  })

  describe("what a foreach iterates", () => {
    test("an empty array runs zero tasks and the join gets []", async () => {
      const store = await makeStore()
      let bodyRuns = 0
      const F = pipe(
        flow("Empty"),
        step("start", () => ({ items: [] as Array<number> })),
        foreach(
          "items",
          step("body", (_a, ctx) => {
            bodyRuns++
            return { y: ctx.input }
          })
        ),
        join("gather", (inputs, a) => ({ got: [...inputs], items: a.items.length }))
      )
      const result = await run(F, { store, log: quiet })
      expect(bodyRuns).toBe(0)
      expect(result.artifacts.got).toEqual([])
      const steps = (await store.readManifests("Empty", result.runId)).map((m) => m.step)
      expect(steps).toEqual(["start", "gather"])
    })

    test.each([
      ["missing", "nope", foreachMissing("nope")],
      ["not an array", "notArray", foreachNotArray("notArray")]
    ])("a %s artifact fails the run with its message", async (_case, artifact, message) => {
      const store = await makeStore()
      const F = chain(
        js.flow("BadForeach"),
        js.step("start", () => ({ notArray: { length: 2 } })),
        js.foreach(artifact, js.step("body", () => ({}))),
        js.join("gather")
      )
      const failure = await runFailure(js.run(F, { store, log: quiet, runId: "r1" }))
      expectCause(failure, FlowDefinitionError, message)
      // Charged to the step whose record lacks the array, not to the run as a whole.
      expect([failure.step, failure.taskId]).toEqual(["start", "0"])
      expect((await readMeta(store, "BadForeach", "r1")).status).toBe("failed")
      expect((await store.readManifests("BadForeach", "r1")).map((m) => m.step)).toEqual(["start"])
    })

    test("a typed flow cast past the compiler fails the same way", async () => {
      const F = pipe(
        flow("CastForeach"),
        step("start", () => ({ xs: [1] })),
        foreach("nope" as never, step("body", () => ({}))),
        join("gather")
      )
      const failure = await runFailure(run(F, { store: await makeStore(), log: quiet }))
      expectCause(failure, FlowDefinitionError, foreachMissing("nope"))
    })
  })

  describe("the foreach join", () => {
    test("gets the inputs in index order, whatever order the tasks end in", async () => {
      const F = pipe(
        flow("Order"),
        step("start", () => ({ items: [0, 1, 2, 3, 4] })),
        foreach(
          "items",
          step("body", async (_a, ctx) => {
            await delay((4 - ctx.input) * 4)
            return { y: ctx.input * 2 }
          })
        ),
        join("gather", (inputs, a) => ({ ys: inputs.map((i) => i.y), passed: a.items }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts.ys).toEqual([0, 2, 4, 6, 8])
      expect(result.artifacts.passed).toEqual([0, 1, 2, 3, 4])
      expect("y" in result.artifacts).toBe(false)
    })

    test("equal: equal values (object key order ignored) pass through the join", async () => {
      const F = pipe(
        flow("EqualOk"),
        step("start", () => ({ items: [0, 1, 2] })),
        foreach(
          "items",
          step("body", (_a, ctx) => ({ cfg: ctx.index % 2 === 0 ? { a: 1, b: 2 } : { b: 2, a: 1 }, y: ctx.input }))
        ),
        join("gather", { equal: ["cfg"] }, (inputs, a) => ({ seenCfg: a.cfg, n: inputs.length }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts.cfg).toEqual({ a: 1, b: 2 })
      expect(result.artifacts.seenCfg).toEqual({ a: 1, b: 2 })
    })

    test("equal: different values fail with equalMismatch naming the tasks", async () => {
      const F = pipe(
        flow("EqualBad"),
        step("start", () => ({ items: [5, 5, 6] })),
        foreach("items", step("body", (_a, ctx) => ({ v: ctx.input }))),
        join("gather", { equal: ["v"] }, () => ({}))
      )
      const failure = await runFailure(run(F, { store: await makeStore(), log: quiet }))
      expectCause(failure, FlowDefinitionError, equalMismatch("gather", "v", "task 0", "task 2"))
      expect([failure.step, failure.taskId]).toEqual(["gather", "0"])
    })

    test("equal: a key written by only some tasks fails, naming a task that has it and one that does not", async () => {
      const F = chain(
        js.flow("EqualSome"),
        js.step("start", () => ({ items: [0, 1] })),
        js.foreach(
          "items",
          js.step("body", (_a: unknown, ctx: { index: number }) => (ctx.index === 0 ? {} : { v: 1 }))
        ),
        js.join("gather", { equal: ["v"] })
      )
      const failure = await runFailure(js.run(F, { store: await makeStore(), log: quiet }))
      expectCause(failure, FlowDefinitionError, equalMismatch("gather", "v", "task 1", "task 0"))
    })

    test("equal: a key the body does not write fails with equalNotWritten", async () => {
      const F = chain(
        js.flow("EqualUnwritten"),
        js.step("start", () => ({ items: [1, 2], k: 3 })),
        js.foreach("items", js.step("body", () => ({ y: 1 }))),
        js.join("gather", { equal: ["k"] })
      )
      const failure = await runFailure(js.run(F, { store: await makeStore(), log: quiet }))
      expectCause(failure, FlowDefinitionError, equalNotWritten("gather", "k"))
    })

    test("concurrency bounds the tasks running at once", async () => {
      const measure = async (concurrency: number | undefined): Promise<number> => {
        let active = 0
        let max = 0
        const body = step("body", async () => {
          max = Math.max(max, ++active)
          await delay(20)
          active--
          return {}
        })
        const F = pipe(
          flow("Bounded"),
          step("start", () => ({ items: [1, 2, 3, 4, 5, 6] })),
          concurrency === undefined ? foreach("items", body) : foreach("items", body, { concurrency }),
          join("gather")
        )
        await run(F, { store: await makeStore(), log: quiet })
        return max
      }
      expect(await measure(2)).toBe(2)
      expect(await measure(undefined)).toBe(6)
    })
  })
})
