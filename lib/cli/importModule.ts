/**
 * Loads a user's file the way Node would run it, TypeScript included: ES modules with `import()`, CommonJS
 * files with `require()`, both compiled on the fly by tsx. Whatever the file's format, `artiflow` imported from
 * it is this CLI's own copy of the library (the one whose `FlowValue`s the CLI runs), not a second instance:
 *
 * - from an ES module, `import "artiflow"` resolves to the same files as the CLI, and Node loads a file once;
 * - from CommonJS, `require("artiflow")` would go through tsx's CommonJS hook, which compiles any ES module it
 *   meets into a fresh CommonJS copy (run from source, of the whole library; built, of the entry point, a
 *   namespace other than the one `import` gives). So before the first CommonJS file loads (and before an ES
 *   module file's hooks start: it may import CommonJS files), the library's public entry points are put into
 *   `require.cache` as the ES module namespaces the CLI uses.
 */
import { Module, createRequire } from "node:module"
import { extname } from "node:path"
import { pathToFileURL } from "node:url"
import { compileCacheFor, withTempDir } from "./compileCache.js"
import { moduleFormatOf } from "./moduleFormat.js"
import type { FormatOrigin } from "./moduleFormat.js"
import { dynamicImport } from "../dynamicImport.js"

const require = createRequire(import.meta.url)

/**
 * The package's public entry points, resolved by self-reference as a flow file's `require` resolves them
 * (under the same conditions: lib/ with artiflow-source, dist/ otherwise).
 */
const ENTRY_POINTS = ["artiflow", "artiflow/client"] as const

let commonJsHooks = false
let moduleHooks: Promise<void> | undefined
let cacheSeeded: Promise<void> | undefined

/**
 * Lets `require()` load TypeScript (in this thread: cheap). Loaded when first needed: tsx and esbuild cost a
 * fresh process about 40 ms, which JavaScript flow files do not pay. Required, not imported: tsx's CommonJS
 * build loads esbuild (CommonJS) with `require`, where importing it would have Node scan esbuild's 100 KB for
 * its exports first (about 40 ms more). tsx keeps what it compiles in the cache of the flow's project
 * (see compileCache.ts): the project of `file`, the first TypeScript file loaded.
 */
const registerCommonJsTypeScript = (file: string): void => {
  if (!commonJsHooks) withTempDir(compileCacheFor(file), registerCommonJsHooks)
}

/** Loads tsx's CommonJS API and registers its hooks (once), in whatever temporary directory is set. */
const registerCommonJsHooks = (): void => {
  if (commonJsHooks) return
  ;(require("tsx/cjs/api") as typeof import("tsx/cjs/api")).register()
  commonJsHooks = true
}

/** Puts the library's entry points into `require.cache` as the ES modules this process runs (once). */
const seedRequireCache = (): Promise<void> => {
  const seed = async (entry: string): Promise<void> => {
    const path = require.resolve(entry)
    if (Object.hasOwn(require.cache, path)) return
    const cached = new Module(path)
    cached.filename = path
    cached.exports = await dynamicImport(pathToFileURL(path).href)
    cached.loaded = true
    require.cache[path] = cached
  }
  return (cacheSeeded ??= Promise.all(ENTRY_POINTS.map(seed)).then(() => undefined))
}

/**
 * Lets `import()` load TypeScript too. Node runs module hooks on a thread of their own, which takes about
 * 130 ms to start here, so only ES module flow files register them. The CommonJS hooks come along: an ES
 * module may import a CommonJS TypeScript file, which Node's CommonJS loader then compiles (and which shares
 * this process's artiflow like any CommonJS file). The package's own modules are loaded first: once the hooks
 * are registered, every module loaded goes through their thread. Imported, not required: the CommonJS build
 * of tsx's module API (4.23) points the hooks thread at a file that is not there.
 */
const registerModuleTypeScript = (file: string): Promise<void> =>
  (moduleHooks ??= seedRequireCache().then(() =>
    withTempDir(compileCacheFor(file), async () => {
      const { register } = (await dynamicImport("tsx/esm/api")) as typeof import("tsx/esm/api")
      register()
      registerCommonJsHooks()
    })
  ))

/** A CommonJS file cannot wait at top level: say so, and how to make it an ES module. */
const isTopLevelAwaitInCommonJs = (error: unknown): boolean => {
  const { code, message } = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; message?: unknown }
  return code === "ERR_REQUIRE_ASYNC_MODULE" || (typeof message === "string" && /top-level await/i.test(message))
}

/** Why `file` is CommonJS, and how to make it an ES module. */
const commonJsHint = (file: string, origin: FormatOrigin): string => {
  const extension = extname(file)
  const renamed = `${file.slice(0, file.length - extension.length)}${extension === ".js" || extension === ".cjs" ? ".mjs" : ".mts"}`
  const reason = "top-level await needs an ES module"
  if (extension === ".cts" || extension === ".cjs") return `${reason}, and its extension makes it CommonJS: rename it to ${renamed}`
  if (origin.packageJson === undefined) {
    return `${reason}, and it is outside any package, so it is CommonJS: rename it to ${renamed} or put it in a package whose package.json has "type": "module"`
  }
  return `${reason}, and ${origin.packageJson} has no "type": "module", so it is CommonJS: rename it to ${renamed} or add "type": "module" to that package.json`
}

/** Thrown when a file does not load; `cause` is the error the file's own code (or the compiler) threw. */
export class ModuleLoadError extends Error {
  readonly _tag = "ModuleLoadError"
  constructor(
    readonly hint: string | undefined,
    override readonly cause: unknown
  ) {
    super(hint ?? (cause instanceof Error ? cause.message : String(cause)), { cause })
  }
}

const TYPESCRIPT = new Set([".ts", ".mts", ".cts", ".tsx"])

const errorCode = (error: unknown): unknown => (typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined)

/** Loads a CommonJS-format file with `require`, the way `node file` would. */
const requireFile = async (path: string, typeScript: boolean, origin: FormatOrigin): Promise<unknown> => {
  await seedRequireCache()
  try {
    return createRequire(path)(path)
  } catch (error) {
    // Node runs a .js file whose format is not declared as an ES module when it has ES syntax, top-level await
    // included; require() does too, except for the await. TypeScript has no such rule: .ts stays CommonJS.
    if (!typeScript && !origin.declared && errorCode(error) === "ERR_REQUIRE_ASYNC_MODULE") return dynamicImport(pathToFileURL(path).href)
    throw error
  }
}

/**
 * Loads the file at `path` (absolute) and resolves to its exports: an ES module's namespace, or a CommonJS
 * module's `module.exports`. JavaScript loads exactly as `node` would load it; TypeScript is compiled by tsx
 * in the format TypeScript itself gives the file. Rejects with {@link ModuleLoadError} when the file or one
 * of its imports throws; `file` is how messages name it (the path as the user gave it).
 */
export const importModule = async (path: string, file: string): Promise<unknown> => {
  const typeScript = TYPESCRIPT.has(extname(path))
  const origin = moduleFormatOf(path)
  if (typeScript && origin.format === "module") await registerModuleTypeScript(path)
  else if (typeScript) registerCommonJsTypeScript(path)
  try {
    return origin.format === "module" ? await dynamicImport(pathToFileURL(path).href) : await requireFile(path, typeScript, origin)
  } catch (error) {
    const hint = origin.format === "commonjs" && isTopLevelAwaitInCommonJs(error) ? commonJsHint(file, origin) : undefined
    throw new ModuleLoadError(hint, error)
  }
}
