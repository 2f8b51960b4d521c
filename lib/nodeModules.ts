/**
 * The project a file belongs to, as Node sees it: the nearest node_modules directory at or above it. artiflow
 * keeps its caches there, in `node_modules/.cache/artiflow/` (tsx's compiled flow files, V8's code cache of the
 * built package), as other tools keep theirs.
 */
import { statSync } from "node:fs"
import { dirname, join } from "node:path"

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** The nearest node_modules directory at or above `dir`; undefined when there is none. */
const nearestNodeModules = (dir: string): string | undefined => {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, "node_modules")
    if (isDirectory(candidate)) return candidate
    if (dirname(current) === current) return undefined
  }
}

/** artiflow's cache directory in the project of `dir` (not created); undefined outside any project. */
export const artiflowCacheIn = (dir: string): string | undefined => {
  const nodeModules = nearestNodeModules(dir)
  return nodeModules === undefined ? undefined : join(nodeModules, ".cache", "artiflow")
}
