/**
 * An in-memory Datastore for tests. It behaves like a durable store: bytes are copied in and out (a caller
 * reusing its buffer, or mutating what it read, changes nothing stored), hashes are verified on every read,
 * and records are kept as JSON text so that what comes back is exactly what a disk store would return.
 */
import { sha256Hex, isSha256Hex } from "../codec/hash.js"
import { IntegrityError, NotFoundError, StorageError } from "../errors.js"
import type { BlobInfo, Datastore, ManifestRecord, RunSummary, StoredBlobInfo, TagChange } from "./Datastore.js"
import { assertCacheKey, byKey, decodeCachePack, encodeCachePack, newestById, prunePack } from "./CacheEntry.js"
import type { CacheEntry } from "./CacheEntry.js"
import type { RunMeta, TaskManifest } from "./Manifest.js"
import { assertValidName, assertValidRun } from "./names.js"
import { decodeManifest, decodeRunMeta, encodeManifest, encodeRunMeta, lazyRecord, newestFirst, summarize } from "./records.js"
import { assertValidTagChange, decodeTagChange, encodeTagChange } from "./tagChanges.js"

/** A memory store, with its blobs exposed so tests can tamper with them. */
export interface MemoryStore extends Datastore {
  /** The stored bytes by hash. Tests may corrupt or truncate entries to check that reads detect it. */
  readonly blobs: Map<string, Uint8Array>
}

interface StoredRun {
  meta: string
  readonly manifests: Array<string>
  /** Tag changes since the run was created, oldest first (apart from `meta`, as every store keeps them). */
  readonly tagChanges: Array<string>
}

const DESCRIPTION = "memory store"

const copyOf = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes)

/** Blobs per page of {@link Memory.listBlobs}. */
const BLOB_PAGE = 1000

class Memory implements MemoryStore {
  readonly description = DESCRIPTION
  readonly blobs = new Map<string, Uint8Array>()
  // When each blob was last written (or found stored by a write). A blob a test put into `blobs` directly has
  // none and counts as touched long ago.
  private readonly touched = new Map<string, number>()
  // flow -> runId -> run. Maps, not objects: names are user input.
  private readonly flows = new Map<string, Map<string, StoredRun>>()
  // cache key -> its packs, as JSON text (read back like a disk store's).
  private readonly cache = new Map<string, Array<string>>()

  async writeBlob(bytes: Uint8Array): Promise<BlobInfo> {
    const hash = sha256Hex(bytes)
    if (!this.blobs.has(hash)) this.blobs.set(hash, copyOf(bytes))
    this.touched.set(hash, Date.now())
    return { hash, size: bytes.byteLength }
  }

  async *listBlobs(): AsyncIterable<ReadonlyArray<StoredBlobInfo>> {
    let page: Array<StoredBlobInfo> = []
    for (const [hash, bytes] of this.blobs) {
      page.push({ hash, size: bytes.byteLength, touchedAt: this.touched.get(hash) ?? 0 })
      if (page.length === BLOB_PAGE) {
        yield page
        page = []
      }
    }
    if (page.length > 0) yield page
  }

  async deleteBlobs(hashes: ReadonlyArray<string>, notTouchedAfter: number): Promise<ReadonlyArray<BlobInfo>> {
    const deleted: Array<BlobInfo> = []
    for (const hash of hashes) {
      const bytes = this.blobs.get(hash)
      if (bytes === undefined || (this.touched.get(hash) ?? 0) > notTouchedAfter) continue
      this.blobs.delete(hash)
      this.touched.delete(hash)
      deleted.push({ hash, size: bytes.byteLength })
    }
    return deleted
  }

  async deleteRun(flow: string, runId: string): Promise<void> {
    assertValidRun(flow, runId)
    const runs = this.flows.get(flow)
    if (runs === undefined) return
    runs.delete(runId)
    // listFlows lists flows with at least one run.
    if (runs.size === 0) this.flows.delete(flow)
  }

  async hasBlob(hash: string): Promise<boolean> {
    return this.blobs.has(hash)
  }

  async readBlob(hash: string): Promise<Uint8Array> {
    const stored = isSha256Hex(hash) ? this.blobs.get(hash) : undefined
    if (stored === undefined) throw new NotFoundError(`artiflow: blob ${hash} not found in the ${DESCRIPTION}`)
    const actual = sha256Hex(stored)
    if (actual !== hash) {
      throw new IntegrityError(`artiflow: blob ${hash} in the ${DESCRIPTION} is corrupt: its bytes hash to ${actual}`)
    }
    return copyOf(stored)
  }

  async createRun(meta: RunMeta): Promise<void> {
    assertValidRun(meta.flow, meta.runId)
    const runs = this.flows.get(meta.flow) ?? new Map<string, StoredRun>()
    if (runs.has(meta.runId)) {
      throw new StorageError(
        `artiflow: run '${meta.runId}' of flow '${meta.flow}' already exists in the ${DESCRIPTION}`
      )
    }
    runs.set(meta.runId, { meta: encodeRunMeta(meta), manifests: [], tagChanges: [] })
    this.flows.set(meta.flow, runs)
  }

  async updateRun(meta: RunMeta): Promise<void> {
    this.run(meta.flow, meta.runId).meta = encodeRunMeta(meta)
  }

