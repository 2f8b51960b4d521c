/**
 * The Datastore port: the one interface every storage adapter implements (memory, local directory, ...).
 * It knows nothing about flows, codecs or records. It stores three kinds of things:
 *
 * - **blobs**: immutable byte strings addressed by the sha256 of their bytes, written once;
 * - **run metadata**: one small JSON document per run, rewritten as the run progresses;
 * - **task manifests**: append-only records, one per task attempt, committed atomically;
 * - **tag changes**: the tags added to and removed from a run after it was created, kept apart from its
 *   metadata (tagChanges.ts) so that neither a metadata rewrite nor another tagger can lose one;
 * - **the step cache index**: an entry per computed task of a cached step, stored in packs (CacheEntry.ts),
 *   read by cache key, enumerable by a garbage collector.
 *
 * Every adapter passes the shared conformance suite in `spec/datastore/contract.ts`.
 *
 * Rules every adapter follows (the suite checks them):
 * - flow names and run ids are 1 to 128 characters among letters, digits, `_`, `-` and `.`, starting with a
 *   letter, a digit or `_`, and not `__proto__` (they become path segments); others reject with `StorageError`;
 * - records read back (run metadata, manifests) are fresh objects with null prototypes: keys from storage are
 *   hostile, so look them up with `Object.hasOwn`;
 * - I/O failures reject with `StorageError` naming the path and what to do about it.
 */
import type { CacheEntry } from "./CacheEntry.js"
import type { ArtifactEntry, RunMeta, TaskManifest } from "./Manifest.js"

/** Size and content hash of a stored blob. */
export interface BlobInfo {
  /** Lower-case hex sha256 of the stored bytes. */
  readonly hash: string
  /** Number of stored bytes. */
  readonly size: number
}

/** A stored blob as {@link Datastore.listBlobs} lists it for garbage collection. */
export interface StoredBlobInfo extends BlobInfo {
  /**
   * Epoch milliseconds of the blob's last write, a {@link Datastore.writeBlob} that found it already stored
   * included: gc spares blobs touched within its grace period, so a writer that just deduplicated against a
   * blob never loses it.
   */
  readonly touchedAt: number
}

/**
 * A run as listed by {@link Datastore.listRuns} and `client.runs(flow)`: enough to sort and filter without
 * reading manifests, under the names a run handle uses.
 */
export interface RunSummary {
  /** The run's id. */
  readonly id: string
  readonly flow: string
  readonly status: RunMeta["status"]
  /** Epoch milliseconds. */
  readonly startedAt: number
  /** Epoch milliseconds; undefined while the run is running (or when it stopped without recording its end). */
  readonly finishedAt: number | undefined
  /** The run's tags now (changes made with `addTags`/`removeTags` included), sorted. */
  readonly tags: ReadonlyArray<string>
}

/** Tags to take off a run and tags to put on it, in one change (removals first). */
export interface TagChange {
  readonly add: ReadonlyArray<string>
  readonly remove: ReadonlyArray<string>
}

/** Where runs, manifests and blobs are stored: the port every storage adapter implements. */
export interface Datastore {
  /** Human-readable location, used in error messages ("local store at /home/me/.artiflow"). */
  readonly description: string

  /**
   * Optional: how many tasks a run should keep in flight by default with this store. A store whose every
   * write is a network round trip (S3) keeps a run busy only with many tasks waiting on it at once; a run
   * uses the larger of this and its own default (CPU count x 4) unless `maxWorkers` says otherwise.
   */
  readonly preferredConcurrency?: number

  /**
   * Stores `bytes` under their sha256 and returns it. Idempotent: storing bytes that already exist writes
   * nothing. The blob is visible to readers only once it is complete; an interrupted write leaves nothing
   * under the hash. The adapter must not keep a reference to `bytes` (the caller may reuse the memory).
   */
  writeBlob(bytes: Uint8Array): Promise<BlobInfo>

  /** Whether a complete blob with this hash exists. */
  hasBlob(hash: string): Promise<boolean>

  /**
   * Reads a blob and verifies that its sha256 equals `hash`. Rejects with `NotFoundError` when there is no
   * such blob and `IntegrityError` when the bytes do not match (tampered or truncated): never returns
   * wrong bytes.
   */
  readBlob(hash: string): Promise<Uint8Array>

