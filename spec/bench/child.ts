/**
 * Runs one benchmark script in a fresh Node process, for figures that must not share a heap with the rest of
 * the suite (peak RSS, a fresh reader). The child loads TypeScript through tsx and artiflow from lib/ (the
 * `artiflow-source` condition), prints one JSON object as its last line of output, and reports its own peak RSS
 * with {@link reportFromChild}.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const exec = promisify(execFile)
/** The repository: children resolve `tsx` and `artiflow` from here whatever the caller's directory. */
const root = fileURLToPath(new URL("../..", import.meta.url))

/** Runs `script` (a .ts file) with `args`; resolves with the JSON object it printed last. */
export const runChild = async <T extends object>(
  script: string,
  args: ReadonlyArray<string>,
  options: { readonly heapMegabytes?: number } = {}
): Promise<T> => {
  const heap = options.heapMegabytes === undefined ? [] : [`--max-old-space-size=${options.heapMegabytes}`]
  const { stdout } = await exec(
    process.execPath,
    [...heap, "--conditions", "artiflow-source", "--import", "tsx", script, ...args],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 }
  )
  const last = stdout.trim().split("\n").at(-1) ?? ""
  try {
    return JSON.parse(last) as T
  } catch {
    throw new Error(`benchmark child ${script} printed no JSON result; its output was:\n${stdout}`)
  }
}

/** Peak resident set size of this process so far, in MB. */
export const peakRssMegabytes = (): number => process.resourceUsage().maxRSS / 1024

/** Prints a child's result as the last line of its output (what {@link runChild} parses). */
export const reportFromChild = (result: object): void => {
  process.stdout.write(`${JSON.stringify(result)}\n`)
}
