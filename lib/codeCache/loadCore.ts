/**
 * The built package's loader, dist/chunks/load.cjs: runs dist/chunks/core.cjs, the whole library (the CLI and
 * the worker threads' server included) bundled into one script, and exports what it exports. Each entry of
 * dist/ (dist/index.js, dist/client/index.js, the `artiflow` executable, a worker thread's entry) takes its
 * part from here, and Node loads a CommonJS file once per thread, so every entry shares one copy of the library.
 *
 * Why one script, compiled by hand: a fresh process spends most of its start-up compiling the library. Node 20
 * keeps no code cache for modules; a `vm.Script` can be given V8's cached data, which skips compiling what the
 * cache holds (its top-level code and the functions compiled by the time the cache was made). The first process
 * to load a build writes the cache (cacheFile.ts says where); each later one reads it. Measured on
 * `artiflow spin` of a 10,000-task run: 54 ms less than loading the same code as ES module chunks.
 *
 * Built as CommonJS (spec/build/bundle.ts): `__dirname` is this file's directory, and `import()` here is Node's
 * own, which the bundle borrows (a script compiled from cached data cannot import on Node 20).
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { Script } from "node:vm"
import { cacheFileFor, readCache, writeCache } from "./cacheFile.js"

/** What the bundle exports (spec/build/core.ts): each entry's part, and the hook for `import()`. */
interface Core {
  readonly useImporter: (importer: (specifier: string) => Promise<unknown>) => void
  readonly [part: string]: unknown
}

/**
 * The bundle's code is wrapped as Node wraps a CommonJS module, plus the URL its `import.meta.url` stands for
 * (defined by the build): the wrapper's first line is the bundle's first line, so stack traces keep its lines.
 */
const WRAPPER = "(function (exports, require, module, __filename, __dirname, __artiflowModuleUrl) {"

type Wrapped = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string, url: string) => void

const load = (): Core => {
  const file = join(__dirname, "core.cjs")
  const source = readFileSync(file, "utf8")
  const cacheFile = cacheFileFor(file, source)
  const cachedData = cacheFile === undefined ? undefined : readCache(cacheFile)
  const script = new Script(`${WRAPPER}${source}\n})`, { filename: file, ...(cachedData !== undefined && { cachedData }) })
  const module = { exports: {} }
  ;(script.runInThisContext() as Wrapped)(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(file).href)
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    writeCache(cacheFile, script.createCachedData())
  }
  const core = module.exports as Core
  core.useImporter((specifier) => import(specifier))
  return core
}

/** The bundle's exports, loaded once per thread. */
export const core: Core = load()
