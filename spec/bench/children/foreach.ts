/**
 * Child process of the orchestration benchmark: runs a foreach of `items` tasks on a local store in
 * `storeDir` and reports the time taken and this process's peak RSS (a fresh process, so the peak is the run's).
 *
 *     node --conditions artiflow-source --import tsx spec/bench/children/foreach.ts <storeDir> <items>
 */
import { flow, foreach, join, localStore, run, step } from "artiflow"
import { peakRssMegabytes, reportFromChild } from "../child.js"

const [storeDir = "", count = "100000"] = process.argv.slice(2)
const items = Number(count)

const Fanout = flow("Fanout").pipe(
  step("start", () => ({ items: Array.from({ length: items }, (_, i) => i) })),
  foreach("items", step("work", (_a, ctx) => ({ square: ctx.input * ctx.input }))),
  join("sum", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.square, 0) }))
)

const started = performance.now()
const result = await run(Fanout, { store: localStore(storeDir), log: () => {} })
const ms = performance.now() - started
const expected = Array.from({ length: items }, (_, i) => i * i).reduce((sum, square) => sum + square, 0)
if (result.artifacts.total !== expected) throw new Error(`the join summed ${result.artifacts.total}, not ${expected}`)
reportFromChild({ ms, peakRssMegabytes: peakRssMegabytes() })
