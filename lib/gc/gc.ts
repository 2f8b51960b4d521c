/**
 * Garbage collection: deletes the runs a gc does not keep with the step cache entries they computed, then
 * every blob nothing left references.
 *
 * Order, and why it is crash-safe: the roots (what kept runs and the other cache entries reference) are read
 * before anything is deleted; the doomed runs' cache entries go first, while those runs are still listed, so
 * a gc killed after them finds the same runs again and the next gc deletes the same entries (deleting runs
 * first would leave entries naming runs no listing finds); runs go next, each with its metadata last (see
 * `Datastore.deleteRun`); blobs go last, and only blobs nothing kept references. A gc killed at any point has
 * therefore only deleted runs it was asked to delete, cache entries of those runs and blobs nothing kept
 * needs: every kept run still loads and resumes, every entry left still hits (an entry whose blobs are gone
 * is a miss anyway), and the next gc, which makes the same decisions, deletes what this one did not get to.
 *
 * Concurrent writers: a run that starts while gc works is not listed, so its manifests are no roots; but
 * every blob it writes, or finds already stored, is touched then, and gc spares blobs touched within
 * `graceMs` of its start. A task whose blob writes and manifest commit are further apart than that (an hour
 * by default) is the one case this does not cover.
 */
import type { CacheEntry, Datastore, RunSummary } from "../datastore/Datastore.js"
import { mapLimited } from "../datastore/localFiles.js"
import { FlowDefinitionError, StorageError } from "../errors.js"
import { invalidOption } from "../types/messages.js"
import { graceOf, keepRule } from "./keep.js"
import type { Keep } from "./keep.js"
import { addCacheRoots, keptClosure } from "./roots.js"

export type { Keep, KeepCriteria } from "./keep.js"

/**
 * Options of {@link gc}.
 *
 * @example
 * const options: GcOptions = { keep: { since: new Date("2025-01-01") }, dryRun: true }
 */
export interface GcOptions {
  /** The runs to keep: criteria (a run any of them keeps is kept) or a function. Running runs are always kept. */
  readonly keep: Keep
  /** Count what would be deleted, delete nothing. Default false. */
  readonly dryRun?: boolean
  /** Blobs written (or found stored by a write) less than this long ago stay. Default one hour. */
  readonly graceMs?: number
}

/**
 * What a gc deleted (or, with `dryRun`, would delete).
 *
 * @example
 * const { runsDeleted, blobsDeleted, bytesFreed }: GcResult = await gc(store, { keep: { lastRuns: 3 } })
 */
export interface GcResult {
  readonly runsDeleted: number
  readonly blobsDeleted: number
  /** Bytes of the deleted blobs (run metadata and manifests not counted). */
  readonly bytesFreed: number
  /**
   * Step cache entries deleted (or, with `dryRun`, that would be): those the deleted runs computed. Present only
   * when there are some: most flows cache nothing, and their result stays the three counts above.
   */
  readonly cacheEntriesDeleted?: number
}

/** Blobs handed to the store per `deleteBlobs` call (S3's DeleteObjects takes 1,000). */
const DELETE_BATCH = 1000

/** Runs being deleted at once. */
const RUN_DELETE_CONCURRENCY = 8

/** The runs of one flow to delete. The blobs the rest reference are added to `blobs`. */
const runsToDelete = async (
  store: Datastore,
  flow: string,
  keep: ReturnType<typeof keepRule>,
  blobs: Set<string>
): Promise<ReadonlyArray<RunSummary>> => {
  const runs = await store.listRuns(flow)
  const kept = runs.filter((run, newer) => run.status === "running" || keep(run, newer)).map((run) => run.id)
  const existing = new Set(runs.map((run) => run.id))
  const stay = await keptClosure(store, flow, kept, existing, blobs)
  return runs.filter((run) => !stay.has(run.id))
}

/** A run's identity across flows (a run id is unique within its flow only). */
const runRef = (flow: string, runId: string): string => JSON.stringify([flow, runId])

type Collecting = Required<Pick<Datastore, "listBlobs" | "deleteBlobs" | "deleteRun">>

