/** What stops a task or a run for good: values the codec rejects, cancellation, a failing foreach task. */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { storeValue } from "../../lib/datastore/artifacts.js"
import { NotStorableError, RunAbortedError } from "../../lib/errors.js"
import { flow, foreach, join, memoryStore, run, split, step } from "../../lib/index.js"
import { notStorable } from "../../lib/types/messages.js"
import { expectCause, runFailure } from "./failure.js"
import { expectConsistent, readMeta, rebuildSnapshot } from "./manifests.js"
import { forEachStore, quiet } from "../stores.js"
import { chain, js } from "./untyped.js"

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Rejects with the signal's reason once it aborts (or after 2 s, so that a broken run cannot hang the test). */
const aborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the signal was never aborted")), 2_000)
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true })
  })

class Model {
  weights = [1, 2]
  predict(): number {
    return 1
  }
}

const blobHash = async (value: unknown): Promise<string> => {
  const entry = await storeValue(memoryStore(), value)
  if (entry._tag === "Left") throw new Error("expected a storable value")
  return entry.right.hash
}

forEachStore((_name, makeStore) => {
  describe("a value the codec rejects", () => {
    test.each([
      ["a function", { fn: () => 1 }, "fn", "a function", ""],
      ["a class instance with methods", { model: new Model() }, "model", "an object with methods", ""],
      ["a WeakMap", { cache: new WeakMap() }, "cache", "a WeakMap or WeakSet", ""],
      ["a method deep inside", { cfg: { nested: { run() {} } } }, "cfg", "an object with methods", "nested.run"]
    ])("(%s) fails the task naming step and artifact; nothing of the attempt is visible; no retry", async (
      _case,
      bad,
      artifact,
      what,
      path
    ) => {
      const store = await makeStore()
      const big = `big-${"b".repeat(20_000)}`
      let calls = 0
      const F = chain(
        js.flow("NotStorable"),
        js.step("start", () => ({ x: 1 })),
        js.step(
          "bad",
          () => {
            calls++
            return { early: big, ...bad }
          },
          { retry: 2, catch: "err" }
        )
      )
      const failure = await runFailure(js.run(F, { store, log: quiet, runId: "r1" }))
      const cause = expectCause(failure, NotStorableError, notStorable("bad", artifact, what))
      expect([cause.step, cause.artifact, cause.path]).toEqual(["bad", artifact, path])
      expect([failure.step, failure.taskId, calls]).toEqual(["bad", "0", 1])
      const manifests = await store.readManifests("NotStorable", "r1")
      expect(manifests.map((m) => [m.step, m.attempt, m.status, m.artifacts])).toEqual([
        ["start", 0, "succeeded", expect.anything()],
        ["bad", 0, "failed", {}]
      ])
      expect(await store.hasBlob(await blobHash(big))).toBe(false)
    })

    test("a join's resolve function returning one fails the same way", async () => {
      const F = chain(
        js.flow("NotStorableJoin"),
        js.step("start", () => ({ x: 1 })),
        js.split({ l: js.step("l", () => ({ x: 2 })), r: js.step("r", () => ({ x: 3 })) }),
        js.join("merge", { resolve: { x: () => new WeakMap() } })
      )
      const failure = await runFailure(js.run(F, { store: await makeStore(), log: quiet }))
      expectCause(failure, NotStorableError, notStorable("merge", "x", "a WeakMap or WeakSet"))
    })
  })

  describe("cancelling a run through its signal", () => {
    test("rejects with RunFailedError caused by RunAbortedError and leaves the store consistent", async () => {
      const store = await makeStore()
      const controller = new AbortController()
      const seen: Array<unknown> = []
      const F = pipe(
        flow("Abort"),
        step("start", () => ({ x: 1 })),
        step("wait", async (_a, ctx): Promise<{ y: number }> => {
          setTimeout(() => controller.abort(), 20)
          return aborted(ctx.signal).catch((error: unknown) => {
            seen.push(error)
            throw error
          })
        }),
        step("never", () => ({ z: 1 }))
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1", signal: controller.signal }))
      expect(failure.cause).toBeInstanceOf(RunAbortedError)
      expect((failure.cause as Error).message).toBe("artiflow: run 'r1' was aborted")
      expect(seen).toEqual([failure.cause])
      const meta = await readMeta(store, "Abort", "r1")
      expect(meta.status).toBe("failed")
      expect(meta.finishedAt).toBeGreaterThanOrEqual(meta.startedAt)
      expect(meta.failure?.message).toBe(failure.message)
      const manifests = await store.readManifests("Abort", "r1")
      expect(manifests.map((m) => [m.step, m.status, m.error?.name])).toEqual([
        ["start", "succeeded", undefined],
        ["wait", "failed", "RunAbortedError"]
      ])
      expect(await rebuildSnapshot(store, "Abort", "r1", "start")).toEqual({ x: 1 })
      expect(await expectConsistent(store, "Abort", "r1")).toBe(2)
    })

    test("in the middle of a foreach: finished tasks stay committed and readable, the rest stop", async () => {
      const store = await makeStore()
      const controller = new AbortController()
      const started: Array<number> = []
      const F = pipe(
        flow("AbortForeach"),
        step("start", () => ({ items: [0, 1, 2, 3, 4, 5] })),
        foreach(
          "items",
          step("body", async (_a, ctx) => {
            started.push(ctx.input)
            if (ctx.input < 2) return { y: ctx.input, payload: "p".repeat(20_000) }
            if (ctx.input === 2) setTimeout(() => controller.abort(), 30)
            return aborted(ctx.signal)
          }),
          { concurrency: 3 }
        ),
        join("gather", (inputs) => ({ ys: inputs.map((i) => i.y) }))
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1", signal: controller.signal }))
      expect(failure.cause).toBeInstanceOf(RunAbortedError)
      expect(started.sort()).toEqual([0, 1, 2, 3, 4])
      expect((await readMeta(store, "AbortForeach", "r1")).status).toBe("failed")
      const body = (await store.readManifests("AbortForeach", "r1")).filter((m) => m.step === "body")
      expect(body.filter((m) => m.status === "succeeded").map((m) => m.taskId).sort()).toEqual(["0", "1"])
      const failed = body.filter((m) => m.status === "failed")
      expect(failed.map((m) => [m.taskId, m.error?.name]).sort()).toEqual([
        ["2", "RunAbortedError"],
        ["3", "RunAbortedError"],
        ["4", "RunAbortedError"]
      ])
      expect(await rebuildSnapshot(store, "AbortForeach", "r1", "body", "1")).toMatchObject({ y: 1 })
      await expectConsistent(store, "AbortForeach", "r1")
    })

    test("a signal aborted before the run starts runs no step", async () => {
      const store = await makeStore()
      let calls = 0
      const F = pipe(
        flow("PreAborted"),
        step("start", () => ({ x: ++calls }))
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1", signal: AbortSignal.abort() }))
      expect(failure.cause).toBeInstanceOf(RunAbortedError)
      expect(calls).toBe(0)
      expect((await readMeta(store, "PreAborted", "r1")).status).toBe("failed")
      expect(await store.readManifests("PreAborted", "r1")).toEqual([])
    })
  })

  describe("a task that fails for good", () => {
    test("in a foreach: stops its siblings and fails the run with that task", async () => {
      const store = await makeStore()
      const started: Array<number> = []
      const siblingSignals: Array<unknown> = []
      const boom = new Error("task 1 failed")
      const F = pipe(
        flow("ForeachFail"),
        step("start", () => ({ items: [0, 1, 2, 3, 4, 5] })),
        foreach(
          "items",
          step("body", async (_a, ctx): Promise<{ y: number }> => {
            started.push(ctx.input)
            if (ctx.input === 1) {
              await delay(10)
              throw boom
            }
            return aborted(ctx.signal).catch((error: unknown) => {
              siblingSignals.push(error)
              throw error
            })
          }),
          { concurrency: 3 }
        ),
        join("gather")
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
      expect([failure.step, failure.taskId]).toEqual(["body", "1"])
      expect(failure.cause).toBe(boom)
      expect(started.sort()).toEqual([0, 1, 2])
      expect(siblingSignals).toEqual([boom, boom])
      const manifests = await store.readManifests("ForeachFail", "r1")
      const body = manifests.filter((m) => m.step === "body")
      const stopped = "artiflow: interrupted: the run stopped when step 'body' (task 1) failed"
      expect(body.map((m) => [m.taskId, m.status, m.error?.name, m.error?.message]).sort()).toEqual([
        ["0", "failed", "RunStopped", stopped],
        ["1", "failed", "Error", "task 1 failed"],
        ["2", "failed", "RunStopped", stopped]
      ])
      expect(manifests.some((m) => m.step === "gather")).toBe(false)
      expect(await expectConsistent(store, "ForeachFail", "r1")).toBe(4)
      expect((await readMeta(store, "ForeachFail", "r1")).failure).toMatchObject({ step: "body", taskId: "1" })
    })

    test("an interrupted task is not caught (its catch would store another task's error)", async () => {
      const store = await makeStore()
      const attempts: Array<number> = []
      const boom = new Error("right failed")
      const F = pipe(
        flow("Interrupted"),
        step("start", () => ({ x: 1 })),
        split({
          left: step(
            "wait",
            (_a, ctx): Promise<{ y: number }> => {
              attempts.push(ctx.attempt)
              return aborted(ctx.signal)
            },
            { catch: "err" }
          ),
          right: step("bad", async (): Promise<{ z: number }> => {
            await delay(10)
            throw boom
          })
        }),
        join("merge")
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
      expect([failure.step, failure.cause]).toEqual(["bad", boom])
      expect(attempts).toEqual([0])
      const wait = (await store.readManifests("Interrupted", "r1")).filter((m) => m.step === "wait")
      const attemptsOfWait = wait.map((m) => [m.attempt, m.status, m.artifacts, m.error?.name])
      expect(attemptsOfWait).toEqual([[0, "failed", {}, "RunStopped"]])
    })
  })
})
