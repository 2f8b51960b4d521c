import { describe, expect, test } from "vitest"
import { CACHE_FORMAT, cacheEntryBlobs, cacheEntryId } from "../../../lib/datastore/CacheEntry.js"
import type { CacheEntry } from "../../../lib/datastore/CacheEntry.js"
import type { Datastore } from "../../../lib/datastore/Datastore.js"
import { sha256Hex } from "../../../lib/codec/hash.js"
import { StorageError } from "../../../lib/errors.js"
import { bytes, stored, withStore } from "./fixtures.js"
import type { MakeHarness } from "./fixtures.js"

const KEY = sha256Hex("Flow\u0000step\u0000code")

/** An entry of `key` that read `reads`. */
const entryOf = (reads: Readonly<Record<string, string>>, extra: Partial<CacheEntry> = {}, key = KEY): CacheEntry => ({
  format: CACHE_FORMAT,
  key,
  id: cacheEntryId(reads, extra.inputs, extra.position),
  flow: "Flow",
  step: "step",
  reads,
  artifacts: {},
  written: [],
  cachedFrom: { runId: "r1", taskId: "0" },
  createdAt: 1_000,
  ...extra
})

const all = async (store: Datastore): Promise<Array<CacheEntry>> => {
  const found: Array<CacheEntry> = []
  for await (const entry of store.listCacheEntries?.() ?? []) found.push(entry)
  return found
}

const ids = (entries: ReadonlyArray<CacheEntry>): Array<string> => entries.map((entry) => `${entry.key}/${entry.id}`).sort()

