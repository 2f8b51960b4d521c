import { describe, expect, test } from "vitest"
import type { RunMeta } from "../../../lib/datastore/Manifest.js"
import { NotFoundError, StorageError } from "../../../lib/errors.js"
import { runMeta, withStore } from "./fixtures.js"
import type { MakeHarness } from "./fixtures.js"

const RULE = "a tag is a string of 1 to 256 characters without control characters"

/** Run tags: the tags a run is created with, updateTags, and what readRun and listRuns say about them. */
export const tagSection = (make: MakeHarness): void => {
  describe("tags", () => {
    test("a run keeps the tags it was created with, sorted, in readRun and listRuns", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1", 1, { tags: ["nightly", "gpu"] }))
        await store.createRun(runMeta("Train", "r2", 2))
        expect((await store.readRun("Train", "r1"))?.tags).toEqual(["gpu", "nightly"])
        expect((await store.listRuns("Train")).map((run) => [run.id, run.tags])).toEqual([
          ["r2", []],
          ["r1", ["gpu", "nightly"]]
        ])
      }))

    test("metadata stored without tags (runs from before tags) reads as tags: []", () =>
      withStore(make, async ({ store }) => {
        const { tags: _tags, ...old } = runMeta("Train", "r1")
        await store.createRun(old as RunMeta)
        expect((await store.readRun("Train", "r1"))?.tags).toEqual([])
        expect((await store.listRuns("Train"))[0]?.tags).toEqual([])
        expect(await store.updateTags("Train", "r1", { add: ["late"], remove: [] })).toEqual(["late"])
      }))

    test("updateTags removes then adds, resolves to the tags now, and readRun and listRuns agree", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1", 1, { tags: ["a", "b"] }))
        expect(await store.updateTags("Train", "r1", { add: ["c", "a"], remove: [] })).toEqual(["a", "b", "c"])
        expect(await store.updateTags("Train", "r1", { add: [], remove: ["b", "never-had"] })).toEqual(["a", "c"])
        expect(await store.updateTags("Train", "r1", { add: ["z"], remove: ["z", "a"] })).toEqual(["c", "z"])
        expect(await store.updateTags("Train", "r1", { add: [], remove: [] })).toEqual(["c", "z"])
        expect((await store.readRun("Train", "r1"))?.tags).toEqual(["c", "z"])
        expect((await store.listRuns("Train"))[0]?.tags).toEqual(["c", "z"])
        if (store.listRunMetas !== undefined) expect((await store.listRunMetas("Train"))[0]?.tags).toEqual(["c", "z"])
      }))

    test("updateRun does not undo tag changes, whether it writes the created tags or those readRun gave", () =>
      withStore(make, async ({ store }) => {
        const created = runMeta("Train", "r1", 1, { tags: ["initial", "other"] })
        await store.createRun(created)
        await store.updateTags("Train", "r1", { add: ["added"], remove: ["initial"] })
        // The run's own end: it rewrites the metadata it started with.
        await store.updateRun({ ...created, status: "succeeded", finishedAt: 5 })
        expect((await store.readRun("Train", "r1"))?.tags).toEqual(["added", "other"])
        const read = await store.readRun("Train", "r1")
        await store.updateTags("Train", "r1", { add: ["initial"], remove: ["added"] })
        // A writer that read the tags before that change writes them back: the change still stands.
        await store.updateRun({ ...(read as RunMeta), status: "failed" })
        const after = await store.readRun("Train", "r1")
        expect([after?.status, after?.tags]).toEqual(["failed", ["initial", "other"]])
        expect((await store.listRuns("Train"))[0]?.tags).toEqual(["initial", "other"])
      }))

    test("concurrent tag changes and metadata rewrites: every change takes effect", () =>
      withStore(make, async ({ store }) => {
        const initial = Array.from({ length: 50 }, (_, i) => `initial-${i}`)
        const created = runMeta("Train", "r1", 1, { tags: initial })
        await store.createRun(created)
        const adds = Array.from({ length: 100 }, (_, i) => store.updateTags("Train", "r1", { add: [`added-${i}`], remove: [] }))
        const removes = initial.map((tag) => store.updateTags("Train", "r1", { add: [], remove: [tag] }))
        const rewrites = Array.from({ length: 10 }, (_, i) => store.updateRun({ ...created, startedAt: 1 + i }))
        const results = await Promise.all([...adds, ...removes])
        await Promise.all(rewrites)
        const expected = Array.from({ length: 100 }, (_, i) => `added-${i}`).sort()
        expect((await store.readRun("Train", "r1"))?.tags).toEqual(expected)
        expect((await store.listRuns("Train"))[0]?.tags).toEqual(expected)
        // Each call resolved to tags that include its own change.
        results.slice(0, 100).forEach((tags, i) => expect(tags).toContain(`added-${i}`))
        results.slice(100).forEach((tags, i) => expect(tags).not.toContain(`initial-${i}`))
      }))

    test("tags stay with their run: other runs and flows do not see them", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1"))
        await store.createRun(runMeta("Train", "r2"))
        await store.createRun(runMeta("Other", "r1"))
        await store.updateTags("Train", "r1", { add: ["mine"], remove: [] })
        expect((await store.readRun("Train", "r2"))?.tags).toEqual([])
        expect((await store.readRun("Other", "r1"))?.tags).toEqual([])
        expect((await store.listRuns("Other")).map((run) => run.tags)).toEqual([[]])
        expect(await store.listFlows()).toEqual(["Other", "Train"])
      }))

    test("tags are values, not keys: '__proto__' and 'constructor' are ordinary tags", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1", 1, { tags: ["__proto__"] }))
        expect(await store.updateTags("Train", "r1", { add: ["constructor", "ünïcödé ✓"], remove: [] })).toEqual([
          "__proto__",
          "constructor",
          "ünïcödé ✓"
        ])
      }))

    test("tagging a missing run is NotFoundError; bad names and bad tags are StorageErrors, and change nothing", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Train", "r1", 1, { tags: ["kept"] }))
        await expect(store.updateTags("Train", "r2", { add: ["x"], remove: [] })).rejects.toBeInstanceOf(NotFoundError)
        await expect(store.updateTags("Nope", "r1", { add: ["x"], remove: [] })).rejects.toBeInstanceOf(NotFoundError)
        await expect(store.updateTags("../x", "r1", { add: ["x"], remove: [] })).rejects.toThrow(/invalid flow name/)
        const bad: ReadonlyArray<readonly [unknown, string]> = [
          ["", `tag "" is empty: ${RULE}`],
          ["x".repeat(257), `is 257 characters long: ${RULE}`],
          ["a\nb", `tag "a\\nb" contains the control character U+000A: ${RULE}`],
          [7, `tag 7 is not a string: ${RULE}`]
        ]
        for (const [tag, message] of bad) {
          const change = { add: ["fine", tag as string], remove: [] }
          await expect(store.updateTags("Train", "r1", change)).rejects.toBeInstanceOf(StorageError)
          await expect(store.updateTags("Train", "r1", change)).rejects.toThrow(message)
          await expect(store.updateTags("Train", "r1", { add: [], remove: [tag as string] })).rejects.toThrow(message)
        }
        const notAList = { add: "fine" as unknown as ReadonlyArray<string>, remove: [] }
        await expect(store.updateTags("Train", "r1", notAList)).rejects.toThrow(/option 'add' must be an array of tags/)
        expect((await store.readRun("Train", "r1"))?.tags).toEqual(["kept"])
      }))
  })
}
