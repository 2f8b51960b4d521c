/** DESIGN.md §3.1-§3.3 at run time: what a step's record holds, immutability, ephemeral names, read-only params. */
import { writeFile } from "node:fs/promises"
import { join as joinPath } from "node:path"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { storeValue } from "../../lib/datastore/artifacts.js"
import { FlowDefinitionError } from "../../lib/errors.js"
import { flow, foreach, includeFile, join, memoryStore, param, run, split, step } from "../../lib/index.js"
import { paramWrite } from "../../lib/types/messages.js"
import { expectCause, runFailure } from "./failure.js"
import { latestManifests, manifestOf } from "./manifests.js"
import { forEachStore, quiet, tempDir } from "../stores.js"
import { chain, js } from "./untyped.js"

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

forEachStore((_name, makeStore) => {
  describe("a step's record", () => {
    test("is the previous record plus the step's output; a returned key replaces value and type", async () => {
      const seen: Array<Record<string, unknown>> = []
      const F = pipe(
        flow("Rec", { params: { n: param(t.number, { default: 2 }) } }),
        step("start", (a) => {
          seen.push({ ...a })
          return { x: a.n * 10, label: "first" }
        }),
        step("middle", (a) => {
          seen.push({ ...a })
          return { x: String(a.x), extra: true }
        }),
        step("end", (a) => {
          seen.push({ ...a })
          return { len: a.x.length }
        })
      )
      const store = await makeStore()
      const result = await run(F, { store, log: quiet })
      expect(seen).toEqual([
        { n: 2 },
        { n: 2, x: 20, label: "first" },
        { n: 2, x: "20", label: "first", extra: true }
      ])
      expect(result.artifacts).toEqual({ n: 2, x: "20", label: "first", extra: true, len: 2 })
      const middle = await manifestOf(store, "Rec", result.runId, "middle")
      expect(Object.keys(middle.artifacts).sort()).toEqual(["extra", "x"])
      expect(middle.artifacts.x?.type).toBe("string")
    })

    test("records are deeply frozen: assigning throws, and later steps see the stored value", async () => {
      const errors: Array<string> = []
      const F = pipe(
        flow("Frozen"),
        step("start", () => ({ obj: { inner: { y: 1 }, list: [1, 2] }, m: new Map([["k", 1]]) })),
        step("tamper", (a) => {
          const attempts: ReadonlyArray<() => void> = [
            () => ((a as { obj: unknown }).obj = {}),
            () => ((a.obj.inner as { y: number }).y = 2),
            () => (a.obj.list as Array<number>).push(3),
            () => (a.m as Map<string, number>).set("k", 2)
          ]
          for (const attempt of attempts) {
            try {
              attempt()
            } catch (error) {
              errors.push((error as Error).constructor.name)
            }
          }
          return {}
        }),
        step("end", (a) => ({ copy: { y: a.obj.inner.y, list: [...a.obj.list], k: a.m.get("k") } }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      // Plain objects and arrays throw TypeError in strict mode; immer's frozen Map throws its own Error.
      expect(errors).toEqual(["TypeError", "TypeError", "TypeError", "Error"])
      expect(result.artifacts.copy).toEqual({ y: 1, list: [1, 2], k: 1 })
      expect(Object.isFrozen(result.artifacts)).toBe(true)
      expect(Object.isFrozen(result.artifacts.obj.inner)).toBe(true)
    })

    test("sibling foreach tasks cannot see each other's writes", async () => {
      const F = pipe(
        flow("Siblings"),
        step("start", () => ({ items: [0, 1, 2, 3] })),
        foreach(
          "items",
          (f) =>
            pipe(
              f,
              step("write", async (a, ctx) => {
                await delay(ctx.input * 3)
                return { before: Object.keys(a).sort(), mine: ctx.input }
              }),
              step("read", async (a, ctx) => {
                await delay((3 - ctx.input) * 3)
                return { sawMine: a.mine, input: ctx.input }
              })
            )
        ),
        join("gather", (inputs) => ({
          pairs: inputs.map((i) => [i.sawMine, i.input]),
          before: inputs.map((i) => i.before)
        }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts.pairs).toEqual([[0, 0], [1, 1], [2, 2], [3, 3]])
      expect(result.artifacts.before).toEqual([["items"], ["items"], ["items"], ["items"]])
    })

    test("split branches cannot see each other's writes", async () => {
      const F = pipe(
        flow("Branches"),
        step("start", () => ({ shared: 1 })),
        split({
          left: step("l", () => ({ fromLeft: "L" })),
          right: step("r", async (a) => {
            await delay(20)
            return { rightSaw: Object.keys(a).sort() }
          })
        }),
        join("merge")
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts.rightSaw).toEqual(["shared"])
      expect(result.artifacts.fromLeft).toBe("L")
    })
  })

  describe("ephemeral names", () => {
    test("`_` names reach no later step and are never persisted", async () => {
      const store = await makeStore()
      const scratch = `scratch-${"x".repeat(20_000)}`
      let laterSaw: ReadonlyArray<string> = []
      const F = pipe(
        flow("Ephemeral"),
        step("start", () => ({ kept: 1, _scratch: scratch })),
        step("end", (a) => {
          laterSaw = Object.keys(a)
          return { _again: { big: scratch }, done: true }
        })
      )
      const result = await run(F, { store, log: quiet })
      expect(laterSaw).toEqual(["kept"])
      expect(Object.keys(result.artifacts).sort()).toEqual(["done", "kept"])
      const manifests = await store.readManifests("Ephemeral", result.runId)
      expect(manifests.map((m) => Object.keys(m.artifacts))).toEqual([["kept"], ["done"]])
      expect(manifests.every((m) => m.removed === undefined)).toBe(true)
      for (const value of [scratch, { big: scratch }]) {
        const entry = await storeValue(memoryStore(), value)
        if (entry._tag === "Left") throw new Error("storable")
        expect(await store.hasBlob(entry.right.hash)).toBe(false)
      }
    })
  })

  describe("parameters and included files are read-only", () => {
    test("writing a parameter fails with the paramWrite message, without retry", async () => {
      const store = await makeStore()
      const F = chain(
        js.flow("WriteParam", { params: { n: param(t.number, { default: 1 }) } }),
        js.step("bad", () => ({ n: 2 }), { retry: 2 })
      )
      const failure = await runFailure(js.run(F, { store, log: quiet, runId: "r1" }))
      expectCause(failure, FlowDefinitionError, paramWrite("bad", "n"))
      expect([failure.step, failure.taskId]).toEqual(["bad", "0"])
      const manifests = await store.readManifests("WriteParam", "r1")
      expect(manifests.map((m) => [m.step, m.attempt, m.status])).toEqual([["bad", 0, "failed"]])
      expect(manifests[0]?.error?.message).toBe(paramWrite("bad", "n"))
    })

    test("writing an included file fails the same way, even with catch", async () => {
      const store = await makeStore()
      const path = joinPath(await tempDir(), "in.txt")
      await writeFile(path, "hello")
      const F = chain(
        js.flow("WriteFile", { params: { text: includeFile() } }),
        js.step("bad", (a: { text: string }) => ({ text: a.text.toUpperCase() }), { catch: "err" })
      )
      const failure = await runFailure(js.run(F, { store, log: quiet, runId: "r1", params: { text: path } }))
      expectCause(failure, FlowDefinitionError, paramWrite("bad", "text"))
      const manifests = await store.readManifests("WriteFile", "r1")
      expect(manifests.map((m) => [m.step, m.attempt, m.status])).toEqual([["bad", 0, "failed"]])
    })
  })

  describe("step functions", () => {
    test("async steps are awaited", async () => {
      const F = pipe(
        flow("Async"),
        step("start", async () => {
          await delay(5)
          return { x: 1 }
        }),
        step("end", async (a) => ({ y: await Promise.resolve(a.x + 1) }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts).toEqual({ x: 1, y: 2 })
    })

    test("a step returning nothing leaves the record unchanged and commits an empty delta", async () => {
      const store = await makeStore()
      const F = pipe(
        flow("Nothing"),
        step("start", () => ({ x: 1 })),
        step("noop", () => {}),
        step("end", (a) => ({ y: a.x }))
      )
      const result = await run(F, { store, log: quiet })
      expect(result.artifacts).toEqual({ x: 1, y: 1 })
      const noop = await manifestOf(store, "Nothing", result.runId, "noop")
      expect(noop.status).toBe("succeeded")
      expect(noop.artifacts).toEqual({})
      expect(noop.base).toEqual({ runId: result.runId, step: "start", taskId: "0", attempt: 0 })
    })

    test.each([
      [42, "42"],
      [[1, 2], "an array of 2"],
      ["text", '"text"'],
      [new Map(), "a Map"]
    ])("a step returning %o fails clearly", async (returned, described) => {
      const store = await makeStore()
      const F = chain(js.flow("NotObject"), js.step("bad", () => returned, { retry: 1 }))
      const failure = await runFailure(js.run(F, { store, log: quiet, runId: "r1" }))
      expectCause(
        failure,
        FlowDefinitionError,
        `artiflow: step 'bad' must return an object of artifacts (or nothing), not ${described}`
      )
      expect((await latestManifests(store, "NotObject", "r1")).get("bad/0")?.attempt).toBe(0)
    })
  })
})
