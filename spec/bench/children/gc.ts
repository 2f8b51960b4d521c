/**
 * Child process of the gc benchmark, so that its peak RSS is the gc's alone:
 *
 *     node --conditions artiflow-source --import tsx spec/bench/children/gc.ts <storeDir> gc|dry-run|walk <keepLast>
 *
 * `gc` and `dry-run` run `gc(localStore(storeDir), { keep: { lastRuns: keepLast }, graceMs: 0 })`; `walk` is
 * the baseline: a recursive walk of the store's directory that stats every file (what any tool that looks at
 * every blob must do at least), no artiflow code involved.
 */
import { readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import { gc, localStore } from "artiflow"
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

const started = performance.now()
const result =
  mode === "walk"
    ? await walk(storeDir)
    : await gc(localStore(storeDir), { keep: { lastRuns: Number(keepLast) }, graceMs: 0, dryRun: mode === "dry-run" })
const ms = performance.now() - started
reportFromChild({ ms, peakRssMegabytes: peakRssMegabytes(), ...result })
