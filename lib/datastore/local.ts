/**
 * The local Datastore: a directory on disk.
 *
 *     <root>/                               $ARTIFLOW_HOME, else ./.artiflow (resolved when the store is made)
 *       blobs/<first 2 hex>/<sha256>        content-addressed blobs, written once, never modified
 *       runs/<flow>/<runId>/run.json        run metadata, replaced whole (temp file + rename)
 *       runs/<flow>/<runId>/manifests.jsonl task manifests, appended as checksummed lines (manifestLog.ts)
 *       runs/<flow>/<runId>/manifests.index the log's index, written when the run ends (logIndex.ts)
 *       runs/<flow>/.tags/<runId>.jsonl     tag changes of runs tagged after they started, appended (localTags.ts)
 *       cache/<key>/<pack>.json             the step cache index, in packs of entries (localCache.ts)
 *       tmp/<uuid>                          files being written; renamed into place when complete
 *
 * Nothing is ever visible half-written: blobs and run.json are written to tmp/ (same file system) and
 * renamed (or hard-linked, for a run.json that must not exist yet) into place. A crash leaves at most a stray
 * file in tmp/, which is never listed, and which the store removes once it is an hour old (localTemps.ts). Blobs
 * fan out over 256 directories so that no directory grows huge.
 *
 * Durability (`fsync`): by default the store relies on the OS page cache. Everything survives the process
 * crashing, but a power loss or kernel crash can lose the last few seconds of writes (a torn manifest record
 * is then ignored on read). With `fsync: true`, each blob, run.json and manifest append is flushed to disk
 * (and each new directory entry too) before the call resolves: about 1 ms more per write on this machine,
 * and group commit shares one flush among the manifests of tasks that finish together.
 */
import { promises as fs } from "node:fs"
import { join, resolve } from "node:path"
import { NotFoundError, StorageError } from "../errors.js"
import type { BlobInfo, Datastore, ManifestRecord, RunSummary, StoredBlobInfo, TagChange } from "./Datastore.js"
import type { CacheEntry } from "./CacheEntry.js"
import { LocalBlobs } from "./localBlobs.js"
import { LocalCacheIndex } from "./localCache.js"
import {
  Directories,
  errorCode,
  isMissing,
  listNamedDirectories,
  mapLimited,
  readIfExists,
  removeFile,
  storageError,
  TempFiles,
  writeFileAtomically
} from "./localFiles.js"
import { LocalManifestLogs } from "./localManifests.js"
import { LocalTagLogs } from "./localTags.js"
import { TempSweeper } from "./localTemps.js"
import type { RunMeta, TaskManifest } from "./Manifest.js"
import { assertValidName, assertValidRun } from "./names.js"
import { decodeRunMeta, encodeRunMeta, newestFirst, summarize } from "./records.js"
import { assertValidTagChange } from "./tagChanges.js"

/** Options of {@link localStore}. */
export interface LocalStoreOptions {
  /** Flush every write to disk before it resolves (see the module comment for the trade-off). Default false. */
  readonly fsync?: boolean
}

/** How many run.json files a listing reads at once. */
const LIST_CONCURRENCY = 32

class Local implements Datastore {
  readonly description: string
  private readonly fsync: boolean
  private readonly directories = new Directories()
  private readonly temps: TempFiles
  private readonly blobs: LocalBlobs
  private readonly logs: LocalManifestLogs
  private readonly tags: LocalTagLogs
  private readonly sweeper: TempSweeper
  private readonly cache: LocalCacheIndex
  // Runs known to exist (by runKey), with their manifest log's path: a commit then
  // costs neither a file-system check nor the path joins (a foreach commits thousands of times a second).
  private readonly knownRuns = new Map<string, string>()

  constructor(
    private readonly root: string,
    options: LocalStoreOptions
  ) {
    this.description = `local store at ${root}`
    this.fsync = options.fsync ?? false
    this.temps = new TempFiles(join(root, "tmp"), this.directories)
    this.blobs = new LocalBlobs(join(root, "blobs"), this.description, this.directories, this.temps, this.fsync)
    this.logs = new LocalManifestLogs(this.fsync)
    this.tags = new LocalTagLogs(join(root, "runs"), this.directories, this.fsync)
    this.sweeper = new TempSweeper(join(root, "tmp"))
    this.cache = new LocalCacheIndex(join(root, "cache"), this.directories, this.temps, this.fsync)
  }

