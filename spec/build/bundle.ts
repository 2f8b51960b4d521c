/**
 * How esbuild builds dist/: the whole library, the CLI and the worker threads' server bundled into one
 * CommonJS script, dist/chunks/core.cjs (from core.ts), which the loader, dist/chunks/load.cjs (from
 * lib/codeCache/loadCore.ts), compiles from V8's code cache; and the package's entry points, small ES modules
 * that take their part of it from the loader (build.ts writes them).
 *
 * Why one script: a fresh process spends most of its start-up loading the library, and Node 20 caches no
 * compiled code for ES modules. A spin of one task of a 10,000-task run measured 284 ms with the library as
 * 33 ES module chunks, 230 ms as this script compiled from its cache (`node -e 0`: 110 ms), and the client,
 * the worker threads and every command start the same way.
 *
 * The script is CommonJS and has no `import.meta`: the build defines `import.meta.url` as the URL the loader
 * passes in (the script's own, in dist/chunks/, where lib/ code finds dist/ at "..", as before), and every
 * `import()` of a package or a user's file goes through lib/dynamicImport.ts, which the loader points at its
 * own `import()`. Packages other than the optional ones (the AWS SDK, BullMQ, ioredis) and tsx are bundled:
 * immer and seroval are the library's own business, and their code then comes from the cache too.
 *
 * A program bundled by esbuild, webpack, Rollup or Vite cannot take the script that way (a bundler does not
 * follow the loader's `vm` and `readFileSync`), so the package's exports map also has a `module` condition,
 * which those bundlers set and Node does not: dist/esm/, the library and the client as ES modules sharing
 * chunks, which a bundler takes in whole.
 */
import type { BuildOptions } from "esbuild"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../..", import.meta.url))

/** Packages the script loads from the user's installation: optional peers, and tsx (which loads esbuild). */
const EXTERNAL = ["@aws-sdk/client-s3", "bullmq", "ioredis", "tsx", "tsx/*", "esbuild"]

const COMMON = {
  absWorkingDir: root,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  tsconfig: "lib/tsconfig.build.json",
  logLevel: "warning"
} as const satisfies BuildOptions

/** dist/chunks/core.cjs: everything, one script. */
export const CORE = {
  ...COMMON,
  entryPoints: ["spec/build/core.ts"],
  outfile: "dist/chunks/core.cjs",
  external: EXTERNAL,
  define: { "import.meta.url": "__artiflowModuleUrl" },
  metafile: true
} as const satisfies BuildOptions

/** dist/chunks/load.cjs: the loader, beside the script it loads. */
export const LOADER = {
  ...COMMON,
  entryPoints: ["lib/codeCache/loadCore.ts"],
  outfile: "dist/chunks/load.cjs"
} as const satisfies BuildOptions

/** dist/esm/: the library and the client as ES modules, for bundlers (the exports map's `module` condition). */
export const FOR_BUNDLERS = {
  ...COMMON,
  format: "esm",
  entryPoints: ["lib/index.ts", "lib/client/index.ts"],
  outdir: "dist/esm",
  outbase: "lib",
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  packages: "external"
} as const satisfies BuildOptions

/** The package's entry points: the file written, and the part of the script it exports or runs. */
export const ENTRIES = [
  { file: "index.js", part: "index", barrel: "lib/index.ts" },
  { file: "client/index.js", part: "client", barrel: "lib/client/index.ts" },
  { file: "cli/main.js", part: "main", run: "await main()", shebang: true },
  { file: "executor/threadMain.js", part: "serveThread", run: "serveThread()" }
] as const