/** The step cache index (DESIGN.md §9): batches of entries stored as packs, read by key, listed for gc. */
export const cacheSection = (make: MakeHarness): void => {
  describe("step cache index", () => {
    test("the store implements the three cache methods", () =>
      withStore(make, async ({ store }) => {
        expect(typeof store.putCacheEntries).toBe("function")
        expect(typeof store.readCacheEntries).toBe("function")
        expect(typeof store.listCacheEntries).toBe("function")
      }))

    test("entries put read back whole by key; an unknown key has none", () =>
      withStore(make, async ({ store }) => {
        const big = await stored(store, "x".repeat(20_000))
        const small = await stored(store, 42)
        const entry = entryOf(
          { lr: "a".repeat(64), data: "b".repeat(64) },
          { artifacts: { model: big, score: small }, written: ["model", "score"], rewritten: ["kept"], inputs: ["c".repeat(64)], position: "2" }
        )
        const other = entryOf({ lr: "e".repeat(64) })
        await store.putCacheEntries?.([entry, other])
        const back = (await store.readCacheEntries?.(KEY)) ?? []
        expect([...back].sort((a, b) => a.id.localeCompare(b.id))).toEqual([entry, other].sort((a, b) => a.id.localeCompare(b.id)))
        const model = back.find((e) => e.id === entry.id)
        expect(Object.getPrototypeOf(model?.artifacts)).toBeNull()
        expect(await store.readCacheEntries?.("e".repeat(64))).toEqual([])
        expect(cacheEntryBlobs(model as CacheEntry)).toEqual([big.stored?.hash ?? big.hash])
      }))

    test("of entries with one key and id, a read returns the newest; other entries of the key stay", () =>
      withStore(make, async ({ store }) => {
        const first = entryOf({ x: "1".repeat(64) }, { createdAt: 1 })
        const other = entryOf({ x: "2".repeat(64) }, { createdAt: 2 })
        await store.putCacheEntries?.([first, other])
        const newer = { ...first, createdAt: 3, cachedFrom: { runId: "r2", taskId: "0" } }
        await store.putCacheEntries?.([newer])
        await store.putCacheEntries?.([{ ...first, createdAt: 0, cachedFrom: { runId: "old", taskId: "0" } }])
        const back = (await store.readCacheEntries?.(KEY)) ?? []
        expect(back).toHaveLength(2)
        expect(back.find((e) => e.id === first.id)).toEqual(newer)
        expect(back.find((e) => e.id === other.id)).toEqual(other)
      }))

    test("a batch of entries of several keys is stored per key; listCacheEntries yields every entry", () =>
      withStore(make, async ({ store }) => {
        const keys = [sha256Hex("k1"), sha256Hex("k2"), sha256Hex("k3")]
        const put = keys.flatMap((key, k) => Array.from({ length: 5 }, (_, i) => entryOf({ i: sha256Hex(`${k}.${i}`) }, {}, key)))
        await store.putCacheEntries?.(put.slice(0, 7))
        await store.putCacheEntries?.(put.slice(7))
        expect(ids(await all(store))).toEqual(ids(put))
        for (const key of keys) expect(ids((await store.readCacheEntries?.(key)) ?? [])).toEqual(ids(put.filter((e) => e.key === key)))
      }))

    test("concurrent batches (as concurrent runs write) lose nothing and corrupt nothing", () =>
      withStore(make, async ({ store }) => {
        const batches = Array.from({ length: 12 }, (_, b) =>
          Array.from({ length: 25 }, (_, i) => entryOf({ i: sha256Hex(`${b % 8}.${i}`) }, { createdAt: b, cachedFrom: { runId: `r${b}`, taskId: String(i) } }))
        )
        // Batches 8 to 11 compute the same tasks as 0 to 3: a read returns the newer of each.
        await Promise.all(batches.map((batch) => store.putCacheEntries?.(batch)))
        const back = (await store.readCacheEntries?.(KEY)) ?? []
        expect(back).toHaveLength(8 * 25)
        for (const entry of back) {
          const b = entry.createdAt
          expect(entry.cachedFrom.runId).toBe(`r${b}`)
          expect(entry.reads.i).toBe(sha256Hex(`${b % 8}.${entry.cachedFrom.taskId}`))
          expect(b % 8 < 4 ? b >= 8 : b < 8).toBe(true)
        }
        expect(await all(store)).toHaveLength(12 * 25)
      }))

    test("a key or id that is not a sha256 hex string is a StorageError, and nothing of the batch is stored", () =>
      withStore(make, async ({ store }) => {
        await expect(store.readCacheEntries?.("../../runs")).rejects.toBeInstanceOf(StorageError)
        await expect(store.readCacheEntries?.("A".repeat(64))).rejects.toBeInstanceOf(StorageError)
        const good = entryOf({ g: "1".repeat(64) })
        await expect(store.putCacheEntries?.([good, { ...entryOf({}), key: "x/y" }])).rejects.toBeInstanceOf(StorageError)
        await expect(store.putCacheEntries?.([good, { ...entryOf({}), id: "__proto__" }])).rejects.toBeInstanceOf(StorageError)
        expect(await all(store)).toEqual([])
      }))

    test("cache entries do not disturb blobs, runs or flows", () =>
      withStore(make, async ({ store }) => {
        await store.putCacheEntries?.([entryOf({})])
        await store.putCacheEntries?.([])
        expect(await store.listFlows()).toEqual([])
        const { hash } = await store.writeBlob(bytes("still here"))
        expect(new TextDecoder().decode(await store.readBlob(hash))).toBe("still here")
      }))

    test("deleteCacheEntries deletes the entries it is asked to, whole packs or part of one, and says how many", () =>
      withStore(make, async ({ store }) => {
        const deleteEntries = store.deleteCacheEntries?.bind(store)
        expect(typeof deleteEntries).toBe("function")
        if (deleteEntries === undefined) return
        const other = sha256Hex("Flow\u0000other\u0000code")
        const of = (runId: string, n: number, key = KEY): Array<CacheEntry> =>
          Array.from({ length: n }, (_, i) => entryOf({ i: sha256Hex(`${runId}.${i}`) }, { cachedFrom: { runId, taskId: String(i) } }, key))
        const old = [...of("old", 3), ...of("old", 2, other)]
        const kept = of("kept", 4)
        // A batch of two runs' entries (artiflow writes one run's per batch; the port allows any).
        const mixed = [...of("old2", 2), ...of("kept2", 2)]
        await store.putCacheEntries?.(old)
        await store.putCacheEntries?.(kept)
        await store.putCacheEntries?.(mixed)
        const doomed = (entry: CacheEntry): boolean => entry.cachedFrom.runId.startsWith("old")
        expect(await deleteEntries(doomed)).toBe(7)
        const staying = [...kept, ...mixed.slice(2)]
        expect(ids(await all(store))).toEqual(ids(staying))
        expect(ids((await store.readCacheEntries?.(KEY)) ?? [])).toEqual(ids(staying))
        expect(await store.readCacheEntries?.(other)).toEqual([])
        // Done: again deletes nothing; entries put afterwards under an emptied key read back.
        expect(await deleteEntries(doomed)).toBe(0)
        expect(ids(await all(store))).toEqual(ids(staying))
        const again = of("new", 1, other)
        await store.putCacheEntries?.(again)
        expect(await store.readCacheEntries?.(other)).toEqual(again)
        expect(await deleteEntries(() => false)).toBe(0)
      }))

    test("deleteCacheEntries while runs put entries of the same key loses none of theirs", () =>
      withStore(make, async ({ store }) => {
        const batch = (b: number): Array<CacheEntry> =>
          Array.from({ length: 10 }, (_, i) => entryOf({ i: sha256Hex(`${b}.${i}`) }, { cachedFrom: { runId: `r${b}`, taskId: String(i) } }))
        const doomedBatches = [0, 1, 2, 3].map(batch)
        for (const entries of doomedBatches) await store.putCacheEntries?.(entries)
        const concurrent = [4, 5, 6, 7, 8, 9].map(batch)
        const [deleted] = await Promise.all([
          store.deleteCacheEntries?.((entry) => ["r0", "r1", "r2", "r3"].includes(entry.cachedFrom.runId)),
          ...concurrent.map((entries) => store.putCacheEntries?.(entries))
        ])
        expect(deleted).toBe(40)
        expect(ids((await store.readCacheEntries?.(KEY)) ?? [])).toEqual(ids(concurrent.flat()))
      }))
  })
}
