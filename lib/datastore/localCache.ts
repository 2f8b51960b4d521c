/**
 * The step cache index of the local store (CacheEntry.ts, DESIGN.md §9):
 *
 *     <root>/cache/<key>/<pack name>.json   the entries of the key one batch recorded (a run's, usually)
 *
 * Every pack is written to tmp/ and renamed into place under a name no other writer uses: readers see a whole
 * pack or none, and concurrent runs filling one cache lose nothing.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { isSha256Hex } from "../codec/hash.js"
import { assertCacheKey, byKey, decodeCachePack, encodeCachePack, isPackName, newestById, packName, prunePack } from "./CacheEntry.js"
import type { CacheEntry } from "./CacheEntry.js"
import type { Directories, TempFiles } from "./localFiles.js"
import { attempt, isMissing, mapLimited, readIfExists, storageError, writeFileAtomically } from "./localFiles.js"

const JSON_SUFFIX = ".json"

/** Packs read at once. */
const READ_CONCURRENCY = 16

/** The entries of `dir` whose names pass `accept` (none when `dir` does not exist), without `suffix`. */
const listNames = async (dir: string, suffix: string, accept: (name: string) => boolean): Promise<Array<string>> => {
  try {
    const names = await fs.readdir(dir)
    return names
      .filter((name) => name.endsWith(suffix))
      .map((name) => name.slice(0, name.length - suffix.length))
      .filter(accept)
      .sort()
  } catch (error) {
    if (isMissing(error)) return []
    throw storageError(error, "list", dir)
  }
}

export class LocalCacheIndex {
  constructor(
    private readonly dir: string,
    private readonly directories: Directories,
    private readonly temps: TempFiles,
    private readonly fsync: boolean
  ) {}

  async put(entries: ReadonlyArray<CacheEntry>): Promise<void> {
    // Encode every pack first: a bad entry stores nothing of the batch.
    const packs = [...byKey(entries)].map(([key, group]) => [key, encodeCachePack(key, group)] as const)
    for (const [key, text] of packs) {
      const dir = join(this.dir, key)
      await this.directories.ensure(dir)
      await writeFileAtomically(this.temps, join(dir, `${packName()}${JSON_SUFFIX}`), text, { fsync: this.fsync, exclusive: true })
    }
  }

  /** Every entry of one pack of `key`. */
  private async pack(key: string, name: string): Promise<ReadonlyArray<CacheEntry>> {
    const path = join(this.dir, key, `${name}${JSON_SUFFIX}`)
    const text = await readIfExists(path, "read")
    return text === undefined ? [] : decodeCachePack(text.toString("utf8"), path, key)
  }

  async entries(key: string): Promise<ReadonlyArray<CacheEntry>> {
    assertCacheKey("key", key)
    const names = await listNames(join(this.dir, key), JSON_SUFFIX, isPackName)
    const packs = await mapLimited(names, READ_CONCURRENCY, (name) => this.pack(key, name))
    return newestById(packs.flat())
  }

  async *list(): AsyncIterable<CacheEntry> {
    for (const key of await listNames(this.dir, "", isSha256Hex)) {
      for (const name of await listNames(join(this.dir, key), JSON_SUFFIX, isPackName)) yield* await this.pack(key, name)
    }
  }

  /**
   * Deletes the entries `doomed` accepts, pack by pack (see `Datastore.deleteCacheEntries`). A pack that keeps
   * some entries is replaced: the new pack is placed (atomically, under a fresh name) before the old one is
   * unlinked, so a kill in between leaves both, the staying entries readable twice (reads keep one of each
   * id) and the doomed ones for the next call. Only packs listed here are touched, so packs concurrent runs
   * put meanwhile stay; a key's directory stays too, even empty (a put may be about to place a pack in it).
   */
  async delete(doomed: (entry: CacheEntry) => boolean): Promise<number> {
    let deleted = 0
    for (const key of await listNames(this.dir, "", isSha256Hex)) {
      for (const name of await listNames(join(this.dir, key), JSON_SUFFIX, isPackName)) {
        const path = join(this.dir, key, `${name}${JSON_SUFFIX}`)
        const pruning = prunePack(key, await this.pack(key, name), doomed)
        if (pruning.action === "keep") continue
        if (pruning.action === "rewrite") {
          const replacement = join(this.dir, key, `${packName()}${JSON_SUFFIX}`)
          await writeFileAtomically(this.temps, replacement, pruning.text, { fsync: this.fsync, exclusive: true })
        }
        await attempt("delete", path, () => fs.rm(path, { force: true }))
        deleted += pruning.deleted
      }
    }
    return deleted
  }
}
