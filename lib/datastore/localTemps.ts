/**
 * Stray temp files of the local store. Blobs and run.json are written to `<root>/tmp/` first and then renamed
 * (or linked) into place, so a process killed in between leaves its temp file behind: never read, but
 * taking space (a writer of a 1 GB blob killed mid-way leaves up to 1 GB). The store removes such files the
 * next time it creates a run.
 *
 * Other processes may be writing to the same store meanwhile, and their temp files are in flight, not stray.
 * A temp file lives from its first write to its rename, with nothing in between but the writes themselves,
 * each of which refreshes its modification time (large blobs are written in 256 MiB pieces). So only files
 * not modified for {@link STALE_TEMP_MS} are removed: their writer is dead, or was stopped for that long
 * (its rename then fails with a StorageError, and the task's next attempt writes again).
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"

/** A temp file untouched for this long belongs to a writer that died. */
export const STALE_TEMP_MS = 60 * 60 * 1000

/**
 * The real clock, captured when this module loads: a test that fakes the clock (and sets it hours ahead)
 * must not make this process's own in-flight temp files look stale.
 */
const wallClock: () => number = Date.now.bind(Date)

/** Removes a file if it is stale; false when it is fresh, gone, not a file, or cannot be removed. */
const removeIfStale = async (path: string, now: number, staleAfterMs: number): Promise<boolean> => {
  try {
    const stat = await fs.lstat(path)
    if (!stat.isFile() || now - stat.mtimeMs < staleAfterMs) return false
    await fs.unlink(path)
    return true
  } catch {
    // Removed by another process sweeping at the same time, or not ours to remove: leave it.
    return false
  }
}

/**
 * Removes the files in `dir` (a store's tmp/) not modified for `staleAfterMs`, and returns how many. Best
 * effort: a directory that cannot be read has nothing removed, and nothing here ever fails a write.
 */
export const sweepStaleTemps = async (dir: string, staleAfterMs: number = STALE_TEMP_MS): Promise<number> => {
  let names: ReadonlyArray<string>
  try {
    names = await fs.readdir(dir)
  } catch {
    return 0
  }
  const now = wallClock()
  let removed = 0
  for (const name of names) if (await removeIfStale(join(dir, name), now, staleAfterMs)) removed++
  return removed
}

/** Sweeps a store's tmp/ at most once per {@link STALE_TEMP_MS}: often enough, and nearly free otherwise. */
export class TempSweeper {
  private last = Number.NEGATIVE_INFINITY

  constructor(private readonly dir: string) {}

  /** Sweeps if the last sweep of this store object is older than the staleness threshold. */
  async maybeSweep(): Promise<void> {
    const now = wallClock()
    if (now - this.last < STALE_TEMP_MS) return
    this.last = now
    await sweepStaleTemps(this.dir)
  }
}
