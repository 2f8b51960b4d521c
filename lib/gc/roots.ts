/**
 * What garbage collection must keep: the roots. Every blob an artifact entry of a kept run needs (its
 * parameters, every manifest of every attempt), and every run a kept run refers to: a resumed run's reused
 * tasks are references to its origin's manifests (`base` in another run) and its parameters are read from
 * the run at the root of that chain, so deleting the origin would break the kept run; a run whose tasks were
 * cached from another names it too (`cachedFrom`). Such runs are kept, with all they reference in turn.
 * The step cache's entries are roots too (each holds output entries that a future hit reuses by reference),
 * except the entries of runs gc deletes, which go with them.
 */
import { cacheEntryBlobs } from "../datastore/CacheEntry.js"
import type { CacheEntry, Datastore } from "../datastore/Datastore.js"
import { mapLimited } from "../datastore/localFiles.js"
import type { ArtifactEntry, TaskManifest } from "../datastore/Manifest.js"

/** Runs read at once: enough to hide a network store's latency, few enough to bound memory. */
const READ_CONCURRENCY = 16

/** The blobs that hold an entry's bytes: none for an inline value (but its attachments are blobs). */
export const blobsOfEntry = (entry: ArtifactEntry): ReadonlyArray<string> => {
  const blobs = entry.inline === undefined ? [entry.stored?.hash ?? entry.hash] : []
  for (const attachment of entry.attachments ?? []) blobs.push(attachment.hash)
  return blobs
}

const addEntries = (blobs: Set<string>, entries: Readonly<Record<string, ArtifactEntry>>): void => {
  for (const entry of Object.values(entries)) for (const hash of blobsOfEntry(entry)) blobs.add(hash)
}

/** The run a manifest names as the one its outputs were cached from, if any (read defensively: it is stored data). */
const cachedFromRun = (manifest: TaskManifest): string | undefined => {
  if (!Object.hasOwn(manifest, "cachedFrom")) return undefined
  const cachedFrom: unknown = (manifest as { readonly cachedFrom?: unknown }).cachedFrom
  if (typeof cachedFrom !== "object" || cachedFrom === null || !Object.hasOwn(cachedFrom, "runId")) return undefined
  const runId: unknown = (cachedFrom as { readonly runId?: unknown }).runId
  return typeof runId === "string" ? runId : undefined
}

/**
 * Adds the blobs one run references to `blobs` and returns the other runs of its flow it refers to. A run
 * that no longer exists (deleted meanwhile, or never there) references nothing.
 */
export const referencesOfRun = async (
  store: Datastore,
  flow: string,
  runId: string,
  blobs: Set<string>
): Promise<ReadonlySet<string>> => {
  const runs = new Set<string>()
  const meta = await store.readRun(flow, runId)
  if (meta === undefined) return runs
  addEntries(blobs, meta.params)
  if (meta.originRunId !== undefined) runs.add(meta.originRunId)
  for (const manifest of await store.readManifests(flow, runId)) {
    addEntries(blobs, manifest.artifacts)
    if (manifest.base !== undefined) runs.add(manifest.base.runId)
    const cachedFrom = cachedFromRun(manifest)
    if (cachedFrom !== undefined) runs.add(cachedFrom)
  }
  runs.delete(runId)
  return runs
}

/**
 * The runs of one flow that stay: `kept`, and every run they refer to, transitively (only runs that exist:
 * `existing`). The blobs all of them reference are added to `blobs`.
 */
export const keptClosure = async (
  store: Datastore,
  flow: string,
  kept: Iterable<string>,
  existing: ReadonlySet<string>,
  blobs: Set<string>
): Promise<ReadonlySet<string>> => {
  const closure = new Set(kept)
  // In waves: the kept runs, then the runs they refer to that are not kept yet, and so on.
  for (let wave = [...closure]; wave.length > 0; ) {
    const references = await mapLimited(wave, READ_CONCURRENCY, (runId) => referencesOfRun(store, flow, runId, blobs))
    wave = []
    for (const referenced of references.flatMap((runs) => [...runs])) {
      if (closure.has(referenced) || !existing.has(referenced)) continue
      closure.add(referenced)
      wave.push(referenced)
    }
  }
  return closure
}

/**
 * Adds every blob a step cache entry refers to, except the entries `doomed` accepts (those gc deletes with
 * the run that computed them), and returns how many entries it passed over. A damaged entry fails the listing
 * (the store says which): gc then stops before deleting anything, since it cannot know what that entry keeps
 * alive.
 */
export const addCacheRoots = async (
  store: Datastore,
  blobs: Set<string>,
  doomed: (entry: CacheEntry) => boolean
): Promise<number> => {
  let passed = 0
  for await (const entry of store.listCacheEntries?.() ?? []) {
    if (doomed(entry)) passed++
    else for (const hash of cacheEntryBlobs(entry)) blobs.add(hash)
  }
  return passed
}
