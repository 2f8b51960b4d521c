/**
 * The built package's loader (lib/codeCache/): the first process writes V8's code cache of the bundle into the
 * nearest node_modules/.cache/artiflow, later ones use it, and a cache that is damaged, of another build or
 * of another source changes nothing but the time it takes. Run on a copy of the built package (dist/ and
 * package.json) in a temporary directory, so each test has a cache of its own; the CLI's `--version` and a
 * `graph` of a JavaScript flow (which needs the whole library and no tsx) check that the library still works.
 */
import { execFile } from "node:child_process"
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { crc32 } from "node:zlib"
import { afterEach, beforeEach, describe, expect, test } from "vitest"
import { root } from "../cli/process.js"

const exec = promisify(execFile)

const FLOW = `import { flow, step } from "artiflow"
export const Small = flow("Small").pipe(step("start", () => ({ x: 1 })), step("end", (a) => ({ y: a.x + 1 })))
`

let dir: string
let packageDir: string
let cacheDir: string

/** The built package copied to `<dir>/project/node_modules/artiflow`, with a flow file in the project. */
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "artiflow-code-cache-"))
  const project = join(dir, "project")
  packageDir = join(project, "node_modules", "artiflow")
  cacheDir = join(project, "node_modules", ".cache", "artiflow")
  await mkdir(packageDir, { recursive: true })
  await cp(join(root, "dist"), join(packageDir, "dist"), { recursive: true })
  await cp(join(root, "package.json"), join(packageDir, "package.json"))
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "project", type: "module" }))
  await writeFile(join(project, "flow.mjs"), FLOW)
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** `artiflow graph flow.mjs` in the project, with the package's executable; checks what it printed. */
const graph = async (env: Readonly<Record<string, string>> = {}): Promise<void> => {
  const { stdout } = await exec(process.execPath, [join(packageDir, "dist/cli/main.js"), "graph", "flow.mjs"], {
    cwd: join(dir, "project"),
    env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1", ...env }
  })
  expect(stdout).toMatch(/start[\s\S]*end/)
}

/** The cache files, with their contents. */
const caches = async (): Promise<ReadonlyArray<{ readonly name: string; readonly bytes: Buffer; readonly mtimeMs: number }>> => {
  const names = await readdir(cacheDir).catch(() => [] as Array<string>)
  return Promise.all(
    names.sort().map(async (name) => ({ name, bytes: await readFile(join(cacheDir, name)), mtimeMs: (await stat(join(cacheDir, name))).mtimeMs }))
  )
}

/** Whether a cache file's checksum (its first 4 bytes) matches the rest. */
const intact = (bytes: Buffer): boolean => bytes.length > 4 && bytes.readUInt32BE(0) === crc32(bytes.subarray(4))

describe("V8's code cache of the bundle", () => {
  test("the first process writes it, the next ones use it without writing it again", async () => {
    await graph()
    const [written, ...others] = await caches()
    expect(others).toEqual([])
    expect(written?.name).toMatch(/^core-[0-9a-f]{32}\.v8$/)
    expect(written?.bytes.length).toBeGreaterThan(10_000)
    await graph()
    await graph()
    // Not rewritten: it was read and V8 accepted it (a rejected or unreadable cache is written again).
    expect(await caches()).toEqual([written])
  })

  test("a damaged cache is not used: the library works, and the cache is written again", async () => {
    await graph()
    const [written] = await caches()
    if (written === undefined) throw new Error("no cache was written")
    for (const damage of [
      // A flipped byte in V8's data: V8 itself would accept it (its release builds check no checksum).
      (bytes: Buffer) => Buffer.from(bytes.map((byte, i) => (i === bytes.length >> 1 ? byte ^ 0xff : byte))),
      (bytes: Buffer) => bytes.subarray(0, bytes.length >> 1),
      () => Buffer.alloc(0),
      () => Buffer.from("not a cache")
    ]) {
      const damaged = damage(written.bytes)
      await writeFile(join(cacheDir, written.name), damaged)
      await graph()
      const [again] = await caches()
      expect(again?.name).toBe(written.name)
      expect(again?.bytes.equals(damaged)).toBe(false)
      expect(intact(again?.bytes ?? Buffer.alloc(0))).toBe(true)
    }
  })

  test("another build of the bundle gets a cache of its own, and the old one is removed", async () => {
    await graph()
    const [first] = await caches()
    // The same length, other code: V8 alone would take the old cache for it.
    const core = join(packageDir, "dist/chunks/core.cjs")
    const source = await readFile(core, "utf8")
    await writeFile(core, source.replace("artiflow: run needs a flow", "artiflow: run needs a FLOW"))
    await graph()
    const after = await caches()
    expect(after).toHaveLength(1)
    expect(after[0]?.name).not.toBe(first?.name)
  })

  test("ARTIFLOW_CODE_CACHE=0 neither reads nor writes a cache", async () => {
    await graph({ ARTIFLOW_CODE_CACHE: "0" })
    expect(await caches()).toEqual([])
    await graph()
    const [written] = await caches()
    await writeFile(join(cacheDir, written?.name ?? "missing"), "not a cache")
    await graph({ ARTIFLOW_CODE_CACHE: "off" })
    expect((await caches())[0]?.bytes.toString()).toBe("not a cache")
  })

  test("without a node_modules above the package, nothing is cached and the library works", async () => {
    const bare = join(dir, "bare")
    await mkdir(bare)
    await cp(join(packageDir, "dist"), join(bare, "dist"), { recursive: true })
    await cp(join(packageDir, "package.json"), join(bare, "package.json"))
    const { stdout } = await exec(process.execPath, [join(bare, "dist/cli/main.js"), "--version"], { env: { PATH: process.env["PATH"] ?? "" } })
    expect(stdout.trim()).toMatch(/^artiflow \d+\.\d+\.\d+/)
    expect(await readdir(bare)).toEqual(["dist", "package.json"])
  })
})

describe("loading the script", () => {
  test("loads no package: the optional ones and tsx load when first used", async () => {
    const script = `require(${JSON.stringify(join(packageDir, "dist/chunks/load.cjs"))})
process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((path) => path.includes("node_modules") && !path.startsWith(${JSON.stringify(packageDir)}))))`
    const { stdout } = await exec(process.execPath, ["-e", script], { cwd: join(dir, "project") })
    expect(JSON.parse(stdout)).toEqual([])
  })

  test("every entry shares one copy of the library", async () => {
    const script = `import * as artiflow from "artiflow"
import * as client from "artiflow/client"
import { createRequire } from "node:module"
const required = createRequire(import.meta.url)("artiflow")
const same = [artiflow.Client === client.Client, artiflow.IntegrityError === client.IntegrityError, required.flow === artiflow.flow]
process.stdout.write(JSON.stringify(same))`
    await writeFile(join(dir, "project", "entries.mjs"), script)
    const { stdout } = await exec(process.execPath, ["entries.mjs"], { cwd: join(dir, "project") })
    expect(JSON.parse(stdout)).toEqual([true, true, true])
  })
})
