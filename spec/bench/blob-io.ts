/**
 * Blob I/O benchmark: persisting and reloading a large Float64Array through the artifact path
 * (encode -> writeBlob -> readBlob -> decode on a local store) against raw `fs.writeFile` + `fs.readFile` of
 * the same bytes, side by side in the same process, alternating which goes first. Prints medians.
 *
 *     npx tsx spec/bench/blob-io.ts [megabytes=100] [repetitions=9]
 *
 * Target: ours within 2x of raw (aim 1.5x). Both sides hit the page cache; ours also hashes every byte twice
 * (sha256 on write to name the blob, on read to verify it), which sets the floor.
 */
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createHash } from "node:crypto"
import { decode } from "../../lib/codec/decode.js"
import { encode } from "../../lib/codec/encode.js"
import { localStore } from "../../lib/datastore/local.js"

const megabytes = Number(process.argv[2] ?? 100)
const repetitions = Number(process.argv[3] ?? 9)

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const timed = async (run: () => Promise<void>): Promise<number> => {
  const start = performance.now()
  await run()
  return performance.now() - start
}

const main = async (): Promise<void> => {
  const dir = await fs.mkdtemp(join(tmpdir(), "artiflow-bench-"))
  const store = localStore(join(dir, "store"))
  const values = Float64Array.from({ length: (megabytes * 1024 * 1024) / 8 }, (_, i) => i * 0.5)
  const raw = { write: [] as Array<number>, read: [] as Array<number>, total: [] as Array<number> }
  const ours = { write: [] as Array<number>, read: [] as Array<number>, total: [] as Array<number> }
  const hashing: Array<number> = []

  const runRaw = async (rep: number): Promise<void> => {
    const file = join(dir, `raw-${rep}`)
    const bytes = new Uint8Array(values.buffer)
    const write = await timed(() => fs.writeFile(file, bytes))
    let back: Buffer | undefined
    const read = await timed(async () => void (back = await fs.readFile(file)))
    if (back?.byteLength !== bytes.byteLength) throw new Error("raw read came back short")
    raw.write.push(write)
    raw.read.push(read)
    raw.total.push(write + read)
    await fs.rm(file)
  }

  const runOurs = async (): Promise<void> => {
    let hash = ""
    const write = await timed(async () => {
      const encoded = encode(values)
      if (encoded._tag === "Left" || encoded.right.encoding !== "raw") throw new Error("expected a raw encoding")
      hash = (await store.writeBlob(encoded.right.bytes)).hash
    })
    let back: unknown
    const read = await timed(async () => {
      const decoded = decode("raw", "Float64Array", await store.readBlob(hash), [])
      if (decoded._tag === "Left") throw new Error(decoded.left.reason)
      back = decoded.right
    })
    if (!(back instanceof Float64Array) || back.length !== values.length || back[7] !== values[7]) {
      throw new Error("ours came back wrong")
    }
    ours.write.push(write)
    ours.read.push(read)
    ours.total.push(write + read)
    await fs.rm(join(dir, "store", "blobs", hash.slice(0, 2), hash))
  }

  try {
    for (let rep = 0; rep < repetitions; rep++) {
      values[0] = rep // a new blob every time: an existing one would be skipped
      hashing.push(await timed(async () => void createHash("sha256").update(values).digest("hex")))
      if (rep % 2 === 0) {
        await runRaw(rep)
        await runOurs()
      } else {
        await runOurs()
        await runRaw(rep)
      }
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }

  const row = (label: string, r: typeof raw): string =>
    `${label.padEnd(32)} write ${median(r.write).toFixed(0).padStart(5)} ms   read ${median(r.read).toFixed(0).padStart(5)} ms   total ${median(r.total).toFixed(0).padStart(5)} ms`
  console.log(`${megabytes} MB Float64Array, ${repetitions} repetitions, medians (Node ${process.version})`)
  console.log(row("raw writeFile + readFile", raw))
  console.log(row("ours encode/writeBlob/readBlob/decode", ours))
  console.log(`ratio ours/raw: total ${(median(ours.total) / median(raw.total)).toFixed(2)}x`)
  const floor = 2 * median(hashing)
  console.log(
    `(floor: two sha256 passes alone take ${floor.toFixed(0)} ms, ${(floor / median(raw.total)).toFixed(2)}x raw)`
  )
}

await main()
