/**
 * Child process of the gc benchmark, so that its peak RSS is the gc's alone:
 *
 *     node --conditions artiflow-source --import tsx spec/bench/children/gc.ts <storeDir> gc|dry-run|walk|unlink <keepLast>
 *
 * `gc` and `dry-run` run `gc(localStore(storeDir), { keep: { lastRuns: keepLast }, graceMs: 0 })`, and report
 * the time spent in the store's deleteRun and deleteBlobs calls too. The baselines involve no artiflow code:
 * `walk` is a recursive walk of the store's directory that stats every file (what any tool that looks at every
 * blob must do at least); `unlink` removes every file under blobs/ (what deleting that many blobs costs the
 * file system, like `rm -rf`).
 */
import { readdir, stat, unlink } from "node:fs/promises"
import { join } from "node:path"
import { gc, localStore } from "artiflow"
import type { Datastore } from "artiflow"
import { peakRssMegabytes, reportFromChild } from "../child.js"

const [storeDir = "", mode = "gc", keepLast = "0"] = process.argv.slice(2)

/** Stats every file under `dir`, 64 at a time; resolves to the file count and their total size. */
const walk = async (dir: string): Promise<{ readonly files: number; readonly bytes: number }> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
  let bytes = 0
  for (let i = 0; i < files.length; i += 64) {
    const sizes = await Promise.all(files.slice(i, i + 64).map(async (file) => (await stat(file)).size))
    for (const size of sizes) bytes += size
  }
  return { files: files.length, bytes }
}

/** Removes every file under `dir`, 64 at a time; resolves to how many. */
const unlinkAll = async (dir: string): Promise<{ readonly files: number }> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
  for (let i = 0; i < files.length; i += 64) await Promise.all(files.slice(i, i + 64).map((file) => unlink(file)))
  return { files: files.length }
}

/** The local store, with the time spent deleting runs and blobs counted. */
const timedStore = (): { readonly store: Datastore; readonly spent: { deleteRunMs: number; deleteBlobsMs: number } } => {
  const inner = localStore(storeDir)
  const spent = { deleteRunMs: 0, deleteBlobsMs: 0 }
  const timing =
    <A extends ReadonlyArray<unknown>, R>(call: (...args: A) => Promise<R>, key: keyof typeof spent) =>
    async (...args: A): Promise<R> => {
      const start = performance.now()
      try {
        return await call(...args)
      } finally {
        spent[key] += performance.now() - start
      }
    }
  const { deleteRun, deleteBlobs } = inner
  if (deleteRun === undefined || deleteBlobs === undefined) throw new Error("the local store cannot delete")
  const store: Datastore = Object.assign(Object.create(inner) as Datastore, {
    deleteRun: timing(deleteRun.bind(inner), "deleteRunMs"),
    deleteBlobs: timing(deleteBlobs.bind(inner), "deleteBlobsMs")
  })
  return { store, spent }
}

const started = performance.now()
let result: object
if (mode === "walk") result = await walk(storeDir)
else if (mode === "unlink") result = await unlinkAll(join(storeDir, "blobs"))
else {
  const { store, spent } = timedStore()
  result = { ...(await gc(store, { keep: { lastRuns: Number(keepLast) }, graceMs: 0, dryRun: mode === "dry-run" })), ...spent }
}
const ms = performance.now() - started
reportFromChild({ ms, peakRssMegabytes: peakRssMegabytes(), ...result })
