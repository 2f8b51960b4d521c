/**
 * The step cache index of the S3 store (CacheEntry.ts, DESIGN.md §9):
 *
 *     <prefix>cache/<key>/<pack name>.json   the entries of the key one batch recorded (a run's, usually)
 *
 * Every pack is one PutObject under a name no other writer uses (`If-None-Match: *` besides), which S3 makes
 * visible whole or not at all: concurrent runs filling one cache lose nothing.
 */
import { isSha256Hex } from "../codec/hash.js"
import { StorageError } from "../errors.js"
import { assertCacheKey, byKey, decodeCachePack, encodeCachePack, isPackName, newestById, packName, prunePack } from "./CacheEntry.js"
import type { CacheEntry } from "./CacheEntry.js"
import { mapLimited } from "./localFiles.js"
import type { S3Api } from "./s3Api.js"

const JSON_SUFFIX = ".json"

/** Objects read at once. */
const READ_CONCURRENCY = 16

const textOf = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")

export class S3CacheIndex {
  constructor(
    private readonly api: S3Api,
    private readonly dir: string
  ) {}

  private where(key: string): string {
    return `s3://${this.api.location.bucket}/${key}`
  }

  async put(entries: ReadonlyArray<CacheEntry>): Promise<void> {
    const packs = [...byKey(entries)].map(([key, group]) => [key, encodeCachePack(key, group)] as const)
    for (const [key, text] of packs) {
      const object = `${this.dir}${key}/${packName()}${JSON_SUFFIX}`
      if ((await this.api.put(object, text, { onlyIfNew: true })) === "exists") {
        throw new StorageError(`artiflow: step cache pack ${this.where(object)} already exists (pack names are random: retry)`)
      }
    }
  }

  /** The object keys of the packs of `key`, oldest first. */
  private async packs(key: string): Promise<ReadonlyArray<string>> {
    const dir = `${this.dir}${key}/`
    return (await this.api.list(dir))
      .map((object) => object.key)
      .filter((found) => found.endsWith(JSON_SUFFIX) && isPackName(found.slice(dir.length, -JSON_SUFFIX.length)))
      .sort()
  }

  private async pack(key: string, object: string): Promise<ReadonlyArray<CacheEntry>> {
    const read = await this.api.get(object)
    return read === undefined ? [] : decodeCachePack(textOf(read.bytes), this.where(object), key)
  }

  async entries(key: string): Promise<ReadonlyArray<CacheEntry>> {
    assertCacheKey("key", key)
    const packs = await mapLimited(await this.packs(key), READ_CONCURRENCY, (object) => this.pack(key, object))
    return newestById(packs.flat())
  }

  async *list(): AsyncIterable<CacheEntry> {
    for (const key of (await this.api.listNames(this.dir)).filter(isSha256Hex)) {
      for (const object of await this.packs(key)) yield* await this.pack(key, object)
    }
  }

  /**
   * Deletes the entries `doomed` accepts, pack by pack (see `Datastore.deleteCacheEntries`). A pack that keeps
   * some entries is replaced: the new pack (one PutObject under a fresh name, visible whole) is stored before
   * the old one is deleted, so a kill in between leaves both, the staying entries readable twice (reads keep
   * one of each id) and the doomed ones for the next call. Only packs listed here are touched: packs
   * concurrent runs put meanwhile stay. Whole packs are deleted in batches of DeleteObjects.
   */
  async delete(doomed: (entry: CacheEntry) => boolean): Promise<number> {
    let deleted = 0
    for (const key of (await this.api.listNames(this.dir)).filter(isSha256Hex)) {
      const gone: Array<string> = []
      for (const object of await this.packs(key)) {
        const pruning = prunePack(key, await this.pack(key, object), doomed)
        if (pruning.action === "keep") continue
        if (pruning.action === "rewrite") {
          const replacement = `${this.dir}${key}/${packName()}${JSON_SUFFIX}`
          if ((await this.api.put(replacement, pruning.text, { onlyIfNew: true })) === "exists") {
            throw new StorageError(`artiflow: step cache pack ${this.where(replacement)} already exists (pack names are random: retry)`)
          }
        }
        gone.push(object)
        deleted += pruning.deleted
      }
      await this.api.deleteAll(gone)
    }
    return deleted
  }
}
