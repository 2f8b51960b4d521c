import { describe, expect, test } from "vitest"
import { CACHE_FORMAT, cacheEntryBlobs, cacheEntryId, shapeOf } from "../../../lib/datastore/CacheEntry.js"
import type { CacheEntry } from "../../../lib/datastore/CacheEntry.js"
import type { Datastore } from "../../../lib/datastore/Datastore.js"
import { sha256Hex } from "../../../lib/codec/hash.js"
import { StorageError } from "../../../lib/errors.js"
import { bytes, stored, withStore } from "./fixtures.js"
import type { MakeHarness } from "./fixtures.js"

const KEY = sha256Hex("Flow\u0000step\u0000code")

/** An entry of `key` that read `reads`, with outputs `artifacts`. */
const entryOf = (
  reads: Readonly<Record<string, string>>,
  extra: Partial<CacheEntry> = {},
  key = KEY
): CacheEntry => {
  const inputs = extra.inputs
  const position = extra.position
  return {
    format: CACHE_FORMAT,
    key,
    id: cacheEntryId(reads, inputs, position),
    flow: "Flow",
    step: "step",
    reads,
    artifacts: {},
    written: [],
    cachedFrom: { runId: "r1", taskId: "0" },
    createdAt: 1_000,
    ...extra
  }
}

const all = async (store: Datastore): Promise<Array<CacheEntry>> => {
  const found: Array<CacheEntry> = []
  for await (const entry of store.listCacheEntries?.() ?? []) found.push(entry)
  return found
}