  /** Creates a run's metadata. Rejects with `StorageError` if a run with this flow and id already exists. */
  createRun(meta: RunMeta): Promise<void>

  /**
   * Replaces a run's metadata atomically (readers see the old or the new document, never a mix). Rejects with
   * `NotFoundError` when the run was never created. `meta.tags` is stored as the tags the run's tag changes
   * apply to: pass the tags the run was created with or those `readRun` gave; either way every change made
   * with {@link updateTags} is kept (a tag that was changed is decided by its latest change).
   */
  updateRun(meta: RunMeta): Promise<void>

  /**
   * A run's metadata, or `undefined` when the run does not exist. Its `tags` are the run's tags now, changes
   * made with {@link updateTags} applied, sorted; metadata stored without tags (older runs) reads as `tags: []`.
   */
  readRun(flow: string, runId: string): Promise<RunMeta | undefined>

  /**
   * Every run of a flow, newest first (by `startedAt`, then by id), with its tags now. An unknown flow has
   * no runs. Listing must stay cheap: it reads no manifest, and no tag changes of runs that have none.
   */
  listRuns(flow: string): Promise<ReadonlyArray<RunSummary>>

  /**
   * Optional: the runs {@link listRuns} lists, in its order, each with its whole metadata as {@link readRun}
   * gives it (tags now). A store that reads every run's metadata to list runs has it in hand: a client opening
   * the latest run then takes it from the listing instead of reading it again. Stores without it are read with
   * listRuns, then readRun.
   *
   * @example
   * const latest = (await store.listRunMetas?.("Train"))?.[0] // the newest run's RunMeta, or undefined
   */
  listRunMetas?(flow: string): Promise<ReadonlyArray<RunMeta>>

  /**
   * Removes `change.remove` from a run's tags, then adds `change.add`, as one change, and resolves to the
   * run's tags after it (sorted). Removing a tag the run does not have, or adding one it has, changes
   * nothing. Changes are never lost: concurrent calls, from this process or others, all take effect, and
   * {@link updateRun} does not undo them. Rejects with `NotFoundError` when the run was never created and
   * `StorageError` when a tag breaks the tag rule (lib/tags.ts). A store without appends can keep a run's
   * changes as one document replaced with conditional writes (If-Match, retried on conflict), or as one
   * document per change created with If-None-Match.
   */
  updateTags(flow: string, runId: string, change: TagChange): Promise<ReadonlyArray<string>>

  /** Names of every flow with at least one run, sorted. */
  listFlows(): Promise<ReadonlyArray<string>>

  /**
   * Appends task manifests to a run. Each manifest is committed atomically: after a crash a reader sees it
   * whole or not at all. Manifests of one run are returned by {@link readManifests} in commit order, the
   * manifests of one call together. Resolves once they are written; concurrent calls may share one write.
   * Rejects with `NotFoundError` when the run was never created.
   */
  commitManifests(flow: string, runId: string, manifests: ReadonlyArray<TaskManifest>): Promise<void>

  /**
   * Every committed manifest of a run (all attempts of all tasks), in commit order. Rejects with
   * `NotFoundError` when the run was never created, and `IntegrityError` when stored manifests are corrupt.
   */
  readManifests(flow: string, runId: string): Promise<ReadonlyArray<TaskManifest>>

  /**
   * Optional: the same manifests as {@link readManifests}, each decoded only when its `manifest()` is first
   * called. A client that opens a run of 10,000 tasks to read one artifact then decodes the two or three
   * manifests it needs, not all of them. Stores without it are read with readManifests.
   */
  readManifestRecords?(flow: string, runId: string): Promise<ReadonlyArray<ManifestRecord>>

  /**
   * Optional, for garbage collection (`gc` refuses a store without it): every complete blob, in no particular
   * order, a page at a time (a store of millions of blobs is never listed into memory at once). Blobs being
   * written (temp files, unfinished uploads) are not listed.
   */
  listBlobs?(): AsyncIterable<ReadonlyArray<StoredBlobInfo>>