  async readRun(flow: string, runId: string): Promise<RunMeta | undefined> {
    assertValidRun(flow, runId)
    const run = this.flows.get(flow)?.get(runId)
    return run === undefined ? undefined : this.decode(flow, runId, run)
  }

  async listRuns(flow: string): Promise<ReadonlyArray<RunSummary>> {
    return (await this.listRunMetas(flow)).map(summarize)
  }

  async listRunMetas(flow: string): Promise<ReadonlyArray<RunMeta>> {
    assertValidName("flow name", flow)
    const runs = [...(this.flows.get(flow)?.entries() ?? [])]
    return runs.map(([runId, run]) => this.decode(flow, runId, run)).sort(newestFirst)
  }

  async updateTags(flow: string, runId: string, change: TagChange): Promise<ReadonlyArray<string>> {
    const run = this.run(flow, runId)
    assertValidTagChange(change, flow, runId)
    // One synchronous push: nothing can come between reading the changes and adding this one.
    run.tagChanges.push(encodeTagChange(change))
    return this.decode(flow, runId, run).tags
  }

  async listFlows(): Promise<ReadonlyArray<string>> {
    return [...this.flows.keys()].sort()
  }

  async commitManifests(flow: string, runId: string, manifests: ReadonlyArray<TaskManifest>): Promise<void> {
    const run = this.run(flow, runId)
    // Encode all first: a manifest that cannot be stored must not leave its predecessors committed.
    const encoded = manifests.map(encodeManifest)
    for (const text of encoded) run.manifests.push(text)
  }

  async readManifests(flow: string, runId: string): Promise<ReadonlyArray<TaskManifest>> {
    const run = this.run(flow, runId)
    return run.manifests.map((text, i) => decodeManifest(text, `record ${i + 1} of ${this.where(flow, runId)}`))
  }

  async readManifestRecords(flow: string, runId: string): Promise<ReadonlyArray<ManifestRecord>> {
    const run = this.run(flow, runId)
    const where = this.where(flow, runId)
    return run.manifests.map((text, index) => lazyRecord(text, where, index))
  }

  async putCacheEntries(entries: ReadonlyArray<CacheEntry>): Promise<void> {
    // Encode every pack first: a bad entry stores nothing of the batch.
    const packs = [...byKey(entries)].map(([key, group]) => [key, encodeCachePack(key, group)] as const)
    for (const [key, text] of packs) {
      const stored = this.cache.get(key)
      if (stored === undefined) this.cache.set(key, [text])
      else stored.push(text)
    }
  }

  async readCacheEntries(key: string): Promise<ReadonlyArray<CacheEntry>> {
    assertCacheKey("key", key)
    const packs = this.cache.get(key) ?? []
    return newestById(packs.flatMap((text, i) => decodeCachePack(text, this.cacheWhere(key, i), key)))
  }

  async *listCacheEntries(): AsyncIterable<CacheEntry> {
    // A copy: puts during the iteration must not disturb it.
    const all = [...this.cache].flatMap(([key, packs]) => packs.map((text, i) => ({ key, text, i })))
    for (const { key, text, i } of all) yield* decodeCachePack(text, this.cacheWhere(key, i), key)
  }

  async deleteCacheEntries(doomed: (entry: CacheEntry) => boolean): Promise<number> {
    let deleted = 0
    for (const [key, packs] of [...this.cache]) {
      // Every pack is decided before any changes: a damaged one rejects with the key's packs untouched.
      const prunings = packs.map((text, i) => prunePack(key, decodeCachePack(text, this.cacheWhere(key, i), key), doomed))
      const kept: Array<string> = []
      prunings.forEach((pruning, i) => {
        deleted += pruning.deleted
        if (pruning.action === "keep") kept.push(packs[i] as string)
        else if (pruning.action === "rewrite") kept.push(pruning.text)
      })
      if (kept.length === 0) this.cache.delete(key)
      else this.cache.set(key, kept)
    }
    return deleted
  }

  private cacheWhere(key: string, pack: number): string {
    return `${key}/${pack} in the ${DESCRIPTION}`
  }

  private run(flow: string, runId: string): StoredRun {
    assertValidRun(flow, runId)
    const run = this.flows.get(flow)?.get(runId)
    if (run === undefined)
      throw new NotFoundError(`artiflow: run '${runId}' of flow '${flow}' not found in the ${DESCRIPTION}`)
    return run
  }

  private decode(flow: string, runId: string, run: StoredRun): RunMeta {
    const where = this.where(flow, runId)
    const changes = run.tagChanges.map((text, i) => decodeTagChange(text, `${i + 1} ${where}`))
    return decodeRunMeta(run.meta, flow, runId, where, changes)
  }

  private where(flow: string, runId: string): string {
    return `of run '${runId}' of flow '${flow}' in the ${DESCRIPTION}`
  }
}

/**
 * A Datastore held in memory, for tests: nothing survives the process.
 *
 * @example
 * const store = memoryStore()
 * const { hash } = await store.writeBlob(new TextEncoder().encode("hi"))
 * await store.readBlob(hash) // Uint8Array [104, 105]
 */
export const memoryStore = (): MemoryStore => new Memory()

/** Whether `store` is a memory store: it lives in this process, and no other process can reach it. */
export const isMemoryStore = (store: Datastore): boolean => store instanceof Memory
