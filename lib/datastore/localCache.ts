/**
 * The step cache index of the local store (CacheEntry.ts, DESIGN.md §9):
 *
 *     <root>/cache/<key>/shapes/<shape id>.json   the shapes of the key's entries (a handful per key)
 *     <root>/cache/<key>/entries/<id>.json        one entry per computed task
 *
 * Every document is written to tmp/ and renamed into place: readers see a whole document or none, and of two
 * writers of one entry (same key and id) the last rename wins whole. Distinct entries are distinct files, so
 * concurrent runs filling one cache lose nothing.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { isSha256Hex } from "../codec/hash.js"
import { assertCacheKey, decodeCacheEntry, decodeCacheShape, encodeCacheEntry, encodeCacheShape, shapeId, shapeOf } from "./CacheEntry.js"
import type { CacheEntry, CacheShape } from "./CacheEntry.js"
import { Directories, isMissing, readIfExists, storageError, writeFileAtomically } from "./localFiles.js"
import type { TempFiles } from "./localFiles.js"

const JSON_SUFFIX = ".json"

/** The names `<sha256>.json` in `dir` (none when it does not exist), as the hashes. */
const listDocuments = async (dir: string): Promise<Array<string>> => {
  try {
    const names = await fs.readdir(dir)
    return names
      .filter((name) => name.endsWith(JSON_SUFFIX) && isSha256Hex(name.slice(0, -JSON_SUFFIX.length)))
      .map((name) => name.slice(0, -JSON_SUFFIX.length))
  } catch (error) {
    if (isMissing(error)) return []
    throw storageError(error, "list", dir)
  }
}

export class LocalCacheIndex {
  // Shapes this process stored or saw stored: each is written once per process, not once per entry.
  private readonly knownShapes = new Set<string>()

  constructor(
    private readonly dir: string,
    private readonly directories: Directories,
    private readonly temps: TempFiles,
    private readonly fsync: boolean
  ) {}

  async put(entry: CacheEntry): Promise<void> {
    const text = encodeCacheEntry(entry)
    const shape = shapeOf(entry)
    const shapePath = join(this.dir, entry.key, "shapes", `${shapeId(shape)}${JSON_SUFFIX}`)
    const options = { fsync: this.fsync, exclusive: false }
    // The entry first, then its shape: a reader that finds a shape finds the entries written before it, and an
    // entry whose shape write failed is found as soon as any other entry of that shape is stored.
    const entries = join(this.dir, entry.key, "entries")
    await this.directories.ensure(entries)
    await writeFileAtomically(this.temps, join(entries, `${entry.id}${JSON_SUFFIX}`), text, options)
    if (this.knownShapes.has(shapePath)) return
    await this.directories.ensure(join(this.dir, entry.key, "shapes"))
    if ((await readIfExists(shapePath, "read")) === undefined) {
      await writeFileAtomically(this.temps, shapePath, encodeCacheShape(shape), options)
    }
    this.knownShapes.add(shapePath)
  }

  async shapes(key: string): Promise<ReadonlyArray<CacheShape>> {
    assertCacheKey("key", key)
    const dir = join(this.dir, key, "shapes")
    const shapes: Array<CacheShape> = []
    for (const id of await listDocuments(dir)) {
      const path = join(dir, `${id}${JSON_SUFFIX}`)
      const text = await readIfExists(path, "read")
      if (text !== undefined) shapes.push(decodeCacheShape(text.toString("utf8"), path))
    }
    return shapes
  }

  async entry(key: string, id: string): Promise<CacheEntry | undefined> {
    assertCacheKey("key", key)
    assertCacheKey("id", id)
    const path = join(this.dir, key, "entries", `${id}${JSON_SUFFIX}`)
    const text = await readIfExists(path, "read")
    return text === undefined ? undefined : decodeCacheEntry(text.toString("utf8"), path, { key, id })
  }

  async *list(): AsyncIterable<CacheEntry> {
    for (const key of await listDocumentDirs(this.dir)) {
      for (const id of await listDocuments(join(this.dir, key, "entries"))) {
        const found = await this.entry(key, id)
        if (found !== undefined) yield found
      }
    }
  }
}

/** The subdirectories of `dir` named by a sha256 (the cache keys). */
const listDocumentDirs = async (dir: string): Promise<Array<string>> => {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true })
    return entries.filter((entry) => entry.isDirectory() && isSha256Hex(entry.name)).map((entry) => entry.name)
  } catch (error) {
    if (isMissing(error)) return []
    throw storageError(error, "list", dir)
  }
}
