/** A failing step: failed attempts committed, retry, catch, timeout (DESIGN.md §2 step options, §4). */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { StepTimeoutError } from "../../lib/errors.js"
import { flow, foreach, join, run, step } from "../../lib/index.js"
import { runFailure } from "./failure.js"
import { latestManifests, readMeta, rebuildSnapshot } from "./manifests.js"
import { forEachStore, quiet } from "../stores.js"

const never = (signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true })
  })

forEachStore((_name, makeStore) => {
  describe("a throwing step", () => {
    test("commits a failed attempt and the run rejects with RunFailedError", async () => {
      const store = await makeStore()
      const boom = new TypeError("boom")
      let after = 0
      const F = pipe(
        flow("Throws"),
        step("start", () => ({ x: 1 })),
        step("bad", (): { y: number } => {
          throw boom
        }),
        step("end", () => ({ z: ++after }))
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
      expect(failure).toMatchObject({ flow: "Throws", runId: "r1", step: "bad", taskId: "0" })
      expect(failure.cause).toBe(boom)
      expect([failure._tag, failure.name]).toEqual(["RunFailedError", "RunFailedError"])
      expect(failure.message).toBe("artiflow: run 'r1' of flow 'Throws' failed in step 'bad' (task 0): boom")
      expect(after).toBe(0)
      const manifests = await store.readManifests("Throws", "r1")
      expect(manifests.map((m) => [m.step, m.attempt, m.status])).toEqual([
        ["start", 0, "succeeded"],
        ["bad", 0, "failed"]
      ])
      const bad = manifests[1]
      expect(bad?.artifacts).toEqual({})
      expect(bad?.error?.name).toBe("TypeError")
      expect(bad?.error?.message).toBe("boom")
      expect(bad?.error?.stack).toContain("boom")
      const meta = await readMeta(store, "Throws", "r1")
      expect(meta.status).toBe("failed")
      expect(meta.failure).toEqual({ step: "bad", taskId: "0", message: failure.message })
    })

    test("a thrown non-error is the cause as is", async () => {
      const F = pipe(
        flow("ThrowsString"),
        step("bad", (): { y: number } => {
          throw "plain string"
        })
      )
      const failure = await runFailure(run(F, { store: await makeStore(), log: quiet }))
      expect(failure.cause).toBe("plain string")
    })
  })

  describe("retry", () => {
    test("makes new attempts (ctx.attempt 0..n), all committed in order; readers see the latest", async () => {
      const store = await makeStore()
      const attempts: Array<number> = []
      const F = pipe(
        flow("Retry"),
        step("start", () => ({ x: 1 })),
        step(
          "flaky",
          (a, ctx) => {
            attempts.push(ctx.attempt)
            if (ctx.attempt < 2) throw new Error(`attempt ${ctx.attempt}`)
            return { y: a.x + ctx.attempt }
          },
          { retry: 3 }
        ),
        step("end", (a) => ({ z: a.y }))
      )
      const result = await run(F, { store, log: quiet, runId: "r1" })
      expect(attempts).toEqual([0, 1, 2])
      expect(result.artifacts).toEqual({ x: 1, y: 3, z: 3 })
      const manifests = await store.readManifests("Retry", "r1")
      expect(manifests.map((m) => [m.step, m.attempt, m.status, m.error?.message])).toEqual([
        ["start", 0, "succeeded", undefined],
        ["flaky", 0, "failed", "attempt 0"],
        ["flaky", 1, "failed", "attempt 1"],
        ["flaky", 2, "succeeded", undefined],
        ["end", 0, "succeeded", undefined]
      ])
      expect((await latestManifests(store, "Retry", "r1")).get("flaky/0")?.attempt).toBe(2)
      expect(manifests[4]?.base).toEqual({ runId: "r1", step: "flaky", taskId: "0", attempt: 2 })
      expect(await rebuildSnapshot(store, "Retry", "r1", "end")).toEqual(result.artifacts)
    })

    test("fails the run after the last retry", async () => {
      const store = await makeStore()
      let calls = 0
      const F = pipe(
        flow("RetryOut"),
        step(
          "bad",
          (_a, ctx): { y: number } => {
            calls++
            throw new Error(`attempt ${ctx.attempt}`)
          },
          { retry: 2 }
        )
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
      expect(calls).toBe(3)
      expect((failure.cause as Error).message).toBe("attempt 2")
      const manifests = await store.readManifests("RetryOut", "r1")
      expect(manifests.map((m) => [m.attempt, m.status])).toEqual([
        [0, "failed"],
        [1, "failed"],
        [2, "failed"]
      ])
    })
  })

  describe("catch", () => {
    test("stores { name, message, stack } after the last attempt and the run continues", async () => {
      const store = await makeStore()
      const F = pipe(
        flow("Catch"),
        step("start", () => ({ x: 1 })),
        step(
          "bad",
          (_a, ctx): { y: number } => {
            throw new RangeError(`nope ${ctx.attempt}`)
          },
          { retry: 1, catch: "err" }
        ),
        step("end", (a) => ({ sawError: a.err?.message ?? "none", y: a.y ?? -1 }))
      )
      const result = await run(F, { store, log: quiet, runId: "r1" })
      const err = result.artifacts.err
      expect(err?.name).toBe("RangeError")
      expect(err?.message).toBe("nope 1")
      expect(err?.stack).toContain("nope 1")
      expect(result.artifacts).toMatchObject({ x: 1, sawError: "nope 1", y: -1 })
      const manifests = await store.readManifests("Catch", "r1")
      expect(manifests.map((m) => [m.step, m.attempt, m.status, Object.keys(m.artifacts)])).toEqual([
        ["start", 0, "succeeded", ["x"]],
        ["bad", 0, "failed", []],
        ["bad", 1, "succeeded", ["err"]],
        ["end", 0, "succeeded", ["sawError", "y"]]
      ])
      expect(manifests[2]?.error?.message).toBe("nope 1")
      expect((await readMeta(store, "Catch", "r1")).status).toBe("succeeded")
      expect(await rebuildSnapshot(store, "Catch", "r1", "bad")).toEqual({ x: 1, err: { ...err } })
    })

    test("a step that succeeds writes no error artifact", async () => {
      const F = pipe(
        flow("CatchOk"),
        step("fine", () => ({ y: 1 }), { catch: "err" })
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts.err).toBeUndefined()
      expect(result.artifacts.y).toBe(1)
    })
  })

  describe("timeout", () => {
    test("fails the attempt with StepTimeoutError and aborts ctx.signal", async () => {
      const store = await makeStore()
      const reasons: Array<unknown> = []
      const F = pipe(
        flow("Timeout"),
        step(
          "slow",
          async (_a, ctx): Promise<{ y: number }> => {
            ctx.signal.addEventListener("abort", () => reasons.push(ctx.signal.reason))
            return never(ctx.signal)
          },
          { timeout: 20 }
        )
      )
      const started = Date.now()
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(failure.cause).toBeInstanceOf(StepTimeoutError)
      expect((failure.cause as Error).message).toBe("artiflow: step 'slow' timed out after 20 ms (attempt 0)")
      expect(reasons).toEqual([failure.cause])
      const [manifest] = await store.readManifests("Timeout", "r1")
      expect([manifest?.status, manifest?.error?.name]).toEqual(["failed", "StepTimeoutError"])
    })

    test("a timed-out attempt is retried, and a step that ignores its signal is still cut off", async () => {
      const store = await makeStore()
      const F = pipe(
        flow("TimeoutRetry"),
        step(
          "slow",
          async (_a, ctx) => {
            if (ctx.attempt === 0) await new Promise((resolve) => setTimeout(resolve, 300))
            return { attempt: ctx.attempt }
          },
          { timeout: 20, retry: 1 }
        )
      )
      const result = await run(F, { store, log: quiet, runId: "r1" })
      expect(result.artifacts.attempt).toBe(1)
      const manifests = await store.readManifests("TimeoutRetry", "r1")
      expect(manifests.map((m) => [m.attempt, m.status, m.error?.name])).toEqual([
        [0, "failed", "StepTimeoutError"],
        [1, "succeeded", undefined]
      ])
      expect(manifests[0]!.finishedAt - manifests[0]!.startedAt).toBeLessThan(250)
    })
  })

  test("a failing task in a nested foreach is named by its index path", async () => {
    const store = await makeStore()
    const F = pipe(
      flow("NestedFail"),
      step("start", () => ({ rows: [[1, 2], [3, 4]] })),
      foreach(
        "rows",
        (f) =>
          pipe(
            f,
            step("row", (_a, ctx) => ({ cells: ctx.input })),
            foreach(
              "cells",
              step("cell", (_a, ctx) => {
                if (ctx.input === 4) throw new Error("bad cell")
                return { v: ctx.input }
              })
            ),
            join("inner")
          )
      ),
      join("outer")
    )
    const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
    expect([failure.step, failure.taskId, (failure.cause as Error).message]).toEqual(["cell", "1.1", "bad cell"])
    // Siblings still running when it failed were interrupted: they say so, and do not claim its error.
    const failed = (await store.readManifests("NestedFail", "r1")).filter((m) => m.status === "failed")
    const own = failed.filter((m) => m.error?.name !== "RunStopped")
    expect(own.map((m) => [m.step, m.taskId])).toEqual([["cell", "1.1"]])
    const stopped = "artiflow: interrupted: the run stopped when step 'cell' (task 1.1) failed"
    expect(failed.filter((m) => m.error?.name === "RunStopped").every((m) => m.error?.message === stopped)).toBe(true)
  })
})
