/**
 * Object graphs through the artifact layer every run uses (storeValue -> local store -> loadValue: canonical
 * JSON, hashing, brotli, verifying on read), against what a user would write by hand, side by side in one
 * process:
 *
 * - 1e6 plain objects `{ id, name, score }` (the "json" encoding) against `JSON.stringify` + `fs.writeFile`
 *   and `fs.readFile` + `JSON.parse` of the same array. Target: at most twice the baseline's time. Then the
 *   same with keys out of canonical order (`{ score, name, id }`), which the codec must reorder.
 * - 1e5 objects that JSON cannot carry (a Date and a Set each: the "seroval" encoding) against the same
 *   hand-written JSON with the Date as a string and the Set as an array, which loses both types. No target:
 *   it shows what exactness costs and what compression saves on seroval's wordier text.
 *
 * Each repetition uses a fresh store, so every write is a real one and `stored` is what one value takes.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { storeValue } from "../../lib/datastore/artifacts.js"
import { loadValue } from "../../lib/datastore/load.js"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { localStore } from "artiflow"
import type { Figure } from "./measure.js"
import { bytesUnder, megabytes, ms, ratio, sideBySide, withTempDir } from "./measure.js"

const where = { flow: "Bench", runId: "bench", step: "start", taskId: "0", artifact: "rows" }

/** Stores `value` in a fresh local store under `dir` and loads it back; resolves with the entry and the value. */
const throughStore = async (dir: string, value: unknown): Promise<{ entry: ArtifactEntry; back: unknown }> => {
  const store = localStore(dir)
  const stored = await storeValue(store, value)
  if (stored._tag === "Left") throw new Error(`the rows should be storable: ${JSON.stringify(stored.left)}`)
  return { entry: stored.right, back: await loadValue(store, stored.right, where) }
}

/** JSON by hand: stringify, write, read, parse. */
const throughJsonFile = async (file: string, value: unknown): Promise<unknown> => {
  await fs.writeFile(file, JSON.stringify(value))
  return JSON.parse(await fs.readFile(file, "utf8")) as unknown
}

interface Compared {
  readonly ours: number
  readonly baseline: number
  /** Bytes the store holds for one value, and the size of the hand-written JSON file. */
  readonly storedBytes: number
  readonly jsonBytes: number
  readonly encoding: string
}

/**
 * Runs both sides `repetitions` times; `check` throws when a value came back wrong (a fast wrong answer
 * must not count).
 */
const compare = async (
  repetitions: number,
  value: unknown,
  toJson: (value: unknown) => unknown,
  check: (back: unknown) => void
): Promise<Compared> =>
  withTempDir(async (dir) => {
    let encoding = ""
    const plain = toJson(value)
    const times = await sideBySide(
      repetitions,
      async (rep) => {
        const { entry, back } = await throughStore(join(dir, `store-${rep}`), value)
        check(back)
        encoding = entry.encoding
      },
      (rep) => throughJsonFile(join(dir, `plain-${rep}.json`), plain)
    )
    // Sizes once the clocks have stopped: every repetition wrote the same bytes.
    const storedBytes = await bytesUnder(join(dir, "store-0", "blobs"))
    const jsonBytes = (await fs.stat(join(dir, "plain-0.json"))).size
    return { ...times, storedBytes, jsonBytes, encoding }
  })

const figure = (name: string, result: Compared, target: number | undefined): Figure => {
  const factor = result.ours / result.baseline
  return {
    name,
    ours: ms(result.ours),
    baseline: `${ms(result.baseline)} JSON + fs`,
    ratio: ratio(factor),
    target: target === undefined ? "" : `<= ${target}x`,
    stored: `${megabytes(result.storedBytes)} (JSON ${megabytes(result.jsonBytes)})`,
    met: target === undefined ? undefined : factor <= target,
    measured: {
      oursMs: result.ours,
      baselineMs: result.baseline,
      ratio: factor,
      storedBytes: result.storedBytes,
      jsonBytes: result.jsonBytes,
      compression: result.jsonBytes / Math.max(result.storedBytes, 1)
    }
  }
}

type Row = { readonly id: number; readonly name: string; readonly score: number }

const plainRows = (count: number): ReadonlyArray<Row> =>
  Array.from({ length: count }, (_, i) => ({ id: i, name: `item${i}`, score: i * 0.5 }))

/** The same rows with their keys out of canonical order, as objects built by hand often are. */
const unorderedRows = (count: number): ReadonlyArray<Row> =>
  Array.from({ length: count }, (_, i) => ({ score: i * 0.5, name: `item${i}`, id: i }))

const richRows = (count: number): ReadonlyArray<{ id: number; at: Date; tags: Set<string> }> =>
  Array.from({ length: count }, (_, i) => ({
    id: i,
    at: new Date(1_700_000_000_000 + i * 1000),
    tags: new Set([`t${i % 7}`])
  }))

const checkLast =
  (count: number, matches: (row: unknown) => boolean) =>
  (back: unknown): void => {
    if (!Array.isArray(back) || back.length !== count || !matches(back[count - 1]))
      throw new Error("the rows came back wrong")
  }

/** Plain rows through both sides; they must take the JSON path, or the figure would measure something else. */
const comparePlain = async (repetitions: number, rows: ReadonlyArray<Row>): Promise<Compared> => {
  const last = `item${rows.length - 1}`
  const check = checkLast(rows.length, (row) => (row as Row).name === last)
  const result = await compare(repetitions, rows, (same) => same, check)
  if (result.encoding !== "json") throw new Error(`plain rows should take the json path, not ${result.encoding}`)
  return result
}

/**
 * The object-graph figures, medians of `repetitions` side-by-side runs: 1e6 rows with keys in canonical order
 * and out of it (the codec reorders them: same bytes, same hash), then 1e5 rows only seroval can store.
 */
export const measureObjects = async (repetitions: number): Promise<ReadonlyArray<Figure>> => {
  const count = 1_000_000
  const ordered = await comparePlain(repetitions, plainRows(count))
  const unordered = await comparePlain(repetitions, unorderedRows(count))
  const richCount = 100_000
  const rich = await compare(
    repetitions,
    richRows(richCount),
    (rows) => (rows as ReturnType<typeof richRows>).map((row) => ({ ...row, tags: [...row.tags] })),
    checkLast(richCount, (row) => (row as { at?: unknown }).at instanceof Date)
  )
  return [
    figure("1e6 objects {id,name,score} persist + reload", ordered, 2),
    figure("1e6 objects {score,name,id} (keys reordered)", unordered, 2),
    figure("1e5 objects with a Date and a Set (seroval)", rich, undefined)
  ]
}
