/**
 * What the CLI loads besides the library (which is one script, dist/chunks/core.cjs: spec/build/bundle.ts):
 * the TypeScript loader (tsx and esbuild) comes with a TypeScript flow file, not with a command that could
 * load one. Each command's entry in the dispatcher matches the command it loads.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, test } from "vitest"
import { COMMANDS } from "../../lib/cli/cli.js"
import { root } from "./process.js"

/** Whether a CLI invocation loaded tsx (its ES module API, which the recording hooks see). */
const loadsTsx = async (args: ReadonlyArray<string>): Promise<boolean> => {
  const preload = join(root, "spec/cli/fixtures/recordLoads.mjs")
  const { stderr } = await promisify(execFile)(process.execPath, ["--import", preload, join(root, "dist/cli/main.js"), ...args], {
    cwd: root,
    env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1" }
  })
  const urls = stderr.slice(stderr.indexOf("loaded modules:\n")).split("\n").slice(1)
  expect(urls).toContain(`file://${join(root, "dist/cli/main.js")}`)
  return urls.some((url) => url.includes("/node_modules/tsx/"))
}

describe("the TypeScript loader loads with a TypeScript flow file", () => {
  test("--help and a command's help do not load it", async () => {
    expect(await loadsTsx(["--help"])).toBe(false)
    expect(await loadsTsx(["spin", "--help"])).toBe(false)
    expect(await loadsTsx(["runs", "--help"])).toBe(false)
  })

  test("a command given a TypeScript flow file loads it", async () => {
    // Seeing it here shows that the checks above can see it.
    expect(await loadsTsx(["graph", "spec/cli/fixtures/two.ts", "--flow", "First"])).toBe(true)
  })
})

describe("the dispatcher's entries", () => {
  test.each(COMMANDS.map((entry) => [entry.name, entry] as const))("the %s entry matches its command", async (name, entry) => {
    const command = await entry.load()
    expect({ name: command.name, summary: command.summary }).toEqual({ name, summary: entry.summary })
  })
})
