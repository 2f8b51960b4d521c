/**
 * A large Float64Array artifact persisted and reloaded through the artifact layer every run uses (storeValue
 * -> local store -> loadValue: hashed while written, verified while read), against fs.writeFile + fs.readFile
 * of the same bytes. Each side of each repetition runs in fresh processes (children/largeArtifact.ts), one to
 * persist (allocating and filling the array, untimed, then storing it) and one to reload, so that each
 * reports its own peak RSS and the reader starts cold, as a client in another process would. Our side and
 * the raw side alternate which goes first.
 *
 * Targets: ours total (persist + reload) within 2x of raw (at least half its throughput), and each of our
 * processes peaking at no more than 1.5x the artifact's size (one copy of the bytes, never two).
 */
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { runChild } from "./child.js"
import type { Figure } from "./measure.js"
import { bytesUnder, median, megabytes as size, ms, ratio, withTempDir } from "./measure.js"

const CHILD = fileURLToPath(new URL("./children/largeArtifact.ts", import.meta.url))

interface ChildResult {
  readonly ms: number
  readonly peakRssMegabytes: number
  readonly entry?: ArtifactEntry
}

/** One repetition of one side: persisting and reloading, each in its own process; the bytes left on disk. */
interface Sample {
  readonly write: ChildResult
  readonly read: ChildResult
  readonly stored: number
}

const oursOnce = async (dir: string, megabytes: number): Promise<Sample> => {
  const store = join(dir, "store")
  const write = await runChild<ChildResult>(CHILD, ["persist", store, String(megabytes)])
  const read = await runChild<ChildResult>(CHILD, ["reload", store, JSON.stringify({ entry: write.entry, megabytes })])
  const stored = await bytesUnder(store)
  // Deleting it at once also drops its dirty pages, which would otherwise slow the next writer down.
  await rm(store, { recursive: true, force: true })
  return { write, read, stored }
}

const rawOnce = async (dir: string, megabytes: number): Promise<Sample> => {
  const file = join(dir, "raw")
  const write = await runChild<ChildResult>(CHILD, ["write", file, String(megabytes)])
  const read = await runChild<ChildResult>(CHILD, ["read", file, String(megabytes)])
  const stored = await bytesUnder(dir)
  await rm(file, { force: true })
  return { write, read, stored }
}

/** The medians of one side's repetitions. */
const summarize = (samples: ReadonlyArray<Sample>) => {
  const of = (pick: (sample: Sample) => number): number => median(samples.map(pick))
  return {
    totalMs: of((s) => s.write.ms + s.read.ms),
    writeMs: of((s) => s.write.ms),
    readMs: of((s) => s.read.ms),
    peakRssMegabytes: of((s) => Math.max(s.write.peakRssMegabytes, s.read.peakRssMegabytes)),
    writePeakRssMegabytes: of((s) => s.write.peakRssMegabytes),
    readPeakRssMegabytes: of((s) => s.read.peakRssMegabytes),
    storedBytes: of((s) => s.stored)
  }
}

type Summary = ReturnType<typeof summarize>

const times = (side: Summary): string => `${ms(side.totalMs)} (write ${ms(side.writeMs)} + read ${ms(side.readMs)})`
const peaks = (side: Summary): string =>
  `${side.peakRssMegabytes.toFixed(0)} MB (write ${side.writePeakRssMegabytes.toFixed(0)}, ` +
  `read ${side.readPeakRssMegabytes.toFixed(0)})`

/**
 * Persists and reloads a `megabytes` MB Float64Array `repetitions` times, ours and raw side by side; the
 * figures are medians. Needs about twice the artifact in free memory and disk; runs one process at a time.
 */
export const measureLargeArtifact = async (megabytes: number, repetitions: number): Promise<ReadonlyArray<Figure>> => {
  const mine: Array<Sample> = []
  const base: Array<Sample> = []
  await withTempDir(async (dir) => {
    for (let rep = 0; rep < repetitions; rep++) {
      if (rep % 2 === 0) {
        mine.push(await oursOnce(dir, megabytes))
        base.push(await rawOnce(dir, megabytes))
      } else {
        base.push(await rawOnce(dir, megabytes))
        mine.push(await oursOnce(dir, megabytes))
      }
    }
  })
  const ours = summarize(mine)
  const raw = summarize(base)
  const speed = ours.totalMs / raw.totalMs
  const memory = ours.peakRssMegabytes / megabytes
  return [
    {
      name: `${megabytes} MB Float64Array persist + reload`,
      ours: times(ours),
      baseline: `${times(raw)} fs`,
      ratio: ratio(speed),
      target: "<= 2x (>= 50% of fs throughput)",
      stored: size(ours.storedBytes),
      met: speed <= 2,
      measured: {
        oursMs: ours.totalMs,
        oursWriteMs: ours.writeMs,
        oursReadMs: ours.readMs,
        rawMs: raw.totalMs,
        rawWriteMs: raw.writeMs,
        rawReadMs: raw.readMs,
        ratio: speed,
        storedBytes: ours.storedBytes,
        artifactBytes: megabytes * 1024 * 1024
      }
    },
    {
      name: `${megabytes} MB Float64Array peak RSS (persisting, reloading process)`,
      ours: peaks(ours),
      baseline: `${peaks(raw)} fs`,
      ratio: `${ratio(memory)} the artifact`,
      target: "<= 1.5x the artifact",
      stored: "",
      met: memory <= 1.5,
      measured: {
        oursPeakRssMegabytes: ours.peakRssMegabytes,
        oursWritePeakRssMegabytes: ours.writePeakRssMegabytes,
        oursReadPeakRssMegabytes: ours.readPeakRssMegabytes,
        rawPeakRssMegabytes: raw.peakRssMegabytes,
        rawWritePeakRssMegabytes: raw.writePeakRssMegabytes,
        rawReadPeakRssMegabytes: raw.readPeakRssMegabytes,
        ratio: memory,
        artifactMegabytes: megabytes
      }
    }
  ]
}
