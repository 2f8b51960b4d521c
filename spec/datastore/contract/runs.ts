import { describe, expect, test } from "vitest"
import { NotFoundError, StorageError } from "../../../lib/errors.js"
import { runMeta, withStore } from "./fixtures.js"
import type { MakeHarness } from "./fixtures.js"

/** Run metadata: createRun, updateRun, readRun, listRuns, listFlows, and name validation. */
export const runSection = (make: MakeHarness): void => {
  describe("runs", () => {
    test("createRun then readRun gives the metadata back", () =>
      withStore(make, async ({ store }) => {
        const meta = runMeta("Train", "r1", 5, { description: "nightly", sourceFile: "/x/train.ts" })
        await store.createRun(meta)
        expect(await store.readRun("Train", "r1")).toEqual(meta)
      }))

    test("creating a run twice is a StorageError and keeps the first", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1", 5))
        await expect(store.createRun(runMeta("Train", "r1", 6))).rejects.toBeInstanceOf(StorageError)
        await expect(store.createRun(runMeta("Train", "r1", 6))).rejects.toThrow(/already exists/)
        expect((await store.readRun("Train", "r1"))?.startedAt).toBe(5)
      }))

    test("updateRun replaces the metadata; updating a missing run is NotFoundError", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        const done = runMeta("Train", "r1", 1_000, { status: "succeeded", finishedAt: 2_000 })
        await store.updateRun(done)
        expect(await store.readRun("Train", "r1")).toEqual(done)
        await expect(store.updateRun(runMeta("Train", "nope"))).rejects.toBeInstanceOf(NotFoundError)
      }))

    test("reading a missing run gives undefined", () =>
      withStore(make, async ({ store }) => {
        expect(await store.readRun("Nope", "r1")).toBeUndefined()
        await store.createRun(runMeta("Train", "r1"))
        expect(await store.readRun("Train", "r2")).toBeUndefined()
      }))

    test("listRuns is newest first (by start time, then id), with summaries", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "a", 100))
        await store.createRun(runMeta("Train", "c", 300, { status: "failed", finishedAt: 350 }))
        await store.createRun(runMeta("Train", "b", 300))
        await store.createRun(runMeta("Train", "d", 200))
        const runs = await store.listRuns("Train")
        expect(runs.map((run) => run.id)).toEqual(["c", "b", "d", "a"])
        expect(runs[0]).toEqual({ id: "c", flow: "Train", status: "failed", startedAt: 300, finishedAt: 350, tags: [] })
        expect(runs[1]?.finishedAt).toBeUndefined()
        expect(await store.listRuns("Unknown")).toEqual([])
      }))

    test("listRunMetas (optional) lists what listRuns lists, in its order, each run as readRun reads it", () =>
      withStore(make, async ({ store }) => {
        if (store.listRunMetas === undefined) return
        await store.createRun(runMeta("Train", "a", 100, { description: "first" }))
        await store.createRun(runMeta("Train", "c", 300, { status: "failed", finishedAt: 350 }))
        await store.createRun(runMeta("Train", "b", 300, { tags: ["x"] }))
        await store.createRun(runMeta("Other", "z", 900))
        const metas = await store.listRunMetas("Train")
        expect(metas.map((meta) => meta.runId)).toEqual((await store.listRuns("Train")).map((run) => run.id))
        expect(metas.map((meta) => meta.runId)).toEqual(["c", "b", "a"])
        for (const meta of metas) expect(meta).toEqual(await store.readRun("Train", meta.runId))
        expect(Object.getPrototypeOf(metas[0]?.paramDefs)).toBeNull()
        expect(await store.listRunMetas("Unknown")).toEqual([])
        await expect(store.listRunMetas("bad/name")).rejects.toBeInstanceOf(StorageError)
      }))

    test("listFlows is sorted, and flows do not leak into each other", () =>
      withStore(make, async ({ store }) => {
        expect(await store.listFlows()).toEqual([])
        await store.createRun(runMeta("Zeta", "1"))
        await store.createRun(runMeta("Alpha", "1", 50))
        await store.createRun(runMeta("Alpha", "2", 60))
        expect(await store.listFlows()).toEqual(["Alpha", "Zeta"])
        expect((await store.listRuns("Zeta")).map((run) => run.id)).toEqual(["1"])
        expect((await store.readRun("Zeta", "1"))?.startedAt).toBe(1_000)
        expect((await store.readRun("Alpha", "1"))?.startedAt).toBe(50)
      }))

    test("metadata comes back as fresh objects with null prototypes (stored keys are hostile)", () =>
      withStore(make, async ({ store }) => {
        const meta = runMeta("Train", "r1")
        await store.createRun(meta)
        const read = await store.readRun("Train", "r1")
        expect(Object.getPrototypeOf(read?.paramDefs)).toBeNull()
        expect((read?.paramDefs as Record<string, unknown>)["constructor"]).toBeUndefined()
        expect(read).not.toBe(await store.readRun("Train", "r1"))
      }))

    test("metadata of a newer store format is refused with a clear error", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1", 1, { format: 99 }))
        await expect(store.readRun("Train", "r1")).rejects.toThrow(/format 99.*upgrade artiflow/)
      }))

    test.each(["..", ".", "a/b", "a\\b", "", "__proto__", ".hidden", "x".repeat(129), "sp ace", "née"])(
      "the name %j is refused with a StorageError that says what is allowed",
      (name) =>
        withStore(make, async ({ store }) => {
          const expected = /artiflow: invalid (flow name|run id) .*letters, digits/
          await expect(store.createRun(runMeta(name, "r1"))).rejects.toThrow(expected)
          await expect(store.createRun(runMeta("Train", name))).rejects.toBeInstanceOf(StorageError)
          await expect(store.readRun(name, "r1")).rejects.toThrow(expected)
          await expect(store.listRuns(name)).rejects.toThrow(expected)
          await expect(store.commitManifests("Train", name, [])).rejects.toThrow(expected)
          await expect(store.readManifests(name, "r1")).rejects.toThrow(expected)
        })
    )

    test("names may use letters, digits, '_', '-' and '.', up to 128 characters", () =>
      withStore(make, async ({ store }) => {
        const runId = `2024-05-01T12.00.00_${"x".repeat(100)}`.slice(0, 128)
        await store.createRun(runMeta("my_flow-2.0", runId))
        expect((await store.listRuns("my_flow-2.0")).map((run) => run.id)).toEqual([runId])
      }))
  })
}
