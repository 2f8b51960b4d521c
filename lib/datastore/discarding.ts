/**
 * A store that reads from another one and writes nowhere: what `spin` runs a task against when it persists
 * nothing. The task's output is still encoded and hashed as in a run (so a value that cannot be stored fails
 * the same way), but no blob, run or manifest reaches the underlying store, and none is kept in memory.
 */
import { sha256Hex } from "../codec/hash.js"
import type { BlobInfo, Datastore } from "./Datastore.js"

/**
 * Wraps `store`: every read goes to it; `writeBlob` only hashes the bytes, and run, tag and manifest writes
 * do nothing. A blob "written" here cannot be read back: use it only for work that does not read what it wrote.
 *
 * @example
 * const readOnly = discardingStore(localStore())
 * await readOnly.writeBlob(new Uint8Array([1])) // { hash: "4bf5…", size: 1 }, nothing written
 */
export const discardingStore = (store: Datastore): Datastore => {
  const readManifestRecords = store.readManifestRecords?.bind(store)
  const listRunMetas = store.listRunMetas?.bind(store)
  return {
    description: store.description,
    writeBlob: async (bytes): Promise<BlobInfo> => ({ hash: sha256Hex(bytes), size: bytes.byteLength }),
    hasBlob: (hash) => store.hasBlob(hash),
    readBlob: (hash) => store.readBlob(hash),
    createRun: async () => {},
    updateRun: async () => {},
    readRun: (flow, runId) => store.readRun(flow, runId),
    listRuns: (flow) => store.listRuns(flow),
    listFlows: () => store.listFlows(),
    // Tags are not changed either: the run's tags as they are.
    updateTags: async (flow, runId) => (await store.readRun(flow, runId))?.tags ?? [],
    commitManifests: async () => {},
    readManifests: (flow, runId) => store.readManifests(flow, runId),
    ...(readManifestRecords !== undefined && { readManifestRecords }),
    ...(listRunMetas !== undefined && { listRunMetas })
  }
}
