/**
 * Tests that touch a datastore run against both: `forEachStore((name, makeStore) => ...)` declares a
 * `describe` per store. `makeStore()` returns a fresh store; local stores live in temp directories under the
 * OS temp dir, removed after each test.
 */
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe } from "vitest"
import { localStore } from "../lib/datastore/local.js"
import { memoryStore } from "../lib/datastore/memory.js"
import type { Datastore } from "../lib/datastore/Datastore.js"
import type { LogLine } from "../lib/interpreter/RunEnv.js"

export type StoreName = "memory" | "local"

const tempDirs: Array<string> = []

afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })))
})

/** A fresh temp directory, removed after the current test. */
export const tempDir = async (prefix = "artiflow-interp-"): Promise<string> => {
  const dir = await fs.mkdtemp(join(tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

const makers: Record<StoreName, () => Promise<Datastore>> = {
  memory: async () => memoryStore(),
  local: async () => localStore(join(await tempDir(), "store"))
}

/** Declares the tests of `body` once per datastore, in a `describe` named after the store. */
export const forEachStore = (body: (name: StoreName, makeStore: () => Promise<Datastore>) => void): void => {
  for (const name of ["memory", "local"] as const) describe(`${name} store`, () => body(name, makers[name]))
}

/** Discards `ctx.log` lines: pass as `log` so tests stay quiet. */
export const quiet = (_line: LogLine): void => {}

/**
 * A store that records what goes through it (the size of every blob written, the hash of every blob read,
 * every run created or updated and every manifest committed, as "flow/runId") and delegates everything.
 */
export const spyingStore = (
  store: Datastore
): {
  readonly store: Datastore
  readonly writes: ReadonlyArray<number>
  readonly reads: ReadonlyArray<string>
  readonly runWrites: ReadonlyArray<string>
  readonly commits: ReadonlyArray<string>
} => {
  const writes: Array<number> = []
  const reads: Array<string> = []
  const runWrites: Array<string> = []
  const commits: Array<string> = []
  const spying: Datastore = {
    description: store.description,
    writeBlob: (bytes) => {
      writes.push(bytes.byteLength)
      return store.writeBlob(bytes)
    },
    hasBlob: (hash) => store.hasBlob(hash),
    readBlob: (hash) => {
      reads.push(hash)
      return store.readBlob(hash)
    },
    createRun: (meta) => {
      runWrites.push(`${meta.flow}/${meta.runId}`)
      return store.createRun(meta)
    },
    updateRun: (meta) => {
      runWrites.push(`${meta.flow}/${meta.runId}`)
      return store.updateRun(meta)
    },
    readRun: (flow, runId) => store.readRun(flow, runId),
    listRuns: (flow) => store.listRuns(flow),
    listFlows: () => store.listFlows(),
    updateTags: (flow, runId, change) => store.updateTags(flow, runId, change),
    commitManifests: (flow, runId, manifests) => {
      for (const _ of manifests) commits.push(`${flow}/${runId}`)
      return store.commitManifests(flow, runId, manifests)
    },
    readManifests: (flow, runId) => store.readManifests(flow, runId),
    ...(store.putCacheEntries !== undefined && { putCacheEntries: store.putCacheEntries.bind(store) }),
    ...(store.readCacheEntries !== undefined && { readCacheEntries: store.readCacheEntries.bind(store) }),
    ...(store.listCacheEntries !== undefined && { listCacheEntries: store.listCacheEntries.bind(store) })
  }
  return { store: spying, writes, reads, runWrites, commits }
}
