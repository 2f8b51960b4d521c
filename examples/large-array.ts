/**
 * A flow that passes a large binary artifact between steps. `start` makes a Float64Array (100 MB by
 * default); it is stored once as a raw blob (no base64, no JSON). `stats` only reads it: the array is not
 * stored again (its entry is inherited, with no encoding, hashing or I/O). `normalize` writes a new array,
 * a second blob; `end` checks it.
 *
 * Run it: npx tsx --conditions artiflow-source examples/large-array.ts
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { flow, param, run, step } from "artiflow"
import { isMain, report } from "./main.js"

export const LargeArray = pipe(
  flow("LargeArray", {
    description: "Move a large Float64Array through a flow",
    params: { megabytes: param(t.number, { default: 100, help: "size of the array in MB" }) }
  }),
  step("start", (a) => {
    const signal = new Float64Array(Math.floor((a.megabytes * 1024 * 1024) / 8))
    for (let i = 0; i < signal.length; i++) signal[i] = Math.sin(i / 1000) * 10 + 5
    return { signal }
  }),
  step("stats", (a) => {
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    for (const x of a.signal) {
      if (x < min) min = x
      if (x > max) max = x
    }
    return { min, max }
  }),
  step("normalize", (a) => ({ normalized: a.signal.map((x) => (x - a.min) / (a.max - a.min)) })),
  step("end", (a) => ({ length: a.normalized.length, first: a.normalized[0] ?? Number.NaN }))
)

if (isMain(import.meta.url)) report(await run(LargeArray))
