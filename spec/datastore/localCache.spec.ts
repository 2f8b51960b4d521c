/** The local store's step cache index across store objects (processes) and against damage on disk. */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { expect, test } from "vitest"
import { CACHE_FORMAT, cacheEntryId } from "../../lib/datastore/CacheEntry.js"
import type { CacheEntry } from "../../lib/datastore/CacheEntry.js"
import { localStore } from "../../lib/datastore/local.js"
import { sha256Hex } from "../../lib/codec/hash.js"
import { IntegrityError, StorageError } from "../../lib/errors.js"
import { tempDir } from "../stores.js"

const KEY = sha256Hex("key")

const entryOf = (i: number, writer: string): CacheEntry => {
  const reads = { i: sha256Hex(String(i)) }
  return {
    format: CACHE_FORMAT,
    key: KEY,
    id: cacheEntryId(reads, undefined, undefined),
    flow: "F",
    step: "s",
    reads,
    artifacts: {},
    written: [],
    cachedFrom: { runId: writer, taskId: String(i) },
    createdAt: i
  }
}

test("two store objects on one directory (two runs) filling one cache at once lose nothing", async () => {
  const dir = join(await tempDir(), "store")
  const [a, b] = [localStore(dir), localStore(dir)]
  await Promise.all([
    ...Array.from({ length: 10 }, (_, k) => a.putCacheEntries?.(Array.from({ length: 5 }, (_, i) => entryOf(k * 5 + i, "a")))),
    ...Array.from({ length: 10 }, (_, k) => b.putCacheEntries?.(Array.from({ length: 5 }, (_, i) => entryOf(50 + k * 5 + i, "b"))))
  ])
  const entries = (await localStore(dir).readCacheEntries?.(KEY)) ?? []
  expect(entries.map((e) => e.createdAt).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i))
  for (const entry of entries) expect(entry.cachedFrom.runId).toBe(entry.createdAt < 50 ? "a" : "b")
  expect(await fs.readdir(join(dir, "cache", KEY))).toHaveLength(20)
  expect(await fs.readdir(join(dir, "tmp"))).toEqual([])
})

test("a damaged pack on disk is an IntegrityError naming the file; a newer format asks for an upgrade", async () => {
  const dir = join(await tempDir(), "store")
  const store = localStore(dir)
  await store.putCacheEntries?.([entryOf(1, "r")])
  const [pack] = await fs.readdir(join(dir, "cache", KEY))
  const path = join(dir, "cache", KEY, pack as string)
  const text = await fs.readFile(path, "utf8")
  await fs.writeFile(path, text.replace('"flow":"F"', '"flow":1'))
  await expect(store.readCacheEntries?.(KEY)).rejects.toThrow(IntegrityError)
  await expect(store.readCacheEntries?.(KEY)).rejects.toThrow(path)
  const listing = async () => {
    for await (const _ of store.listCacheEntries?.() ?? []) void _
  }
  await expect(listing()).rejects.toThrow(IntegrityError)
  await fs.writeFile(path, text.slice(0, 20))
  await expect(store.readCacheEntries?.(KEY)).rejects.toThrow(/is not valid JSON/)
  await fs.writeFile(path, text.replace(`"format":${CACHE_FORMAT},"key"`, `"format":${CACHE_FORMAT + 1},"key"`))
  await expect(store.readCacheEntries?.(KEY)).rejects.toThrow(StorageError)
  await expect(store.readCacheEntries?.(KEY)).rejects.toThrow(/upgrade artiflow/)
  // A pack moved under another key is not that key's pack.
  const other = sha256Hex("other")
  await fs.mkdir(join(dir, "cache", other))
  await fs.writeFile(join(dir, "cache", other, pack as string), text)
  await expect(store.readCacheEntries?.(other)).rejects.toThrow(/is not a step cache pack of key/)
  // Files that are not packs (a stray temp name, a note) are not read.
  await fs.writeFile(path, text)
  await fs.writeFile(join(dir, "cache", KEY, "notes.txt"), "hello")
  expect(await store.readCacheEntries?.(KEY)).toHaveLength(1)
})

test("a deletion killed between placing a pack's replacement and unlinking it leaves every entry readable; the next one finishes", async () => {
  const dir = join(await tempDir(), "store")
  const store = localStore(dir)
  const mixed = [entryOf(1, "old"), entryOf(2, "kept"), entryOf(3, "old"), entryOf(4, "kept")]
  await store.putCacheEntries?.(mixed)
  const packs = join(dir, "cache", KEY)
  const [original] = await fs.readdir(packs)
  const text = await fs.readFile(join(packs, original as string))
  const doomed = (entry: CacheEntry): boolean => entry.cachedFrom.runId === "old"
  expect(await store.deleteCacheEntries?.(doomed)).toBe(2)
  const [replacement] = await fs.readdir(packs)
  expect(replacement).not.toBe(original)
  // The state a kill right before the unlink leaves: the old pack and its replacement side by side.
  await fs.writeFile(join(packs, original as string), text)
  const fresh = localStore(dir)
  const read = (await fresh.readCacheEntries?.(KEY)) ?? []
  expect(read.map((entry) => entry.createdAt).sort()).toEqual([1, 2, 3, 4])
  expect(await fresh.deleteCacheEntries?.(doomed)).toBe(2)
  const after = (await fresh.readCacheEntries?.(KEY)) ?? []
  expect(after.map((entry) => entry.createdAt).sort()).toEqual([2, 4])
  expect(await fs.readdir(join(dir, "tmp"))).toEqual([])
})
