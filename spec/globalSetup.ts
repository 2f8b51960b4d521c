/**
 * Builds dist/ once before the tests (`npm run build`'s script, spec/build/build.ts): the CLI tests run the built
 * `dist/cli/main.js` in child processes, as users run it, and the consumer tests pack dist/. A failed build
 * fails the whole test run with the compiler's output.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const root = fileURLToPath(new URL("..", import.meta.url))

export default async function buildDist(): Promise<void> {
  try {
    await promisify(execFile)(`${root}node_modules/.bin/tsx`, ["spec/build/build.ts"], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string }
    throw new Error(`spec/globalSetup.ts: building dist/ failed (spec/build/build.ts):\n${stdout}${stderr}`, { cause: error })
  }
}
