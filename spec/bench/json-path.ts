/**
 * JSON fast-path benchmark: encode + decode of 1e6 small objects `{ id, name, score }` against
 * `JSON.stringify` + `JSON.parse` of the same array, side by side, medians. Also the same objects with keys
 * out of canonical order (`{ score, name, id }`), which the codec must reorder.
 *
 *     npx tsx spec/bench/json-path.ts [count=1000000] [repetitions=7]
 *
 * Target: within ~2x of JSON.stringify + JSON.parse.
 */
import { decode } from "../../lib/codec/decode.js"
import { encode } from "../../lib/codec/encode.js"

const count = Number(process.argv[2] ?? 1_000_000)
const repetitions = Number(process.argv[3] ?? 7)

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const timed = (run: () => unknown): number => {
  const start = performance.now()
  run()
  return performance.now() - start
}

const native = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const ours = (value: unknown): unknown => {
  const encoded = encode(value)
  if (encoded._tag === "Left" || encoded.right.encoding !== "json") throw new Error("expected the json encoding")
  const decoded = decode("json", encoded.right.type, encoded.right.bytes, [])
  if (decoded._tag === "Left") throw new Error(decoded.left.reason)
  return decoded.right
}

const compare = (label: string, value: ReadonlyArray<object>): void => {
  const base: Array<number> = []
  const mine: Array<number> = []
  for (let rep = 0; rep < repetitions; rep++) {
    // Alternate which goes first: the second one pays for the first one's garbage.
    if (rep % 2 === 0) {
      base.push(timed(() => native(value)))
      mine.push(timed(() => ours(value)))
    } else {
      mine.push(timed(() => ours(value)))
      base.push(timed(() => native(value)))
    }
  }
  const ratio = median(mine) / median(base)
  console.log(
    `${label.padEnd(28)} JSON.stringify+parse ${median(base).toFixed(0).padStart(5)} ms   encode+decode ${median(mine).toFixed(0).padStart(5)} ms   ratio ${ratio.toFixed(2)}x`
  )
}

console.log(`${count} objects, ${repetitions} repetitions, medians (Node ${process.version})`)
compare(
  "keys in order {id,name,score}",
  Array.from({ length: count }, (_, i) => ({ id: i, name: `item${i}`, score: i * 0.5 }))
)
compare(
  "keys out of order {score,name,id}",
  Array.from({ length: count }, (_, i) => ({ score: i * 0.5, name: `item${i}`, id: i }))
)
