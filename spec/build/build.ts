/**
 * `npm run build` (also run by `prepare`, `prepack` and the tests' global setup): dist/ from scratch. tsc
 * writes the declaration files (one per source module, where the exports map's `types` point); esbuild writes
 * the JavaScript, bundled as bundle.ts says. Exits 1 with the compiler's output when either fails.
 */
import { execFile } from "node:child_process"
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"
import { build } from "esbuild"
import { BUNDLE, root } from "./bundle.js"

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
// esbuild prints its own errors (logLevel) and rejects.
await build(BUNDLE).catch(() => process.exit(1))