const collecting = (store: Datastore): Datastore & Collecting => {
  if (store.listBlobs === undefined || store.deleteBlobs === undefined || store.deleteRun === undefined) {
    throw new StorageError(
      `artiflow: gc needs a store that can list and delete (listBlobs, deleteBlobs, deleteRun); the ${store.description} cannot`
    )
  }
  return store as Datastore & Collecting
}

/**
 * Deletes the runs `keep` does not keep (never a running run, never a run a kept run was resumed or cached
 * from) and the step cache entries they computed, then every blob that no remaining run nor step cache entry
 * references and that was not written in the last `graceMs`.
 * Safe to interrupt at any point, and to run again (see the module comment).
 *
 * @example
 * import { gc, localStore } from "artiflow"
 * const { runsDeleted, blobsDeleted, bytesFreed } = await gc(localStore(), { keep: { lastRuns: 10 } })
 * console.log(`${runsDeleted} runs, ${blobsDeleted} blobs, ${bytesFreed} bytes freed`)
 */
export const gc = async (store: Datastore, options: GcOptions): Promise<GcResult> => {
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError(invalidOption("gc", "options", "an object { keep, dryRun?, graceMs? }", options))
  }
  const keep = keepRule(options.keep)
  const graceMs = graceOf(options.graceMs)
  if (options.dryRun !== undefined && typeof options.dryRun !== "boolean") {
    throw new FlowDefinitionError(invalidOption("gc", "dryRun", "true or false", options.dryRun))
  }
  const dryRun = options.dryRun === true
  const target = collecting(store)
  // A blob younger than graceMs stays: with graceMs 0, every blob written before gc started may go.
  const notTouchedAfter = Date.now() - graceMs
  const roots = new Set<string>()
  const doomed: Array<RunSummary> = []
  for (const flow of await target.listFlows()) doomed.push(...(await runsToDelete(target, flow, keep, roots)))
  // The entries a deleted run computed go with it, if the store can delete entries; the others are roots.
  const doomedRuns = new Set(doomed.map((run) => runRef(run.flow, run.id)))
  const deletesEntries = target.deleteCacheEntries !== undefined
  const doomedEntry = (entry: CacheEntry): boolean =>
    deletesEntries && doomedRuns.has(runRef(entry.flow, entry.cachedFrom.runId))
  // Cache entries are read before anything is deleted: a store whose cache cannot be read loses nothing.
  let cacheEntriesDeleted = await addCacheRoots(target, roots, doomedEntry)
  // Before the runs: until they go, the next gc lists them again and so finds the entries this one left.
  if (!dryRun && doomedRuns.size > 0) cacheEntriesDeleted = (await target.deleteCacheEntries?.(doomedEntry)) ?? 0
  // Runs are deleted a few at a time: each deletion is crash-safe on its own (metadata last), whatever the order.
  if (!dryRun) await mapLimited(doomed, RUN_DELETE_CONCURRENCY, (run) => target.deleteRun(run.flow, run.id))
  let blobsDeleted = 0
  let bytesFreed = 0
  // One batch is being deleted while the next is listed: listing is CPU, deleting waits on the file system.
  let deleting: Promise<void> = Promise.resolve()
  const deleteBatch = async (hashes: ReadonlyArray<string>): Promise<void> => {
    for (const deleted of await target.deleteBlobs(hashes, notTouchedAfter)) {
      blobsDeleted++
      bytesFreed += deleted.size
    }
  }
  let batch: Array<string> = []
  const flush = async (): Promise<void> => {
    const hashes = batch
    batch = []
    await deleting
    if (hashes.length === 0) return
    deleting = deleteBatch(hashes)
    deleting.catch(() => {}) // awaited at the next flush or at the end; a failure meanwhile is not unhandled
  }
  for await (const page of target.listBlobs()) {
    for (const blob of page) {
      if (roots.has(blob.hash) || blob.touchedAt > notTouchedAfter) continue
      if (dryRun) {
        blobsDeleted++
        bytesFreed += blob.size
        continue
      }
      batch.push(blob.hash)
      if (batch.length === DELETE_BATCH) await flush()
    }
  }
  await flush()
  await deleting
  return { runsDeleted: doomed.length, blobsDeleted, bytesFreed, ...(cacheEntriesDeleted > 0 && { cacheEntriesDeleted }) }
}
