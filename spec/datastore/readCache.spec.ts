/** The read-through cache of remote stores: verified reads, a size cap, least-recently-used eviction. */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { sha256Hex } from "../../lib/codec/hash.js"
import { ReadCache } from "../../lib/datastore/readCache.js"
import { tempDir } from "../stores.js"

const MB = 1024 * 1024

/** `count` distinct blobs of `size` bytes, with their hashes. */
const blobs = (count: number, size: number): ReadonlyArray<{ readonly bytes: Uint8Array; readonly hash: string }> =>
  Array.from({ length: count }, (_, i) => {
    const bytes = new Uint8Array(size).fill(i + 1)
    return { bytes, hash: sha256Hex(bytes) }
  })

/** What the cache read, as a plain Uint8Array (it hands out Buffers, views on one fresh ArrayBuffer). */
const plain = (bytes: Uint8Array | undefined): Uint8Array | undefined => (bytes === undefined ? undefined : new Uint8Array(bytes))

const cachedHashes = async (dir: string): Promise<ReadonlyArray<string>> => {
  const fans = await fs.readdir(join(dir, "blobs")).catch(() => [])
  const found = await Promise.all(fans.map((fan) => fs.readdir(join(dir, "blobs", fan))))
  return found.flat().sort()
}

describe("ReadCache", () => {
  test("keeps what it is given and reads it back verified; a damaged copy is dropped", async () => {
    const dir = await tempDir()
    const cache = new ReadCache(dir, 10 * MB)
    const [blob] = blobs(1, 1000)
    if (blob === undefined) throw new Error("no blob")
    expect(await cache.read(blob.hash)).toBeUndefined()
    cache.keep(blob.hash, blob.bytes)
    await cache.settled()
    expect(plain(await cache.read(blob.hash))).toEqual(blob.bytes)
    const file = join(dir, "blobs", blob.hash.slice(0, 2), blob.hash)
    await fs.writeFile(file, new Uint8Array(1000).fill(9))
    expect(await cache.read(blob.hash)).toBeUndefined()
    await expect(fs.stat(file)).rejects.toMatchObject({ code: "ENOENT" })
  })

  test("past its size it evicts the least recently used blobs, down to 90% of the size", async () => {
    const dir = await tempDir()
    const cache = new ReadCache(dir, 4.5 * MB)
    const [a, b, c, d, e] = blobs(5, MB)
    if (a === undefined || b === undefined || c === undefined || d === undefined || e === undefined) throw new Error("no blobs")
    for (const blob of [a, b, c, d]) {
      cache.keep(blob.hash, blob.bytes)
      await cache.settled()
    }
    // a is used again: b becomes the least recently used.
    expect(plain(await cache.read(a.hash))).toEqual(a.bytes)
    cache.keep(e.hash, e.bytes)
    await cache.settled()
    // 5 MB > 4.5 MB: evict b (4 MB left, under 90% = 4.05 MB).
    expect(await cachedHashes(dir)).toEqual([a.hash, c.hash, d.hash, e.hash].sort())
  })

  test("a new process learns the order of use from the files' times", async () => {
    const dir = await tempDir()
    const first = new ReadCache(dir, 100 * MB)
    const [a, b, c] = blobs(3, MB)
    if (a === undefined || b === undefined || c === undefined) throw new Error("no blobs")
    for (const blob of [a, b, c]) {
      first.keep(blob.hash, blob.bytes)
      await first.settled()
    }
    const old = new Date(Date.now() - 60_000)
    await fs.utimes(join(dir, "blobs", a.hash.slice(0, 2), a.hash), old, old)
    await fs.utimes(join(dir, "blobs", b.hash.slice(0, 2), b.hash), new Date(old.getTime() + 1000), new Date(old.getTime() + 1000))
    // A later process, with a smaller cap: the oldest by time (a) goes first, then b.
    const second = new ReadCache(dir, 2.5 * MB)
    const [d] = blobs(4, MB).slice(3)
    if (d === undefined) throw new Error("no blob")
    second.keep(d.hash, d.bytes)
    await second.settled()
    expect(await cachedHashes(dir)).toEqual([c.hash, d.hash].sort())
  })

  test("a blob larger than the whole cache is not kept", async () => {
    const dir = await tempDir()
    const cache = new ReadCache(dir, MB)
    const [big] = blobs(1, 2 * MB)
    if (big === undefined) throw new Error("no blob")
    cache.keep(big.hash, big.bytes)
    await cache.settled()
    expect(await cachedHashes(dir)).toEqual([])
  })
})
