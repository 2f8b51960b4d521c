/** Local-store harness for the conformance suite: a fresh directory under the OS temp dir per test. */
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { localStore } from "../../lib/datastore/local.js"
import type { LocalStoreOptions } from "../../lib/datastore/local.js"
import type { StoreHarness } from "./contract.js"

/** Where the local store keeps a blob (see the layout in lib/datastore/local.ts). */
export const blobFile = (root: string, hash: string): string => join(root, "blobs", hash.slice(0, 2), hash)

/** A fresh temp directory, removed by the returned cleanup. */
export const tempDir = async (): Promise<{ readonly dir: string; readonly cleanup: () => Promise<void> }> => {
  const dir = await fs.mkdtemp(join(tmpdir(), "artiflow-store-"))
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) }
}

/** A local store in a fresh directory, with the harness operations the contract needs. */
export const localHarness = async (
  options: LocalStoreOptions = {}
): Promise<StoreHarness & { readonly root: string }> => {
  const { dir, cleanup } = await tempDir()
  const root = join(dir, "store")
  return {
    root,
    store: localStore(root, options),
    corruptBlob: async (hash) => {
      const file = blobFile(root, hash)
      const bytes = await fs.readFile(file)
      bytes[0] = (bytes[0] ?? 0) ^ 0xff
      await fs.writeFile(file, bytes)
    },
    truncateBlob: async (hash) => {
      const file = blobFile(root, hash)
      await fs.truncate(file, Math.floor((await fs.stat(file)).size / 2))
    },
    cleanup
  }
}