  /**
   * Optional, for garbage collection: deletes these blobs, each unless it was touched (written, or found
   * already stored by a write) after `notTouchedAfter` (epoch ms; times compare in whole milliseconds, or
   * seconds where the store keeps no finer ones), and resolves to the blobs it deleted. Hashes that are not
   * stored, or not sha256s, are skipped; deleting twice is not an error. The store checks the time as late as
   * it can, just before each delete, so that a writer that deduplicated against a blob after it was listed
   * keeps it.
   */
  deleteBlobs?(hashes: ReadonlyArray<string>, notTouchedAfter: number): Promise<ReadonlyArray<BlobInfo>>

  /**
   * Optional, for garbage collection: deletes a run, its manifests and its tag changes (never a blob).
   * Resolves quietly when the run does not exist. Crash-safe: the run's metadata goes last, so that a delete
   * cut short leaves a run that is still listed (and damaged, but only gc wanted it) and the next gc deletes
   * the rest; deleting the metadata first would leave manifests no listing ever finds again.
   */
  deleteRun?(flow: string, runId: string): Promise<void>

  /**
   * The step cache index (DESIGN.md §9), 1 of 3: stores a batch of entries (those one run recorded, often
   * thousands) as one pack per cache key, each pack atomically (a reader sees all of it or none of it).
   * Concurrent puts, from this process or others, never lose or corrupt one another: every pack is a new
   * document. Of entries with the same key and id, reads return the newest (`createdAt`). Rejects with
   * `StorageError` when a key or id is not a lower-case sha256 hex string, before storing anything.
   *
   * Every artiflow adapter implements the three cache methods; a store without them (a test double) runs
   * cached steps as if the cache were off, and a garbage collector sees no entries in it.
   *
   * @example
   * await store.putCacheEntries?.([entry])
   */
  putCacheEntries?(entries: ReadonlyArray<CacheEntry>): Promise<void>

  /**
   * The step cache index, 2 of 3: every entry of one key (of each id, the newest), in no particular order;
   * none for an unknown key. A run reads a key once, when a task of its step is first looked up. Rejects with
   * `IntegrityError` naming the pack when a stored pack is damaged.
   *
   * @example
   * const entries = (await store.readCacheEntries?.(key)) ?? []
   */
  readCacheEntries?(key: string): Promise<ReadonlyArray<CacheEntry>>

  /**
   * The step cache index, 3 of 3: every stored entry of every key, in no particular order, read pack by pack
   * (an async iterable: a store with a million entries never holds them all). An entry replaced by a newer
   * one with the same key and id may be listed too. For a garbage collector: `cacheEntryBlobs(entry)`
   * (CacheEntry.ts) lists the blobs an entry keeps alive. Entries put while the iteration runs may or may not
   * be seen, so a collector keeps blobs younger than its grace period. A damaged pack fails the iteration
   * with an `IntegrityError` naming it (never skipped: a collector must not delete what an unreadable entry
   * may keep alive).
   *
   * @example
   * for await (const entry of store.listCacheEntries?.() ?? []) keep(cacheEntryBlobs(entry))
   */
  listCacheEntries?(): AsyncIterable<CacheEntry>

  /**
   * Optional, for garbage collection: deletes every stored entry `doomed` accepts (gc passes the entries
   * computed by the runs it deletes, `entry.cachedFrom.runId`) and resolves to how many it deleted. Pack by
   * pack: a pack all of whose entries go is deleted; a pack some of whose entries go (a batch of several runs'
   * entries, which artiflow itself never writes) is replaced by a new pack of the others, written whole before
   * the old one is deleted. A deletion cut short therefore leaves every entry that stays readable (for a moment,
   * maybe twice: reads return one of each id), and doomed entries still there for the next call to delete.
   * Packs put while it runs are not touched: concurrent runs lose nothing. A damaged pack rejects with an
   * `IntegrityError` naming it, like {@link listCacheEntries}.
   *
   * @example
   * const deleted = await store.deleteCacheEntries?.((entry) => entry.cachedFrom.runId === "20250101-a1b2c3")
   */
  deleteCacheEntries?(doomed: (entry: CacheEntry) => boolean): Promise<number>
}

/** A committed manifest: which task attempt it is, and the whole manifest decoded on demand. */
export interface ManifestRecord {
  readonly step: string
  readonly taskId: string
  readonly attempt: number
  /** The decoded manifest (decoded once). Throws IntegrityError when its text does not match its header. */
  manifest(): TaskManifest
}

export type { ArtifactEntry, CacheEntry, RunMeta, TaskManifest }
