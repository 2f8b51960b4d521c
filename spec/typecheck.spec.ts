/**
 * The whole project (library, specs, examples) type-checks under TypeScript 7 and TypeScript 5.9, and the
 * generated 300-step flow (splits, foreaches, about two artifacts per step) type-checks with no error under
 * both: long flows must not hit the compiler's depth limit (TS2589).
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, test } from "vitest"
import { writeFixture } from "./types/fixture/write.js"

const run = promisify(execFile)
const root = fileURLToPath(new URL("..", import.meta.url))
const compilers = [
  ["TypeScript 7", `${root}node_modules/.bin/tsc`],
  ["TypeScript 5.9", `${root}spec/compilers/ts5.9/node_modules/.bin/tsc`]
] as const

const typecheck = async (compiler: string, project: string): Promise<string> => {
  try {
    await run(compiler, ["-p", project, "--pretty", "false"], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
    return ""
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error)
  }
}

describe.each(compilers)("%s", (_, compiler) => {
  test("the project type-checks", async () => {
    expect(await typecheck(compiler, "tsconfig.json")).toBe("")
  }, 300_000)

  test("a generated 300-step flow type-checks", async () => {
    expect(await typecheck(compiler, await writeFixture(300))).toBe("")
  }, 300_000)
})