  putCacheEntries(entries: ReadonlyArray<CacheEntry>): Promise<void> {
    return this.cache.put(entries)
  }

  readCacheEntries(key: string): Promise<ReadonlyArray<CacheEntry>> {
    return this.cache.entries(key)
  }

  listCacheEntries(): AsyncIterable<CacheEntry> {
    return this.cache.list()
  }

  deleteCacheEntries(doomed: (entry: CacheEntry) => boolean): Promise<number> {
    return this.cache.delete(doomed)
  }

  writeBlob(bytes: Uint8Array): Promise<BlobInfo> {
    return this.blobs.write(bytes)
  }

  hasBlob(hash: string): Promise<boolean> {
    return this.blobs.has(hash)
  }

  readBlob(hash: string): Promise<Uint8Array> {
    return this.blobs.read(hash)
  }

  async createRun(meta: RunMeta): Promise<void> {
    assertValidRun(meta.flow, meta.runId)
    const dir = this.runDir(meta.flow, meta.runId)
    // Every run starts here: the moment to clear what crashed writers left in tmp/ (never a live writer's).
    await this.sweeper.maybeSweep()
    await this.directories.ensure(dir)
    try {
      // Exclusive: two runs created with one id at once must not both succeed.
      const options = { fsync: this.fsync, exclusive: true }
      await writeFileAtomically(this.temps, join(dir, "run.json"), encodeRunMeta(meta), options)
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error
      throw new StorageError(
        `artiflow: run '${meta.runId}' of flow '${meta.flow}' already exists in the ${this.description}`
      )
    }
  }

  async updateRun(meta: RunMeta): Promise<void> {
    assertValidRun(meta.flow, meta.runId)
    await this.requireRun(meta.flow, meta.runId)
    const options = { fsync: this.fsync, exclusive: false }
    await writeFileAtomically(this.temps, this.runFile(meta.flow, meta.runId), encodeRunMeta(meta), options)
    // An ended run takes no more commits (but a late duplicate): index its log, so that opening it is quicker.
    // Only an optimization: without the index (or with a stale one), the log is read record by record.
    if (meta.status !== "running") await this.logs.writeIndex(this.logFile(meta.flow, meta.runId), this.temps).catch(() => undefined)
  }

  async readRun(flow: string, runId: string): Promise<RunMeta | undefined> {
    assertValidRun(flow, runId)
    return this.readMeta(flow, runId, true)
  }

  async listRuns(flow: string): Promise<ReadonlyArray<RunSummary>> {
    return (await this.listRunMetas(flow)).map(summarize)
  }

  async listRunMetas(flow: string): Promise<ReadonlyArray<RunMeta>> {
    assertValidName("flow name", flow)
    const [runIds, changed] = await Promise.all([
      listNamedDirectories(join(this.root, "runs", flow)),
      this.tags.changedRuns(flow)
    ])
    const metas = await mapLimited(runIds, LIST_CONCURRENCY, (runId) => this.readMeta(flow, runId, changed.has(runId)))
    // A run directory without run.json is a createRun that did not finish: not a run.
    return metas.filter((meta): meta is RunMeta => meta !== undefined).sort(newestFirst)
  }

  async updateTags(flow: string, runId: string, change: TagChange): Promise<ReadonlyArray<string>> {
    assertValidRun(flow, runId)
    assertValidTagChange(change, flow, runId)
    await this.requireRun(flow, runId)
    await this.tags.append(flow, runId, change)
    const meta = await this.readMeta(flow, runId, true)
    if (meta === undefined) throw new NotFoundError(`artiflow: run '${runId}' of flow '${flow}' not found in the ${this.description}`)
    return meta.tags
  }

  async listFlows(): Promise<ReadonlyArray<string>> {
    const flows = await listNamedDirectories(join(this.root, "runs"))
    const withRuns = await mapLimited(flows, LIST_CONCURRENCY, (flow) => this.hasAnyRun(flow))
    return flows.filter((_, i) => withRuns[i]).sort()
  }

