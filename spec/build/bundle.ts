/**
 * How esbuild bundles lib/ into dist/: the package's three entry points ("artiflow", "artiflow/client" and the
 * `artiflow` executable), the worker threads' entry, and, split off into chunks, the code they share and what is imported lazily (each CLI
 * command, seroval's decoder). Node loads a few dozen files instead of one per source module, which is most of
 * a fresh process's start-up. Other packages stay imports (users install them, and may share them).
 *
 * Shared with the lazy-loading test (spec/cli/lazy.spec.ts), which asks esbuild which sources each output holds.
 */
import type { BuildOptions } from "esbuild"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../..", import.meta.url))

export const BUNDLE = {
  absWorkingDir: root,
  // threadMain: what each worker thread runs (workerThreads, artiflow worker), a file of its own.
  entryPoints: ["lib/index.ts", "lib/client/index.ts", "lib/cli/main.ts", "lib/executor/threadMain.ts"],
  outdir: "dist",
  outbase: "lib",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  tsconfig: "lib/tsconfig.build.json",
  logLevel: "warning"
} as const satisfies BuildOptions
