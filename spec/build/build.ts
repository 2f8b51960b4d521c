/**
 * `npm run build` (also run by `prepare`, `prepack` and the tests' global setup): dist/ from scratch. tsc
 * writes the declaration files (one per source module, where the exports map's `types` point); esbuild writes
 * the script, its loader and the ES modules for bundlers, and this file the entry points, as bundle.ts says.
 * Exits 1 with the compiler's output when either fails.
 */
import { execFile } from "node:child_process"
import { mkdir, rm, writeFile } from "node:fs/promises"
import { dirname, join, relative } from "node:path"
import { promisify } from "node:util"
import { build } from "esbuild"
import { CORE, ENTRIES, FOR_BUNDLERS, LOADER, root } from "./bundle.js"

/** The names a barrel exports at run time (its values, not its types), as esbuild reads them. */
const exportedNames = async (barrel: string): Promise<ReadonlyArray<string>> => {
  const { metafile } = await build({ absWorkingDir: root, entryPoints: [barrel], bundle: true, write: false, metafile: true, format: "esm", platform: "node", packages: "external", outdir: "out", logLevel: "silent" })
  const [output] = Object.values(metafile.outputs)
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${barrel}`)
  return output.exports
}

/** An entry point of dist/: an ES module taking its part of the script from the loader. */
const entrySource = async (entry: (typeof ENTRIES)[number]): Promise<string> => {
  const loader = relative(dirname(join(root, "dist", entry.file)), join(root, LOADER.outfile)).replace(/^(?!\.)/, "./")
  const lines = [
    ...("shebang" in entry ? ["#!/usr/bin/env node"] : []),
    "// Written by spec/build/build.ts: this entry's part of the library, which dist/chunks/core.cjs holds whole.",
    'import { createRequire } from "node:module"',
    `const { ${entry.part} } = createRequire(import.meta.url)(${JSON.stringify(loader)}).core`,
    "run" in entry ? entry.run : `export const { ${(await exportedNames(entry.barrel)).join(", ")} } = ${entry.part}`
  ]
  return `${lines.join("\n")}\n`
}

// From scratch: files of an older layout left in dist/ would be packed and shipped.
await rm(join(root, "dist"), { recursive: true, force: true })
try {
  await promisify(execFile)(join(root, "node_modules/.bin/tsc"), ["-p", "lib/tsconfig.build.json", "--pretty", "false"], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024
  })
} catch (error) {
  const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string }
  console.error(`tsc -p lib/tsconfig.build.json failed:\n${stdout}${stderr}`)
  process.exit(1)
}
try {
  // esbuild prints its own errors (logLevel) and rejects.
  await Promise.all([build(CORE), build(LOADER), build(FOR_BUNDLERS)])
  for (const entry of ENTRIES) {
    const file = join(root, "dist", entry.file)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, await entrySource(entry))
  }
} catch (error) {
  if (!(error instanceof Error && "errors" in error)) console.error(error)
  process.exit(1)
}
