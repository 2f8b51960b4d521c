/**
 * tsx keeps the flow files it compiles for the CLI in the flow's project (`node_modules/.cache/artiflow/`),
 * not in its machine-wide cache, whose size it pays for at every start (lib/cli/compileCache.ts). The flow
 * itself, and what it starts, still see the temporary directory they would see without artiflow.
 */
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { compileCacheFor, withTempDir } from "../../lib/cli/compileCache.js"
import { artiflow, root } from "./process.js"

let base: string
/** The temporary directory the CLI's environment names (process.ts passes the tests' own). */
const temp = tmpdir()

/** A flow that stores the temporary directory its step sees. */
const flowSource = (from: string): string =>
  [
    `import { tmpdir } from "node:os"`,
    `import { flow, step } from "${from}"`,
    `export const Temp = flow("Temp").pipe(step("start", () => ({ temp: tmpdir(), env: process.env.TMPDIR ?? "" })))`
  ].join("\n")

/** A project linking artiflow as an install would; `type` its package.json's "type". */
const project = async (name: string, type: "module" | "commonjs"): Promise<string> => {
  const dir = join(base, name)
  await mkdir(join(dir, "node_modules"), { recursive: true })
  await symlink(root, join(dir, "node_modules", "artiflow"), "dir")
  await writeFile(join(dir, "package.json"), JSON.stringify({ name, type }))
  return dir
}

/** The files of the project's compile cache (tsx's `tsx-<user>` directory inside it). */
const cached = async (dir: string): Promise<ReadonlyArray<string>> => {
  const cache = join(dir, "node_modules", ".cache", "artiflow")
  const users = (await readdir(cache)).filter((name) => name.startsWith("tsx-"))
  return (await Promise.all(users.map((user) => readdir(join(cache, user))))).flat()
}

/** The directories above `dir`, nearest first. */
const ancestors = (dir: string): ReadonlyArray<string> => (dirname(dir) === dir ? [] : [dirname(dir), ...ancestors(dirname(dir))])

const runIn = (dir: string, file: string) => artiflow(["run", file], { ARTIFLOW_HOME: join(dir, "store") }, dir)

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "artiflow-compile-cache-"))
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

describe("the CLI's compile cache", () => {
  // The ES module case matters on its own: tsx's module hooks run on a thread of their own.
  test.each([
    { kind: "CommonJS", type: "commonjs", file: "flow.ts" },
    { kind: "ES module", type: "module", file: "flow.mts" }
  ] as const)("a $kind TypeScript flow is compiled into its project's cache; its step sees the usual temp directory", async ({ type, file }) => {
    const dir = await project(`${type}-project`, type)
    await writeFile(join(dir, file), flowSource("artiflow"))
    const result = await runIn(dir, file)
    expect(result.stderr).toBe("")
    expect(result.stdout).toContain(`temp  '${temp}'`)
    expect(result.stdout).toContain(`env   '${temp}'`)
    expect((await cached(dir)).length).toBeGreaterThan(0)
  })

  test("a project whose cache cannot be made runs its flow with tsx's own cache", async () => {
    const dir = await project("blocked", "commonjs")
    // A file where the cache directory would go: mkdir fails (chmod would not stop root).
    await writeFile(join(dir, "node_modules", ".cache"), "not a directory")
    await writeFile(join(dir, "flow.ts"), flowSource("artiflow"))
    const result = await runIn(dir, "flow.ts")
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`temp  '${temp}'`)
  })
})

describe("compileCacheFor and withTempDir", () => {
  test("the cache is in the nearest node_modules above the file; none without one", async () => {
    const dir = await project("nested", "commonjs")
    await mkdir(join(dir, "src", "flows"), { recursive: true })
    expect(compileCacheFor(join(dir, "src", "flows", "flow.ts"))).toBe(join(dir, "node_modules", ".cache", "artiflow"))
    // A directory outside any project (the tests' temp directory has no node_modules above it on our machines).
    const outside = join(base, "no-project")
    await mkdir(outside)
    const above = [base, ...ancestors(base)].find((dir) => existsSync(join(dir, "node_modules")))
    expect(compileCacheFor(join(outside, "flow.ts"))).toBe(above === undefined ? undefined : join(above, "node_modules", ".cache", "artiflow"))
  })

  test("the temporary directory is put back after the load, also when it throws or rejects", async () => {
    const before = tmpdir()
    expect(withTempDir("/cache/dir", () => tmpdir())).toBe("/cache/dir")
    expect(tmpdir()).toBe(before)
    expect(() =>
      withTempDir("/cache/dir", () => {
        throw new Error("load failed")
      })
    ).toThrow("load failed")
    expect(tmpdir()).toBe(before)
    await expect(withTempDir("/cache/dir", async () => Promise.reject(new Error("import failed")))).rejects.toThrow("import failed")
    expect(tmpdir()).toBe(before)
    expect(await withTempDir("/cache/dir", async () => tmpdir())).toBe("/cache/dir")
    expect(tmpdir()).toBe(before)
    expect(withTempDir(undefined, () => tmpdir())).toBe(before)
  })
})
