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
  // Ids 0-49 from a, 25-74 from b: 25 written by both at once.
  await Promise.all([
    ...Array.from({ length: 50 }, (_, i) => a.putCacheEntry?.(entryOf(i, "a"))),
    ...Array.from({ length: 50 }, (_, i) => b.putCacheEntry?.(entryOf(i + 25, "b")))
  ])
  const listed: Array<CacheEntry> = []
  for await (const entry of localStore(dir).listCacheEntries?.() ?? []) listed.push(entry)
  expect(listed.map((e) => e.createdAt).sort((x, y) => x - y)).toEqual(Array.from({ length: 75 }, (_, i) => i))
  for (const entry of listed) expect(["a", "b"]).toContain(entry.cachedFrom.runId)
  expect(await fs.readdir(join(dir, "tmp"))).toEqual([])
})

test("a damaged entry or shape on disk is an IntegrityError naming the file; a newer format asks for an upgrade", async () => {
  const dir = join(await tempDir(), "store")
  const store = localStore(dir)
  const entry = entryOf(1, "r")
  await store.putCacheEntry?.(entry)
  const path = join(dir, "cache", KEY, "entries", `${entry.id}.json`)
  await fs.writeFile(path, '{"format":1,"key":"nope"}')
  await expect(store.readCacheEntry?.(KEY, entry.id)).rejects.toThrow(IntegrityError)
  await expect(store.readCacheEntry?.(KEY, entry.id)).rejects.toThrow(path)
  await fs.writeFile(path, JSON.stringify({ ...entry, format: CACHE_FORMAT + 1 }))
  await expect(store.readCacheEntry?.(KEY, entry.id)).rejects.toThrow(StorageError)
  await expect(store.readCacheEntry?.(KEY, entry.id)).rejects.toThrow(/upgrade artiflow/)
  // An entry copied under another id is not that id's entry.
  const other = entryOf(2, "r")
  await fs.writeFile(join(dir, "cache", KEY, "entries", `${other.id}.json`), JSON.stringify(entry))
  await expect(store.readCacheEntry?.(KEY, other.id)).rejects.toThrow(/another key or id/)
  const shapes = await fs.readdir(join(dir, "cache", KEY, "shapes"))
  await fs.writeFile(join(dir, "cache", KEY, "shapes", shapes[0] as string), "{")
  await expect(store.readCacheShapes?.(KEY)).rejects.toThrow(IntegrityError)
})
