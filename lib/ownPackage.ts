/**
 * Where artiflow's own files are, found by package self-reference: the package exports "./package.json", so
 * `require.resolve("artiflow/package.json")` names its root from any of its modules, run from source (lib/)
 * or built (dist/). Not relative to a module's own URL: dist/ is bundled, and a module's code lands in
 * whichever file esbuild puts it, at whatever depth.
 */
import { createRequire } from "node:module"
import { dirname, join, sep } from "node:path"

const require = createRequire(import.meta.url)

/**
 * dist/ (what the package runs) and lib/ (its source, which tests run), each ending with a separator; found
 * once, and empty when the package's root cannot be found (artiflow bundled into another program's file).
 */
let codeDirectories: ReadonlyArray<string> | undefined

const ownCodeDirectories = (): ReadonlyArray<string> => {
  if (codeDirectories === undefined) {
    try {
      const root = dirname(require.resolve("artiflow/package.json"))
      codeDirectories = [join(root, "dist") + sep, join(root, "lib") + sep]
    } catch {
      codeDirectories = []
    }
  }
  return codeDirectories
}

/**
 * The path of one of artiflow's built files (`dist/<relative>`), found from the package's root; undefined when the
 * root cannot be found (artiflow bundled into another program's file).
 */
export const builtFile = (relative: string): string | undefined => {
  try {
    return join(dirname(require.resolve("artiflow/package.json")), "dist", relative)
  } catch {
    return undefined
  }
}

/** The version in artiflow's package.json, or "unknown" when it cannot be read. */
export const packageVersion = (): string => {
  try {
    return String((require("artiflow/package.json") as { version?: unknown }).version ?? "unknown")
  } catch {
    return "unknown"
  }
}

/** Whether a stack frame's line (or a file's path) is in artiflow's own code: its dist/ or its lib/. */
export const mentionsOwnCode = (text: string): boolean =>
  ownCodeDirectories().some((directory) => text.includes(directory))
