import { describe, expect, test } from "vitest"
import { sha256Hex } from "../../../lib/codec/hash.js"
import type { Datastore, StoredBlobInfo } from "../../../lib/datastore/Datastore.js"
import { NotFoundError } from "../../../lib/errors.js"
import { bytes, manifest, runMeta, withStore } from "./fixtures.js"
import type { MakeHarness } from "./fixtures.js"

/** S3 keeps modification times to the second: every bound below allows for that. */
const CLOCK_SLACK_MS = 1000

const collecting = (store: Datastore): Required<Pick<Datastore, "listBlobs" | "deleteBlobs" | "deleteRun">> => {
  const { listBlobs, deleteBlobs, deleteRun } = store
  if (listBlobs === undefined || deleteBlobs === undefined || deleteRun === undefined) {
    throw new Error(`the ${store.description} does not implement listBlobs, deleteBlobs and deleteRun`)
  }
  return { listBlobs: listBlobs.bind(store), deleteBlobs: deleteBlobs.bind(store), deleteRun: deleteRun.bind(store) }
}

const listAll = async (store: Datastore): Promise<Map<string, StoredBlobInfo>> => {
  const all = new Map<string, StoredBlobInfo>()
  for await (const page of collecting(store).listBlobs()) for (const blob of page) all.set(blob.hash, blob)
  return all
}

/** Waits until the wall clock is just past the next whole second (so a second-resolution clock has ticked). */
const nextSecond = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20))

/** What garbage collection needs: listBlobs, deleteBlobs, deleteRun. */
export const collectionSection = (make: MakeHarness): void => {
  describe("collection (gc)", () => {
    test("listBlobs lists every stored blob once, with its size and when it was written", () =>
      withStore(make, async ({ store }) => {
        expect(await listAll(store)).toEqual(new Map())
        const before = Date.now()
        const written = await Promise.all(["a", "bb", "ccc", ""].map((text) => store.writeBlob(bytes(text))))
        const after = Date.now()
        const listed = await listAll(store)
        expect([...listed.keys()].sort()).toEqual(written.map((blob) => blob.hash).sort())
        for (const blob of written) {
          const info = listed.get(blob.hash)
          expect(info?.size).toBe(blob.size)
          expect(info?.touchedAt).toBeGreaterThanOrEqual(before - CLOCK_SLACK_MS)
          expect(info?.touchedAt).toBeLessThanOrEqual(after + CLOCK_SLACK_MS)
        }
      }))

    test("deleteBlobs deletes what it is given, resolves to what it deleted, and skips what is not there", () =>
      withStore(make, async ({ store }) => {
        const gone = await store.writeBlob(bytes("to delete"))
        const stays = await store.writeBlob(bytes("to keep"))
        const later = Date.now() + CLOCK_SLACK_MS
        const missing = sha256Hex(bytes("never stored"))
        const deleted = await collecting(store).deleteBlobs([gone.hash, missing, "../../etc/passwd"], later)
        expect(deleted).toEqual([gone])
        expect(await store.hasBlob(gone.hash)).toBe(false)
        await expect(store.readBlob(gone.hash)).rejects.toBeInstanceOf(NotFoundError)
        expect([...(await listAll(store)).keys()]).toEqual([stays.hash])
        expect(await collecting(store).deleteBlobs([gone.hash], later)).toEqual([])
        // A blob deleted can be written again.
        expect(await store.writeBlob(bytes("to delete"))).toEqual(gone)
        expect(new TextDecoder().decode(await store.readBlob(gone.hash))).toBe("to delete")
      }))

    test("deleteBlobs spares a blob touched after the given time", () =>
      withStore(make, async ({ store }) => {
        const since = Date.now() - 60_000
        const blob = await store.writeBlob(bytes("fresh"))
        expect(await collecting(store).deleteBlobs([blob.hash], since)).toEqual([])
        expect(await store.hasBlob(blob.hash)).toBe(true)
      }))

    test("a write that finds its blob already stored touches it, so a gc running meanwhile spares it", () =>
      withStore(make, async ({ store }) => {
        const reused = await store.writeBlob(bytes("deduplicated"))
        const idle = await store.writeBlob(bytes("left alone"))
        await nextSecond()
        const since = Math.floor(Date.now() / 1000) * 1000
        expect(await store.writeBlob(bytes("deduplicated"))).toEqual(reused)
        const deleted = await collecting(store).deleteBlobs([reused.hash, idle.hash], since - 1)
        expect(deleted).toEqual([idle])
        expect(await store.hasBlob(reused.hash)).toBe(true)
        expect((await listAll(store)).get(reused.hash)?.touchedAt).toBeGreaterThanOrEqual(since)
      }))

    test("deleteRun deletes a run, its manifests and its tag changes, and nothing else", () =>
      withStore(make, async ({ store }) => {
        const blob = await store.writeBlob(bytes("output"))
        await store.createRun(runMeta("Train", "r1", 1))
        await store.createRun(runMeta("Train", "r10", 2))
        await store.createRun(runMeta("Other", "r1", 3))
        await store.commitManifests("Train", "r1", [manifest("start"), manifest("end")])
        await store.commitManifests("Train", "r10", [manifest("start")])
        await store.commitManifests("Other", "r1", [manifest("start")])
        await store.updateTags("Train", "r1", { add: ["gone"], remove: [] })
        await store.updateTags("Train", "r10", { add: ["kept"], remove: [] })
        await collecting(store).deleteRun("Train", "r1")
        expect(await store.readRun("Train", "r1")).toBeUndefined()
        await expect(store.readManifests("Train", "r1")).rejects.toBeInstanceOf(NotFoundError)
        expect((await store.listRuns("Train")).map((run) => [run.id, run.tags])).toEqual([["r10", ["kept"]]])
        expect(await store.readManifests("Train", "r10")).toHaveLength(1)
        expect(await store.readManifests("Other", "r1")).toHaveLength(1)
        expect(await store.hasBlob(blob.hash)).toBe(true)
        // Deleting again, or a run that never was, is not an error.
        await collecting(store).deleteRun("Train", "r1")
        await collecting(store).deleteRun("Nothing", "here")
        // The id is free again, without the old run's manifests or tags.
        await store.createRun(runMeta("Train", "r1", 4))
        expect(await store.readManifests("Train", "r1")).toEqual([])
        expect((await store.readRun("Train", "r1"))?.tags).toEqual([])
      }))

    test("a flow whose last run is deleted is no longer listed", () =>
      withStore(make, async ({ store }) => {
        await store.createRun(runMeta("Lonely", "only", 1))
        await store.createRun(runMeta("Busy", "r1", 1))
        await collecting(store).deleteRun("Lonely", "only")
        expect(await store.listFlows()).toEqual(["Busy"])
        expect(await store.listRuns("Lonely")).toEqual([])
      }))
  })
}