/** The step cache index (DESIGN.md §9): entries by key and id, their shapes, and a listing for gc. */
export const cacheSection = (make: MakeHarness): void => {
  describe("step cache index", () => {
    test("the store implements the four cache methods", () =>
      withStore(make, async ({ store }) => {
        expect(typeof store.putCacheEntry).toBe("function")
        expect(typeof store.readCacheShapes).toBe("function")
        expect(typeof store.readCacheEntry).toBe("function")
        expect(typeof store.listCacheEntries).toBe("function")
      }))

    test("an entry put reads back whole by key and id, with its shape; unknown keys and ids have none", () =>
      withStore(make, async ({ store }) => {
        const big = await stored(store, "x".repeat(20_000))
        const small = await stored(store, 42)
        const entry = entryOf(
          { lr: "a".repeat(64), data: "b".repeat(64) },
          { artifacts: { model: big, score: small }, written: ["model", "score"], rewritten: ["kept"], inputs: ["c".repeat(64)] }
        )
        await store.putCacheEntry?.(entry)
        const back = await store.readCacheEntry?.(KEY, entry.id)
        expect(back).toEqual(entry)
        expect(Object.getPrototypeOf(back?.artifacts)).toBeNull()
        expect(await store.readCacheShapes?.(KEY)).toEqual([{ names: ["data", "lr"], positional: false }])
        expect(await store.readCacheEntry?.(KEY, "d".repeat(64))).toBeUndefined()
        expect(await store.readCacheShapes?.("e".repeat(64))).toEqual([])
        expect(cacheEntryBlobs(back as CacheEntry)).toEqual([big.stored?.hash ?? big.hash])
      }))

    test("putting an entry with the same key and id replaces it; other entries of the key stay", () =>
      withStore(make, async ({ store }) => {
        const first = entryOf({ x: "1".repeat(64) }, { createdAt: 1 })
        const other = entryOf({ x: "2".repeat(64) }, { createdAt: 2 })
        await store.putCacheEntry?.(first)
        await store.putCacheEntry?.(other)
        const newer = { ...first, createdAt: 3, cachedFrom: { runId: "r2", taskId: "0" } }
        await store.putCacheEntry?.(newer)
        expect(await store.readCacheEntry?.(KEY, first.id)).toEqual(newer)
        expect(await store.readCacheEntry?.(KEY, other.id)).toEqual(other)
        expect(await store.readCacheShapes?.(KEY)).toEqual([{ names: ["x"], positional: false }])
        expect((await all(store)).map((e) => e.createdAt).sort()).toEqual([2, 3])
      }))

    test("entries of one key with different shapes list each shape once", () =>
      withStore(make, async ({ store }) => {
        await store.putCacheEntry?.(entryOf({ a: "1".repeat(64) }))
        await store.putCacheEntry?.(entryOf({ a: "2".repeat(64) }))
        await store.putCacheEntry?.(entryOf({ a: "1".repeat(64), b: "3".repeat(64) }))
        await store.putCacheEntry?.(entryOf({}, { position: "3" }))
        const shapes = (await store.readCacheShapes?.(KEY)) ?? []
        expect(shapes.map((shape) => `${shape.positional}:${shape.names.join(",")}`).sort()).toEqual([
          "false:a",
          "false:a,b",
          "true:"
        ])
        expect(shapeOf(entryOf({ b: "1".repeat(64), a: "2".repeat(64) }))).toEqual({ names: ["a", "b"], positional: false })
      }))

    test("listCacheEntries yields every entry of every key once", () =>
      withStore(make, async ({ store }) => {
        const keys = [sha256Hex("k1"), sha256Hex("k2"), sha256Hex("k3")]
        const put: Array<CacheEntry> = []
        for (const [k, key] of keys.entries()) {
          for (let i = 0; i < 5; i++) put.push(entryOf({ i: sha256Hex(`${k}.${i}`) }, {}, key))
        }
        for (const entry of put) await store.putCacheEntry?.(entry)
        const listed = await all(store)
        expect(listed.map((e) => `${e.key}/${e.id}`).sort()).toEqual(put.map((e) => `${e.key}/${e.id}`).sort())
      }))

    test("concurrent puts of many entries (as concurrent runs make) lose nothing and corrupt nothing", () =>
      withStore(make, async ({ store }) => {
        const entries = Array.from({ length: 60 }, (_, i) => entryOf({ i: sha256Hex(String(i % 40)) }, { createdAt: i }))
        // 20 ids are put twice at once (two runs computing the same task): one of the two wins, whole.
        await Promise.all(entries.map((entry) => store.putCacheEntry?.(entry)))
        const listed = await all(store)
        expect(new Set(listed.map((e) => e.id)).size).toBe(40)
        expect(listed).toHaveLength(40)
        for (const entry of listed) {
          const i = Number(entries.find((e) => e.id === entry.id)?.createdAt) % 40
          expect(entry.reads.i).toBe(sha256Hex(String(i)))
          expect([i, i + 40]).toContain(entry.createdAt)
        }
        expect(await store.readCacheShapes?.(KEY)).toEqual([{ names: ["i"], positional: false }])
      }))

    test("a key or id that is not a sha256 hex string is a StorageError (they become paths)", () =>
      withStore(make, async ({ store }) => {
        await expect(store.readCacheEntry?.("../../runs", "a".repeat(64))).rejects.toBeInstanceOf(StorageError)
        await expect(store.readCacheEntry?.(KEY, "__proto__")).rejects.toBeInstanceOf(StorageError)
        await expect(store.readCacheShapes?.("A".repeat(64))).rejects.toBeInstanceOf(StorageError)
        await expect(store.putCacheEntry?.({ ...entryOf({}), key: "x/y" })).rejects.toBeInstanceOf(StorageError)
        expect(await all(store)).toEqual([])
      }))

    test("cache entries do not disturb blobs, runs or flows", () =>
      withStore(make, async ({ store }) => {
        await store.putCacheEntry?.(entryOf({}))
        expect(await store.listFlows()).toEqual([])
        const { hash } = await store.writeBlob(bytes("still here"))
        expect(new TextDecoder().decode(await store.readBlob(hash))).toBe("still here")
      }))
  })
}

