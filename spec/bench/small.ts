/**
 * Many small artifacts: one step returning a record of 1,000 small values (numbers, short strings, small
 * objects), persisted on a local store. Timed: the whole `run` of a one-step flow, from the call to its
 * resolution, which includes creating the run, encoding and hashing the 1,000 values, committing the step's
 * manifest and marking the run finished: everything artiflow does and writes for that step. The record is
 * built before the clock starts. The baseline writes the same record as one JSON file (JSON.stringify +
 * fs.writeFile).
 *
 * The target applies to warm runs (after untimed warm-up runs, as in any steady state: a flow's later steps,
 * a long-lived process). Two more figures are reported without a target: an empty one-step run (the run's
 * fixed cost) and the first run in a fresh process (children/smallArtifacts.ts), before any JIT warm-up.
 *
 * Small values must not cost a file each (creating a file costs ~1 ms here): the figure reports how many
 * files the run left in the store.
 */
import { readdir, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { flow, localStore, run, step } from "artiflow"
import { runChild } from "./child.js"
import type { Figure } from "./measure.js"
import { bytesUnder, median, megabytes, ms, ratio, sideBySide, timed, withTempDir } from "./measure.js"

const ARTIFACTS = 1000
const TARGET_MS = 20
/** Untimed runs first: enough for the interpreter's hot paths to be optimized. */
const WARM_UP_RUNS = 10
const CHILD = fileURLToPath(new URL("./children/smallArtifacts.ts", import.meta.url))
const quiet = { log: () => {} }

/** Artifact `a<i>`: a number, a short string or a small object, in turn. */
const smallValue = (i: number): unknown => {
  switch (i % 3) {
    case 0:
      return i * 1.5
    case 1:
      return `item ${i}`
    default:
      return { id: i, label: `point ${i}`, at: [i, -i], ok: i % 2 === 0 }
  }
}

/** A fresh record of 1,000 small values (a step freezes what it returns: never reuse one). */
export const smallRecord = (): Record<string, unknown> =>
  Object.fromEntries(Array.from({ length: ARTIFACTS }, (_, i) => [`a${i}`, smallValue(i)]))

/** A one-step flow whose step returns `next()`, so that the record is built outside the timed run. */
export const manySmallFlow = (next: () => Record<string, unknown>) => flow("ManySmall").pipe(step("start", next))

/** A one-step flow storing nothing: the fixed cost of a run. */
export const emptyFlow = flow("Empty").pipe(step("start", () => ({})))

/** Number of files under `dir`. */
const filesUnder = async (dir: string): Promise<number> =>
  (await readdir(dir, { withFileTypes: true, recursive: true })).filter((entry) => entry.isFile()).length

/** Median ms of `repetitions` runs of `work`, each given its repetition. */
const medianOf = async (repetitions: number, work: (rep: number) => Promise<unknown>): Promise<number> => {
  const samples: Array<number> = []
  for (let rep = 0; rep < repetitions; rep++) samples.push(await timed(() => work(rep)))
  return median(samples)
}

/**
 * Times `repetitions` warm runs of a one-step flow storing 1,000 small artifacts against writing the same
 * record as one JSON file, side by side; reports medians, the store's files and bytes, an empty run's time
 * and a fresh process's first run.
 */
export const measureSmallArtifacts = async (repetitions: number): Promise<ReadonlyArray<Figure>> =>
  withTempDir(async (dir) => {
    const storeAt = (name: string) => localStore(join(dir, name))
    let record: Record<string, unknown> = {}
    const manySmall = manySmallFlow(() => record)
    for (let rep = 0; rep < WARM_UP_RUNS; rep++) {
      record = smallRecord()
      await run(manySmall, { store: storeAt(`warm-${rep}`), ...quiet })
      await writeFile(join(dir, `warm-${rep}.json`), JSON.stringify(record))
    }
    const records = Array.from({ length: repetitions }, smallRecord)
    const { ours, baseline } = await sideBySide(
      repetitions,
      async (rep) => {
        record = records[rep] ?? {}
        await run(manySmall, { store: storeAt(`ours-${rep}`), ...quiet })
      },
      (rep) => writeFile(join(dir, `record-${rep}.json`), JSON.stringify(records[rep]))
    )
    const emptyMs = await medianOf(repetitions, (rep) => run(emptyFlow, { store: storeAt(`empty-${rep}`), ...quiet }))
    const coldMs = (await runChild<{ ms: number }>(CHILD, [join(dir, "cold")])).ms
    const files = await filesUnder(join(dir, "ours-0"))
    const stored = await bytesUnder(join(dir, "ours-0"))
    const jsonBytes = (await stat(join(dir, "record-0.json"))).size
    return [
      {
        name: `${ARTIFACTS} small artifacts in one step (whole run, local store)`,
        ours: `${ms(ours)} warm, ${files} files (empty run ${ms(emptyMs)}; first run in a fresh process ${ms(coldMs)})`,
        baseline: `${ms(baseline)} JSON.stringify + writeFile, 1 file`,
        ratio: ratio(ours / baseline),
        target: `<= ${TARGET_MS} ms warm`,
        stored: `${megabytes(stored)} (JSON ${megabytes(jsonBytes)})`,
        met: ours <= TARGET_MS,
        measured: {
          oursMs: ours,
          baselineMs: baseline,
          ratio: ours / baseline,
          emptyRunMs: emptyMs,
          coldRunMs: coldMs,
          files,
          storedBytes: stored,
          jsonBytes
        }
      }
    ]
  })
