/**
 * The dispatcher imports a command's module only when that command runs: `--help` lists the commands from
 * their entries, without loading the interpreter, the client, the report or the TypeScript loader. Each
 * entry's summary is the one its command declares. dist/ is bundled, so what a process loaded is told in
 * source modules: esbuild, asked for the same build as spec/build/build.ts (not written), says which sources
 * each file of dist/ holds.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { build } from "esbuild"
import { beforeAll, describe, expect, test } from "vitest"
import { COMMANDS } from "../../lib/cli/cli.js"
import { BUNDLE } from "../build/bundle.js"
import { root } from "./process.js"

/** Modules no command's help needs: the interpreter, the store and codec, the client, the report's renderers. */
const HEAVY = /^(interpreter|datastore|codec|client)\/|^report\/(?!format\.ts$)/

/** dist/ file (relative to the repository) → the lib/ modules (relative to lib/) bundled into it. */
let sourcesOf: ReadonlyMap<string, ReadonlyArray<string>>

beforeAll(async () => {
  const { metafile } = await build({ ...BUNDLE, write: false, metafile: true })
  sourcesOf = new Map(
    Object.entries(metafile.outputs).map(([output, { inputs }]) => [output, Object.keys(inputs).map((input) => input.replace(/^lib\//, ""))])
  )
})

/** The lib/ modules (relative paths) whose code a CLI invocation loaded, and whether it loaded the TypeScript loader. */
const loadedModules = async (args: ReadonlyArray<string>): Promise<ReadonlyArray<string> & { readonly tsx: boolean }> => {
  const preload = join(root, "spec/cli/fixtures/recordLoads.mjs")
  const { stderr } = await promisify(execFile)(process.execPath, ["--import", preload, join(root, "dist/cli/main.js"), ...args], {
    cwd: root,
    env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1" }
  })
  const urls = stderr.slice(stderr.indexOf("loaded modules:\n")).split("\n").slice(1)
  const prefix = `file://${root}`
  const files = urls.filter((url) => url.startsWith(`${prefix}dist/`)).map((url) => url.slice(prefix.length))
  const modules = files.flatMap((file) => {
    const sources = sourcesOf.get(file)
    if (sources === undefined) throw new Error(`${file} is not in the bundle the source makes: dist/ is stale, run npm run build`)
    return sources
  })
  return Object.assign(modules, { tsx: urls.some((url) => url.includes("/node_modules/tsx/")) })
}

describe("commands load lazily", () => {
  test("--help loads the dispatcher and no command", async () => {
    const modules = await loadedModules(["--help"])
    expect(modules).toContain("cli/cli.ts")
    expect(modules.filter((module) => module.startsWith("cli/commands/"))).toEqual([])
    expect(modules.filter((module) => HEAVY.test(module))).toEqual([])
    expect(modules.tsx).toBe(false)
  })

  test("a command loads its own module and not the others'", async () => {
    // The TypeScript loader comes with a TypeScript flow file, not with a command that could load one: seeing
    // it in the second case shows that the check above can see it.
    expect((await loadedModules(["spin", "--help"])).tsx).toBe(false)
    expect((await loadedModules(["graph", "spec/cli/fixtures/two.ts", "--flow", "First"])).tsx).toBe(true)
    const modules = await loadedModules(["runs", "--help"])
    expect(modules.filter((module) => module.startsWith("cli/commands/"))).toEqual(["cli/commands/runs.ts"])
    expect(modules.filter((module) => /^interpreter\/|^report\/(?!format\.ts$)/.test(module))).toEqual([])
  })

  test.each(COMMANDS.map((entry) => [entry.name, entry] as const))("the %s entry matches its command", async (name, entry) => {
    const command = await entry.load()
    expect({ name: command.name, summary: command.summary }).toEqual({ name, summary: entry.summary })
  })
})
