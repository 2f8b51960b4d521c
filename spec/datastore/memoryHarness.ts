/** Memory-store harness for the conformance suite and the artifact-layer tests: blobs damaged in place. */
import { memoryStore } from "../../lib/datastore/memory.js"
import type { StoreHarness } from "./contract.js"

/** A fresh memory store, with the harness operations the contract needs. */
export const memoryHarness = async (): Promise<StoreHarness> => {
  const store = memoryStore()
  const stored = (hash: string): Uint8Array => {
    const bytes = store.blobs.get(hash)
    if (bytes === undefined) throw new Error(`no blob ${hash}`)
    return bytes
  }
  return {
    store,
    corruptBlob: async (hash) => {
      const bytes = stored(hash)
      bytes[0] = (bytes[0] ?? 0) ^ 0xff
    },
    truncateBlob: async (hash) => {
      store.blobs.set(hash, stored(hash).slice(0, Math.floor(stored(hash).byteLength / 2)))
    },
    cleanup: async () => undefined
  }
}
