/**
 * Where tsx keeps the JavaScript it compiled from a flow file: a cache of artiflow's own in the flow's project,
 * `node_modules/.cache/artiflow/tsx-<user>/`, instead of tsx's machine-wide `$TMPDIR/tsx-<user>/`.
 *
 * Why: tsx lists its whole cache directory every time it starts, and expires old entries from that list, so
 * its start-up grows with everything the machine ever compiled with tsx (other projects, test suites). On this
 * project's machines a cache of 9,351 entries made `artiflow spin` 86 ms slower, a third of its run. A
 * project's own cache holds that project's flow files only. tsx has no setting for its cache directory; it
 * takes it from `os.tmpdir()` once, when its modules are first loaded. So the temporary directory is pointed
 * at the project's cache while tsx loads, and put back at once: flows and everything they run see the
 * temporary directory they would see without artiflow.
 *
 * A flow outside any project (no node_modules above it), or a project whose node_modules cannot be written,
 * keeps tsx's own cache.
 */
import { accessSync, constants, mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { artiflowCacheIn } from "../nodeModules.js"

/** The environment variables `os.tmpdir()` reads, on this platform. */
const TEMP_VARIABLES = process.platform === "win32" ? ["TEMP", "TMP"] : ["TMPDIR"]

/**
 * The directory tsx should treat as the temporary directory for the flow file at `file` (absolute): the
 * project's `node_modules/.cache/artiflow`, created if needed; `undefined` when there is no project or it
 * cannot be written (tsx then keeps its default).
 */
export const compileCacheFor = (file: string): string | undefined => {
  const dir = artiflowCacheIn(dirname(file))
  if (dir === undefined) return undefined
  try {
    mkdirSync(dir, { recursive: true })
    accessSync(dir, constants.W_OK)
    return dir
  } catch {
    return undefined
  }
}

/**
 * Runs `load` (which loads tsx) with `os.tmpdir()` answering `dir`, then puts the environment back as it was,
 * also when `load` throws: at once when `load` returns a value, when its promise settles when it returns one
 * (tsx's ES module API is imported). `dir` undefined runs `load` as is.
 */
export const withTempDir = <T>(dir: string | undefined, load: () => T): T => {
  if (dir === undefined) return load()
  const saved = TEMP_VARIABLES.map((name) => [name, process.env[name]] as const)
  const restore = (): void => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
  for (const name of TEMP_VARIABLES) process.env[name] = dir
  let result: T
  try {
    result = load()
  } catch (error) {
    restore()
    throw error
  }
  if (result instanceof Promise) return result.finally(restore) as T
  restore()
  return result
}
