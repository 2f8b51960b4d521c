/**
 * Lets an example module run itself: `npx tsx --conditions artiflow-source examples/etl.ts` runs the flow on
 * the local store (`$ARTIFLOW_HOME` or `./.artiflow`) and prints where the run is and what it produced.
 * Imported by tests, the modules only export their flows.
 */
import { pathToFileURL } from "node:url"
import type { RunResult } from "artiflow"

/** True when the module at `moduleUrl` is the script Node was started with. */
export const isMain = (moduleUrl: string): boolean =>
  process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href

const preview = (value: unknown): string => {
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Float64Array).length})`
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 100 ? `${text.slice(0, 97)}...` : text
}

/** Prints a finished run: its id and each artifact of its final record, briefly. */
export const report = (result: RunResult<object>): void => {
  console.log(`\nrun ${result.runId} of ${result.flow}: ${result.status}`)
  for (const [name, value] of Object.entries(result.artifacts)) console.log(`  ${name} = ${preview(value)}`)
}
