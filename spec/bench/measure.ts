/** Small helpers shared by the benchmarks: timing, medians, temp stores and the printed table. */
import { mkdtemp, rm } from "node:fs/promises"
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

/** A fresh directory for one measurement, removed afterwards. */
export const withTempDir = async <T>(work: (dir: string) => Promise<T>): Promise<T> => {
  const dir = await mkdtemp(join(tmpdir(), "artiflow-bench-"))
  try {
    return await work(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** One line of the results table. */
export interface Figure {
  readonly name: string
  readonly ours: string
  readonly baseline: string
  readonly ratio: string
  readonly target: string
  /** Undefined when the figure has no target. */
  readonly met: boolean | undefined
}

export const printTable = (title: string, figures: ReadonlyArray<Figure>): void => {
  const header = ["benchmark", "artiflow", "baseline", "ratio", "target", ""]
  const rows = figures.map((f) => [f.name, f.ours, f.baseline, f.ratio, f.target, f.met === undefined ? "" : f.met ? "ok" : "MISSED"])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")
  console.log(`\n${title}\n`)
  console.log(line(header))
  console.log(line(widths.map((w) => "-".repeat(w))))
  for (const row of rows) console.log(line(row))
}

export const ms = (value: number): string => `${value.toFixed(1)} ms`
