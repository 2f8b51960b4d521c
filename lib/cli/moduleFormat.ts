/**
 * Which module system Node (and TypeScript under `module: nodenext`) would use for a file: an ES module or
 * CommonJS. The extension decides for `.mjs`/`.mts` and `.cjs`/`.cts`; for `.js`, `.ts` and the rest, the
 * `type` field of the nearest package.json does, and a file outside any package, or in a package without
 * `"type": "module"`, is CommonJS.
 */
import { readFileSync } from "node:fs"
import { dirname, extname, join } from "node:path"

/** "module" for an ES module, "commonjs" for CommonJS. */
export type ModuleFormat = "module" | "commonjs"

/** What decided a file's format, for messages: the extension, or which package.json (if any). */
export interface FormatOrigin {
  readonly format: ModuleFormat
  /** The nearest package.json, when its `type` decided (the extension did not); undefined outside any package. */
  readonly packageJson: string | undefined
  /**
   * Whether the extension or a `type` field says so. Node runs a `.js` file whose format is not declared as
   * an ES module when it has ES module syntax; TypeScript has no such rule.
   */
  readonly declared: boolean
}

const ESM_EXTENSIONS = new Set([".mjs", ".mts"])
const CJS_EXTENSIONS = new Set([".cjs", ".cts"])

/** The `type` of the nearest package.json above `directory`, and where it is (undefined: no package.json). */
const nearestPackageType = (directory: string): { readonly type: unknown; readonly path: string } | undefined => {
  for (let current = directory; ; current = dirname(current)) {
    const path = join(current, "package.json")
    let text: string | undefined
    try {
      text = readFileSync(path, "utf8")
    } catch {
      text = undefined
    }
    if (text !== undefined) {
      try {
        return { type: (JSON.parse(text) as { type?: unknown } | null)?.type, path }
      } catch {
        // Node itself refuses to load files under an unparsable package.json; the import reports that.
        return { type: undefined, path }
      }
    }
    if (dirname(current) === current) return undefined
  }
}

/** The module format of the file at `path` (an absolute path), and what decided it. */
export const moduleFormatOf = (path: string): FormatOrigin => {
  const extension = extname(path)
  if (ESM_EXTENSIONS.has(extension)) return { format: "module", packageJson: undefined, declared: true }
  if (CJS_EXTENSIONS.has(extension)) return { format: "commonjs", packageJson: undefined, declared: true }
  const found = nearestPackageType(dirname(path))
  const declared = found?.type === "module" || found?.type === "commonjs"
  return { format: found?.type === "module" ? "module" : "commonjs", packageJson: found?.path, declared }
}
