/**
 * One side of one repetition of the large-artifact benchmark (artifact.ts), in a fresh process so that the
 * peak RSS it reports is that side's alone:
 *
 *     persist <store dir> <megabytes>   fills a Float64Array (untimed), then times storeValue into a local store
 *     reload  <store dir> <JSON>        times loadValue of `{ entry, megabytes }`'s entry, as a new reader would
 *     write   <file> <megabytes>        fills the same array (untimed), then times fs.writeFile of its bytes
 *     read    <file> <megabytes>        times fs.readFile of the file
 *
 * Every mode checks what it read or wrote, and prints `{ ms, peakRssMegabytes, entry? }` (child.ts).
 */
import { promises as fs } from "node:fs"
import { storeValue } from "../../../lib/datastore/artifacts.js"
import type { Datastore } from "../../../lib/datastore/Datastore.js"
import { loadValue } from "../../../lib/datastore/load.js"
import type { ArtifactEntry } from "../../../lib/datastore/Manifest.js"
import { localStore } from "artiflow"
import { peakRssMegabytes, reportFromChild } from "../child.js"
import { timed } from "../measure.js"

const where = { flow: "Bench", runId: "bench", step: "start", taskId: "0", artifact: "signal" }

/** Element i of the benchmark's array: cheap to compute and to check, different in every element. */
const element = (i: number): number => i * 0.5 + 0.25

const filled = (megabytes: number): Float64Array => {
  const values = new Float64Array((megabytes * 1024 * 1024) / 8)
  for (let i = 0; i < values.length; i++) values[i] = element(i)
  return values
}

/** Throws unless `values` holds what {@link filled} wrote (checking a sample: every element costs seconds). */
const check = (values: Float64Array, megabytes: number): void => {
  const length = (megabytes * 1024 * 1024) / 8
  const step = Math.max(1, Math.floor(length / 1000))
  if (values.length !== length) throw new Error(`came back with ${values.length} elements, not ${length}`)
  for (let i = 0; i < length; i += step) {
    if (values[i] !== element(i)) throw new Error(`element ${i} came back as ${values[i]}`)
  }
}

/** A store that remembers the last blob it read, to check that decoding shared its memory. */
const rememberingReads = (store: Datastore): { readonly store: Datastore; last(): Uint8Array | undefined } => {
  let last: Uint8Array | undefined
  const readBlob = async (hash: string): Promise<Uint8Array> => (last = await store.readBlob(hash))
  return { store: Object.create(store, { readBlob: { value: readBlob } }) as Datastore, last: () => last }
}

const persist = async (dir: string, megabytes: number): Promise<object> => {
  const values = filled(megabytes)
  let entry: ArtifactEntry | undefined
  const ms = await timed(async () => {
    const stored = await storeValue(localStore(dir), values)
    if (stored._tag === "Left") throw new Error("the array should be storable")
    entry = stored.right
  })
  return { ms, peakRssMegabytes: peakRssMegabytes(), entry }
}

const reload = async (dir: string, entry: ArtifactEntry, megabytes: number): Promise<object> => {
  const { store, last } = rememberingReads(localStore(dir))
  let value: unknown
  const ms = await timed(async () => void (value = await loadValue(store, entry, where)))
  if (!(value instanceof Float64Array)) throw new Error("the artifact did not come back as a Float64Array")
  // A copy would double the reader's memory: the array must be a view on the very bytes read from disk.
  if (value.buffer !== last()?.buffer) throw new Error("the decoded array is a copy of the bytes read")
  check(value, megabytes)
  return { ms, peakRssMegabytes: peakRssMegabytes() }
}

const write = async (file: string, megabytes: number): Promise<object> => {
  const values = filled(megabytes)
  const ms = await timed(() => fs.writeFile(file, new Uint8Array(values.buffer)))
  return { ms, peakRssMegabytes: peakRssMegabytes() }
}

const read = async (file: string, megabytes: number): Promise<object> => {
  let bytes: Buffer | undefined
  const ms = await timed(async () => void (bytes = await fs.readFile(file)))
  if (bytes === undefined || bytes.byteOffset % 8 !== 0) throw new Error("the raw read is not aligned")
  check(new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8), megabytes)
  return { ms, peakRssMegabytes: peakRssMegabytes() }
}

const [mode = "", path = "", arg = ""] = process.argv.slice(2)
const modes: Readonly<Record<string, () => Promise<object>>> = {
  persist: () => persist(path, Number(arg)),
  reload: () => {
    const { entry, megabytes } = JSON.parse(arg) as { entry: ArtifactEntry; megabytes: number }
    return reload(path, entry, megabytes)
  },
  write: () => write(path, Number(arg)),
  read: () => read(path, Number(arg))
}
const run = modes[mode]
if (run === undefined) throw new Error(`unknown mode '${mode}': persist, reload, write or read`)
reportFromChild(await run())
