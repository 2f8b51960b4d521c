/**
 * Builds dist/ once before the tests: the CLI tests run the compiled `dist/cli/main.js` in child processes,
 * as users run it. A failed build fails the whole test run with the compiler's output.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const root = fileURLToPath(new URL("..", import.meta.url))

export default async function buildDist(): Promise<void> {
  try {
    await promisify(execFile)(`${root}node_modules/.bin/tsc`, ["-p", "lib/tsconfig.build.json", "--pretty", "false"], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024
    })
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string }
    throw new Error(`spec/globalSetup.ts: building dist/ failed (tsc -p lib/tsconfig.build.json):\n${stdout}${stderr}`, { cause: error })
  }
}
