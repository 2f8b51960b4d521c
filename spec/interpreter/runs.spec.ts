/** `run`'s options and edges: large binary artifacts, maxWorkers, logging, runTaskEither, invalid runs. */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { loadValue } from "../../lib/datastore/load.js"
import { FlowDefinitionError, ParamError, RunFailedError, StorageError } from "../../lib/errors.js"
import { flow, foreach, join, param, run, runTaskEither, split, step } from "../../lib/index.js"
import type { LogLine } from "../../lib/index.js"
import { invalidOption, runOpen } from "../../lib/types/messages.js"
import { manifestOf, readMeta, rebuildSnapshot } from "./manifests.js"
import { spyingStore, forEachStore, quiet } from "../stores.js"
import { chain, js } from "./untyped.js"

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const rejection = (running: Promise<unknown>): Promise<unknown> =>
  running.then(
    () => {
      throw new Error("expected the run to reject")
    },
    (error: unknown) => error
  )

forEachStore((_name, makeStore) => {
  describe("a 5 MB Float64Array", () => {
    test("passes between steps as is and is stored once, as one raw blob", async () => {
      const counted = spyingStore(await makeStore())
      const length = (5 * 1024 * 1024) / 8
      const F = pipe(
        flow("Big"),
        step("start", () => {
          const weights = new Float64Array(length)
          for (let i = 0; i < length; i++) weights[i] = i * 0.5
          return { weights }
        }),
        step("read", (a) => ({ sum: a.weights[length - 1], same: a.weights.length })),
        step("pass", (a) => ({ weights: a.weights, copyLength: a.weights.byteLength })),
        step("end", () => ({}))
      )
      const result = await run(F, { store: counted.store, log: quiet, runId: "r1" })
      expect(result.artifacts.sum).toBe((length - 1) * 0.5)
      expect(counted.writes.filter((size) => size >= 5 * 1024 * 1024)).toEqual([5 * 1024 * 1024])
      const entry = (await manifestOf(counted.store, "Big", "r1", "start")).artifacts.weights
      expect(entry).toMatchObject({ type: "Float64Array", encoding: "raw", size: 5 * 1024 * 1024 })
      expect(entry?.inline).toBeUndefined()
      expect(Object.keys((await manifestOf(counted.store, "Big", "r1", "pass")).artifacts)).toEqual(["copyLength"])
      const where = { flow: "Big", runId: "r1", step: "start", taskId: "0", artifact: "weights" }
      const loaded = (await loadValue(counted.store, entry!, where)) as Float64Array
      expect(loaded).toBeInstanceOf(Float64Array)
      expect(loaded.length).toBe(length)
      expect(loaded[12345]).toBe(12345 * 0.5)
      expect(result.artifacts.weights).toBeInstanceOf(Float64Array)
    })
  })

  describe("maxWorkers", () => {
    test.each([1, 3])("bounds the tasks running at once across foreach tasks and branches (%i)", async (maxWorkers) => {
      let active = 0
      let max = 0
      const work = async (): Promise<object> => {
        max = Math.max(max, ++active)
        await delay(15)
        active--
        return {}
      }
      const F = pipe(
        flow("Workers"),
        step("start", () => ({ items: [1, 2, 3, 4, 5, 6] })),
        split({
          a: (f) => pipe(f, foreach("items", step("body", work)), join("gather")),
          b: step("b", work),
          c: step("c", work)
        }),
        join("merge")
      )
      await run(F, { store: await makeStore(), log: quiet, maxWorkers })
      expect(max).toBe(maxWorkers)
    })

    test("an invalid maxWorkers is refused before any run exists", async () => {
      const store = await makeStore()
      const F = pipe(flow("BadWorkers"), step("start", () => ({})))
      const error = await rejection(run(F, { store, log: quiet, maxWorkers: 0 }))
      expect(error).toBeInstanceOf(FlowDefinitionError)
      expect((error as Error).message).toBe(invalidOption("run of flow 'BadWorkers'", "maxWorkers", "an integer > 0", 0))
      expect(await store.listFlows()).toEqual([])
    })
  })

  describe("logging", () => {
    test("ctx.log lines reach the log option, with where they came from, and the manifest", async () => {
      const store = await makeStore()
      const lines: Array<LogLine> = []
      const F = pipe(
        flow("Logs"),
        step("start", () => ({ xs: ["a", "b"] })),
        foreach("xs", step("body", (_a, ctx) => ctx.log("item %s at", ctx.input, ctx.index))),
        join("gather")
      )
      await run(F, { store, log: (line) => lines.push(line), runId: "r1" })
      const sorted = [...lines].sort((p, q) => p.taskId.localeCompare(q.taskId))
      expect(sorted).toEqual([
        { flow: "Logs", runId: "r1", step: "body", taskId: "0", attempt: 0, text: "item a at 0" },
        { flow: "Logs", runId: "r1", step: "body", taskId: "1", attempt: 0, text: "item b at 1" }
      ])
      expect((await manifestOf(store, "Logs", "r1", "body", "1")).logs).toEqual(["item b at 1"])
      expect((await manifestOf(store, "Logs", "r1", "start")).logs).toBeUndefined()
    })
  })

  describe("runTaskEither", () => {
    const Sum = pipe(
      flow("Sum", { params: { n: param(t.number) } }),
      step("start", (a) => {
        if (a.n < 0) throw new Error("negative")
        return { doubled: a.n * 2 }
      })
    )

    test("resolves to right on success", async () => {
      const result = await runTaskEither(Sum, { params: { n: 2 }, store: await makeStore(), log: quiet, runId: "r1" })()
      expect(result).toEqual({
        _tag: "Right",
        right: { flow: "Sum", runId: "r1", status: "succeeded", artifacts: { n: 2, doubled: 4 } }
      })
    })

    test("resolves to left with the error run would reject with", async () => {
      const store = await makeStore()
      const failed = await runTaskEither(Sum, { params: { n: -1 }, store, log: quiet, runId: "r1" })()
      expect(failed._tag).toBe("Left")
      if (failed._tag !== "Left") return
      expect(failed.left).toBeInstanceOf(RunFailedError)
      expect(failed.left).toMatchObject({ flow: "Sum", runId: "r1", step: "start", taskId: "0" })
      const invalid = await runTaskEither(Sum, { params: { n: "x" as never }, store, log: quiet })()
      expect(invalid._tag === "Left" && invalid.left).toBeInstanceOf(ParamError)
    })
  })

  describe("runs that cannot start", () => {
    test("a flow with an open split is refused with the runOpen message", async () => {
      const F = chain(js.flow("Open"), js.step("start", () => ({})), js.split({ a: js.step("a", () => ({})) }))
      const error = await rejection(js.run(F, { store: await makeStore(), log: quiet }))
      expect(error).toBeInstanceOf(FlowDefinitionError)
      expect((error as Error).message).toBe(runOpen("Open", "split"))
    })

    test("a run id already used is refused and leaves the first run as it was", async () => {
      const store = await makeStore()
      const F = pipe(flow("Twice"), step("start", () => ({ x: 1 })))
      await run(F, { store, log: quiet, runId: "r1" })
      const error = await rejection(run(F, { store, log: quiet, runId: "r1" }))
      expect(error).toBeInstanceOf(StorageError)
      expect((await readMeta(store, "Twice", "r1")).status).toBe("succeeded")
      expect(await store.readManifests("Twice", "r1")).toHaveLength(1)
      expect(await rebuildSnapshot(store, "Twice", "r1", "start")).toEqual({ x: 1 })
    })
  })
})
