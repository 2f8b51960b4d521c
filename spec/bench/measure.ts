/** Small helpers shared by the benchmarks: timing, medians, temp stores, sizes and the printed table. */
import { mkdtemp, readdir, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const median = (samples: ReadonlyArray<number>): number => {
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

export const timed = async (work: () => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  await work()
  return performance.now() - start
}

/**
 * Measures `ours` and `baseline` side by side `repetitions` times, alternating which goes first (the second
 * one pays for the first one's garbage and warms the page cache for it), and returns both medians in ms.
 */
export const sideBySide = async (
  repetitions: number,
  ours: (rep: number) => Promise<unknown>,
  baseline: (rep: number) => Promise<unknown>
): Promise<{ readonly ours: number; readonly baseline: number }> => {
  const mine: Array<number> = []
  const base: Array<number> = []
  for (let rep = 0; rep < repetitions; rep++) {
    if (rep % 2 === 0) {
      mine.push(await timed(() => ours(rep)))
      base.push(await timed(() => baseline(rep)))
    } else {
      base.push(await timed(() => baseline(rep)))
      mine.push(await timed(() => ours(rep)))
    }
  }
  return { ours: median(mine), baseline: median(base) }
}

/** A fresh directory for one measurement, removed afterwards. */
export const withTempDir = async <T>(work: (dir: string) => Promise<T>): Promise<T> => {
  const dir = await mkdtemp(join(tmpdir(), "artiflow-bench-"))
  try {
    return await work(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Total bytes of the files under `dir` (0 when it does not exist). */
export const bytesUnder = async (dir: string): Promise<number> => {
  let total = 0
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size
  }
  return total
}

/** One line of the results table, and one object of `--json`'s file. */
export interface Figure {
  readonly name: string
  readonly ours: string
  readonly baseline: string
  readonly ratio: string
  readonly target: string
  /** What the benchmark left on disk (the compression column), or "" where nothing is stored. */
  readonly stored: string
  /** Undefined when the figure has no target. */
  readonly met: boolean | undefined
  /** The numbers behind the strings, for programs reading `--json` (ms, bytes, ratios, MB of RSS...). */
  readonly measured: Readonly<Record<string, number>>
}

export const printTable = (title: string, figures: ReadonlyArray<Figure>): void => {
  const header = ["benchmark", "artiflow", "baseline", "ratio", "target", "stored", ""]
  const rows = figures.map((f) => [
    f.name,
    f.ours,
    f.baseline,
    f.ratio,
    f.target,
    f.stored,
    f.met === undefined ? "" : f.met ? "ok" : "MISSED"
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd()
  console.log(`\n${title}\n`)
  console.log(line(header))
  console.log(line(widths.map((w) => "-".repeat(w))))
  for (const row of rows) console.log(line(row))
}

export const ms = (value: number): string => `${value.toFixed(1)} ms`

export const megabytes = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`

export const ratio = (value: number): string => `${value.toFixed(2)}x`
