/**
 * `npm run bench`: artiflow against baselines measured side by side in the same run, with absolute figures,
 * printed as one table. Exits with status 1 when a figure misses its target (machines here are shared and
 * noisy: rerun before drawing conclusions). Not part of `npm test`.
 *
 *     npm run bench                       every group, 5 repetitions
 *     npm run bench -- --quick            3 repetitions, a 256 MB array instead of 1 GB
 *     npm run bench -- --json [file]      also write the figures to file (default bench-results.json)
 *     npm run bench -- --only a,b         only these groups (names below)
 */
import { writeFile } from "node:fs/promises"
import { availableParallelism, totalmem } from "node:os"
import { resolve } from "node:path"
import { measureLargeArtifact } from "./artifact.js"
import { measureCache } from "./cache.js"
import { measureClient } from "./client.js"
import { measureControl } from "./control.js"
import { measureDedup } from "./dedup.js"
import { measureExecutors } from "./executors.js"
import { measureGc } from "./gc.js"
import type { Figure } from "./measure.js"
import { printTable } from "./measure.js"
import { measureObjects } from "./objects.js"
import { measureOrchestration } from "./orchestration.js"
import { measureSmallArtifacts } from "./small.js"
import { measureS3 } from "./s3.js"
import { measureStartup } from "./startup.js"
import { measureSpin } from "./spin.js"
import { measureTypeChecking } from "./types.js"

const args = process.argv.slice(2)
const quick = args.includes("--quick")
const repetitions = quick ? 3 : 5

/** The value after `flag`, if it is not another flag. */
const valueAfter = (flag: string): string | undefined => {
  const value = args[args.indexOf(flag) + 1]
  return args.includes(flag) && value !== undefined && !value.startsWith("--") ? value : undefined
}

const groups: Record<string, () => Promise<ReadonlyArray<Figure>>> = {
  orchestration: () => measureOrchestration(repetitions),
  small: () => measureSmallArtifacts(repetitions),
  artifact: () => measureLargeArtifact(quick ? 256 : 1024, repetitions),
  objects: () => measureObjects(repetitions),
  dedup: () => measureDedup(repetitions),
  client: () => measureClient(repetitions),
  startup: () => measureStartup(repetitions),
  s3: () => measureS3(repetitions, quick ? 64 : 256),
  executors: () => measureExecutors(repetitions),
  control: () => measureControl(repetitions),
  spin: () => measureSpin(repetitions + 2),
  cache: () => measureCache(repetitions),
  types: () => measureTypeChecking(300, 3),
  gc: () => measureGc(repetitions)
}

const only = valueAfter("--only")?.split(",") ?? Object.keys(groups)
const unknown = only.filter((name) => !Object.hasOwn(groups, name))
if (unknown.length > 0) {
  console.error(`unknown benchmark group(s): ${unknown.join(", ")}; the groups are ${Object.keys(groups).join(", ")}`)
  process.exit(2)
}

const machine = `node ${process.version}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`
console.log(`artiflow benchmarks: ${machine}, ${repetitions} repetitions, medians`)
const figures: Array<Figure> = []
for (const name of only) {
  const started = performance.now()
  const measured = await (groups[name] as () => Promise<ReadonlyArray<Figure>>)()
  figures.push(...measured)
  console.log(`  ${name}: ${measured.length} figure(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}
printTable("Results", figures)

if (args.includes("--json")) {
  const file = resolve(valueAfter("--json") ?? "bench-results.json")
  const report = { date: new Date().toISOString(), machine, repetitions, figures }
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`\nfigures written to ${file}`)
}

const missed = figures.filter((figure) => figure.met === false)
if (missed.length > 0) {
  console.log(`\n${missed.length} target(s) missed: ${missed.map((figure) => figure.name).join("; ")}`)
  process.exitCode = 1
}
