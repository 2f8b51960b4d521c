/**
 * Where artiflow's own files are, found by package self-reference: the package exports "./package.json", so
 * `require.resolve("artiflow/package.json")` names its root from any of its modules, run from source (lib/)
 * or built (dist/). Not relative to a module's own URL: dist/ is bundled, and a module's code lands in
 * whichever file esbuild puts it, at whatever depth.
 */
import { createRequire } from "node:module"
import { dirname, join, sep } from "node:path"

const require = createRequire(import.meta.url)

interface OwnPackage {
  readonly packageJson: string
  /** dist/ (what the package runs) and lib/ (its source, which tests run), each ending with a separator. */
  readonly codeDirectories: ReadonlyArray<string>
}

/** Found once; null when it cannot be (artiflow bundled into another program's file). */
let own: OwnPackage | null | undefined

const ownPackage = (): OwnPackage | undefined => {
  if (own === undefined) {
    try {
      const packageJson = require.resolve("artiflow/package.json")
      const root = dirname(packageJson)
      own = { packageJson, codeDirectories: [join(root, "dist") + sep, join(root, "lib") + sep] }
    } catch {
      own = null
    }
  }
  return own ?? undefined
}

/** The version in artiflow's package.json, or "unknown" when it cannot be read. */
export const packageVersion = (): string => {
  const packageJson = ownPackage()?.packageJson
  if (packageJson === undefined) return "unknown"
  try {
    return String((require(packageJson) as { version?: unknown }).version ?? "unknown")
  } catch {
    return "unknown"
  }
}

/** Whether a stack frame's line (or a file's path) is in artiflow's own code: its dist/ or its lib/. */
export const mentionsOwnCode = (text: string): boolean =>
  ownPackage()?.codeDirectories.some((directory) => text.includes(directory)) ?? false