  async commitManifests(flow: string, runId: string, manifests: ReadonlyArray<TaskManifest>): Promise<void> {
    assertValidRun(flow, runId)
    if (manifests.length === 0) return
    await this.logs.commit(await this.requireRun(flow, runId), manifests)
  }

  async readManifests(flow: string, runId: string): Promise<ReadonlyArray<TaskManifest>> {
    return (await this.readManifestRecords(flow, runId)).map((record) => record.manifest())
  }

  async readManifestRecords(flow: string, runId: string): Promise<ReadonlyArray<ManifestRecord>> {
    assertValidRun(flow, runId)
    const records = await this.logs.readRecords(this.logFile(flow, runId))
    if (records !== undefined) return records
    await this.requireRun(flow, runId)
    return []
  }

  listBlobs(): AsyncIterable<ReadonlyArray<StoredBlobInfo>> {
    return this.blobs.list()
  }

  deleteBlobs(hashes: ReadonlyArray<string>, notTouchedAfter: number): Promise<ReadonlyArray<BlobInfo>> {
    return this.blobs.delete(hashes, notTouchedAfter)
  }

  async deleteRun(flow: string, runId: string): Promise<void> {
    assertValidRun(flow, runId)
    const dir = this.runDir(flow, runId)
    // run.json last: until it goes, the run is listed, so a gc killed half-way finds it again and finishes.
    await this.logs.remove(this.logFile(flow, runId))
    await this.tags.remove(flow, runId)
    await removeFile(this.runFile(flow, runId))
    this.knownRuns.delete(runKey(flow, runId))
    this.directories.forget(dir)
    // Empty now, unless something this store never writes was put there: then the directory stays.
    await fs.rmdir(dir).catch(() => undefined)
  }

  /** A run's metadata with its tag changes applied (`tagged`: whether it may have any, which costs a read). */
  private async readMeta(flow: string, runId: string, tagged: boolean): Promise<RunMeta | undefined> {
    const path = this.runFile(flow, runId)
    const text = await readIfExists(path, "read")
    if (text === undefined) return undefined
    const changes = tagged ? await this.tags.read(flow, runId) : []
    return decodeRunMeta(text.toString("utf8"), flow, runId, path, changes)
  }

  private async hasAnyRun(flow: string): Promise<boolean> {
    for (const runId of await listNamedDirectories(join(this.root, "runs", flow))) {
      if ((await readIfExists(this.runFile(flow, runId), "read")) !== undefined) return true
    }
    return false
  }

  private runDir(flow: string, runId: string): string {
    return join(this.root, "runs", flow, runId)
  }

  private runFile(flow: string, runId: string): string {
    return join(this.runDir(flow, runId), "run.json")
  }

  private logFile(flow: string, runId: string): string {
    return join(this.runDir(flow, runId), "manifests.jsonl")
  }

  /** Fails with NotFoundError unless the run exists; resolves to the path of its manifest log. */
  private async requireRun(flow: string, runId: string): Promise<string> {
    const key = runKey(flow, runId)
    const known = this.knownRuns.get(key)
    if (known !== undefined) return known
    const path = this.runFile(flow, runId)
    try {
      await fs.access(path)
    } catch (error) {
      if (!isMissing(error)) throw storageError(error, "inspect", path)
      throw new NotFoundError(`artiflow: run '${runId}' of flow '${flow}' not found in the ${this.description}`)
    }
    const log = this.logFile(flow, runId)
    this.knownRuns.set(key, log)
    return log
  }
}

/** A run's key in `knownRuns`: flow names and run ids cannot hold a '/'. */
const runKey = (flow: string, runId: string): string => `${flow}/${runId}`

/**
 * A Datastore in a local directory: `dir`, else `$ARTIFLOW_HOME`, else `./.artiflow`, resolved against the
 * current directory when called. Directories are created on first write.
 *
 * @example
 * const store = localStore("/tmp/artiflow-demo")
 * await store.listFlows() // []
 */
export const localStore = (dir?: string, options: LocalStoreOptions = {}): Datastore => {
  const home = process.env.ARTIFLOW_HOME
  const root = resolve(dir ?? (home !== undefined && home !== "" ? home : ".artiflow"))
  return new Local(root, options)
}
