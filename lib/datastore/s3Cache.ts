/**
 * The step cache index of the S3 store (CacheEntry.ts, DESIGN.md §9):
 *
 *     <prefix>cache/<key>/shapes/<shape id>.json   the shapes of the key's entries (a handful per key)
 *     <prefix>cache/<key>/entries/<id>.json        one entry per computed task
 *
 * Every document is one PutObject, which S3 makes visible whole or not at all; of two writers of one entry
 * (same key and id) the last wins whole, and distinct entries are distinct objects, so concurrent runs
 * filling one cache lose nothing. A shape is written with `If-None-Match: *` (it never changes).
 */
import { isSha256Hex } from "../codec/hash.js"
import { assertCacheKey, decodeCacheEntry, decodeCacheShape, encodeCacheEntry, encodeCacheShape, shapeId, shapeOf } from "./CacheEntry.js"
import type { CacheEntry, CacheShape } from "./CacheEntry.js"
import { mapLimited } from "./localFiles.js"
import type { S3Api } from "./s3Api.js"

const JSON_SUFFIX = ".json"

/** Objects read at once. */
const READ_CONCURRENCY = 16

const textOf = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")

/** The hash a `<sha256>.json` key ends with, or undefined for any other key. */
const documentId = (key: string, dir: string): string | undefined => {
  const name = key.slice(dir.length)
  const id = name.endsWith(JSON_SUFFIX) ? name.slice(0, -JSON_SUFFIX.length) : ""
  return isSha256Hex(id) ? id : undefined
}

export class S3CacheIndex {
  // Shapes this process stored or saw stored: each is written once per process, not once per entry.
  private readonly knownShapes = new Set<string>()

  constructor(
    private readonly api: S3Api,
    private readonly dir: string
  ) {}

  private where(key: string): string {
    return `s3://${this.api.location.bucket}/${key}`
  }

  async put(entry: CacheEntry): Promise<void> {
    const text = encodeCacheEntry(entry)
    const shape = shapeOf(entry)
    // The entry first, then its shape (see localCache.ts for why this order).
    await this.api.put(`${this.dir}${entry.key}/entries/${entry.id}${JSON_SUFFIX}`, text)
    const shapeKey = `${this.dir}${entry.key}/shapes/${shapeId(shape)}${JSON_SUFFIX}`
    if (this.knownShapes.has(shapeKey)) return
    await this.api.put(shapeKey, encodeCacheShape(shape), { onlyIfNew: true })
    this.knownShapes.add(shapeKey)
  }

  async shapes(key: string): Promise<ReadonlyArray<CacheShape>> {
    assertCacheKey("key", key)
    const dir = `${this.dir}${key}/shapes/`
    const keys = (await this.api.list(dir)).map((object) => object.key).filter((found) => documentId(found, dir) !== undefined)
    const read = await mapLimited(keys, READ_CONCURRENCY, async (found) => {
      const object = await this.api.get(found)
      return object === undefined ? undefined : decodeCacheShape(textOf(object.bytes), this.where(found))
    })
    return read.filter((shape): shape is CacheShape => shape !== undefined)
  }

  async entry(key: string, id: string): Promise<CacheEntry | undefined> {
    assertCacheKey("key", key)
    assertCacheKey("id", id)
    const found = `${this.dir}${key}/entries/${id}${JSON_SUFFIX}`
    const object = await this.api.get(found)
    return object === undefined ? undefined : decodeCacheEntry(textOf(object.bytes), this.where(found), { key, id })
  }

  async *list(): AsyncIterable<CacheEntry> {
    const keys = (await this.api.listNames(this.dir)).filter(isSha256Hex)
    for (const key of keys) {
      const dir = `${this.dir}${key}/entries/`
      const ids = (await this.api.list(dir)).map((object) => documentId(object.key, dir)).filter((id): id is string => id !== undefined)
      for (let start = 0; start < ids.length; start += READ_CONCURRENCY * 4) {
        const page = await mapLimited(ids.slice(start, start + READ_CONCURRENCY * 4), READ_CONCURRENCY, (id) => this.entry(key, id))
        for (const entry of page) if (entry !== undefined) yield entry
      }
    }
  }
}
