/**
 * `npm run bench`: artiflow against baselines measured side by side in the same run, with absolute figures.
 * Exits with status 1 when a figure misses its target (machines here are shared and noisy: rerun before
 * drawing conclusions). `npm run bench -- --quick` uses fewer repetitions.
 */
import { measureLargeArtifact } from "./artifact.js"
import { measureClient } from "./client.js"
import { printTable } from "./measure.js"
import { measureOrchestration } from "./orchestration.js"

const quick = process.argv.includes("--quick")
const repetitions = quick ? 3 : 5

console.log(`artiflow benchmarks: node ${process.version}, ${repetitions} repetitions, medians`)
const figures = [
  ...(await measureOrchestration(repetitions)),
  ...(await measureLargeArtifact(100, repetitions)),
  ...(await measureClient(repetitions))
]
printTable("Results", figures)
const missed = figures.filter((figure) => figure.met === false)
if (missed.length > 0) {
  console.log(`\n${missed.length} target(s) missed: ${missed.map((figure) => figure.name).join("; ")}`)
  process.exitCode = 1
}
