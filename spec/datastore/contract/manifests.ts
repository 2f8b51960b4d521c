import { describe, expect, test } from "vitest"
import { NotFoundError } from "../../../lib/errors.js"
import { manifest, runMeta, withStore } from "./fixtures.js"
import type { MakeHarness } from "./fixtures.js"

const entry = { hash: "a".repeat(64), size: 3, type: "number", encoding: "json" as const, inline: "1.5" }

/** Task manifests: commitManifests, readManifests. */
export const manifestSection = (make: MakeHarness): void => {
  describe("manifests", () => {
    test("manifests come back in commit order, within and across calls", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        await store.commitManifests("Train", "r1", [manifest("start"), manifest("fit", "0")])
        await store.commitManifests("Train", "r1", [manifest("fit", "1", 0, { artifacts: { score: entry } })])
        const read = await store.readManifests("Train", "r1")
        expect(read.map((m) => `${m.step}/${m.taskId}`)).toEqual(["start/0", "fit/0", "fit/1"])
        expect(read[2]).toEqual(manifest("fit", "1", 0, { artifacts: { score: entry } }))
      }))

    test("a run with no manifests has none; a missing run is NotFoundError", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        expect(await store.readManifests("Train", "r1")).toEqual([])
        await expect(store.readManifests("Train", "r2")).rejects.toBeInstanceOf(NotFoundError)
        await expect(store.commitManifests("Train", "r2", [manifest("start")])).rejects.toBeInstanceOf(NotFoundError)
      }))

    test("concurrent commits are all visible, each call's manifests together and in order", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        const calls = Array.from({ length: 200 }, (_, i) =>
          store.commitManifests("Train", "r1", [manifest("fit", `${i}`), manifest("fit", `${i}`, 1)])
        )
        await Promise.all(calls)
        const read = await store.readManifests("Train", "r1")
        expect(read).toHaveLength(400)
        for (let i = 0; i < read.length; i += 2) {
          expect(read[i]?.taskId).toBe(read[i + 1]?.taskId)
          expect([read[i]?.attempt, read[i + 1]?.attempt]).toEqual([0, 1])
        }
        expect(new Set(read.map((m) => m.taskId)).size).toBe(200)
      }))

    test("a commit is visible once its promise resolves", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        for (let i = 0; i < 5; i++) {
          await store.commitManifests("Train", "r1", [manifest("step", `${i}`)])
          expect(await store.readManifests("Train", "r1")).toHaveLength(i + 1)
        }
      }))

    test("every attempt is kept, failures with their error", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        const failed = manifest("fit", "0", 0, {
          status: "failed",
          error: { name: "Error", message: "boom", stack: "at x" }
        })
        await store.commitManifests("Train", "r1", [failed])
        await store.commitManifests("Train", "r1", [
          manifest("fit", "0", 1, { base: { runId: "r0", step: "start", taskId: "0", attempt: 0 } })
        ])
        const read = await store.readManifests("Train", "r1")
        expect(read.map((m) => [m.attempt, m.status])).toEqual([
          [0, "failed"],
          [1, "succeeded"]
        ])
        expect(read[0]?.error).toEqual({ name: "Error", message: "boom", stack: "at x" })
        expect(read[1]?.base).toEqual({ runId: "r0", step: "start", taskId: "0", attempt: 0 })
      }))

    test("runs keep their own manifests", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        await store.createRun(runMeta("Train", "r2"))
        await store.createRun(runMeta("Other", "r1"))
        await Promise.all([
          store.commitManifests("Train", "r1", [manifest("a")]),
          store.commitManifests("Train", "r2", [manifest("b")]),
          store.commitManifests("Other", "r1", [manifest("c")])
        ])
        expect((await store.readManifests("Train", "r1")).map((m) => m.step)).toEqual(["a"])
        expect((await store.readManifests("Train", "r2")).map((m) => m.step)).toEqual(["b"])
        expect((await store.readManifests("Other", "r1")).map((m) => m.step)).toEqual(["c"])
      }))

    test("manifest records name each attempt and decode to what readManifests returns", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        const committed = [manifest("start"), manifest("fit", "0", 0, { artifacts: { score: entry } }), manifest("fit", "0", 1)]
        await store.commitManifests("Train", "r1", committed)
        if (store.readManifestRecords === undefined) return
        const records = await store.readManifestRecords("Train", "r1")
        expect(records.map((r) => [r.step, r.taskId, r.attempt])).toEqual([
          ["start", "0", 0],
          ["fit", "0", 0],
          ["fit", "0", 1]
        ])
        expect(records.map((r) => r.manifest())).toEqual(await store.readManifests("Train", "r1"))
        await expect(store.readManifestRecords("Train", "r2")).rejects.toBeInstanceOf(NotFoundError)
      }))

    test("step and task names that need JSON escapes survive the record header", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        await store.commitManifests("Train", "r1", [manifest('fit "quoted" \\ é', "0")])
        const records = (await store.readManifestRecords?.("Train", "r1")) ?? []
        for (const record of records) {
          expect(record.step).toBe('fit "quoted" \\ é')
          expect(record.manifest().step).toBe(record.step)
        }
      }))

    test("artifact records come back with null prototypes: 'constructor' is not an artifact", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        const hostile = JSON.parse(`{"__proto__": ${JSON.stringify(entry)}}`) as Record<string, typeof entry>
        await store.commitManifests("Train", "r1", [manifest("start", "0", 0, { artifacts: hostile })])
        const [read] = await store.readManifests("Train", "r1")
        const artifacts = read?.artifacts as Record<string, unknown>
        expect(Object.getPrototypeOf(artifacts)).toBeNull()
        expect(artifacts["constructor"]).toBeUndefined()
        expect(Object.keys(artifacts)).toEqual(["__proto__"])
        expect(({} as Record<string, unknown>)["hash"]).toBeUndefined()
      }))
  })
}
