/**
 * What `npm pack` ships: every file the exports map and `bin` name, and every file those load in turn (dist/ is
 * bundled into entry points and chunks that import each other by relative paths, some of them lazily), read
 * from the unpacked tarball itself; and no JavaScript that nothing loads.
 */
import { mkdir, readFile } from "node:fs/promises"
import { dirname, join, relative, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { exec, packWorkspace, root } from "./project.js"
import type { Workspace } from "./project.js"

let workspace: Workspace
/** Where the tarball is unpacked: its files are under package/. */
let unpacked: string

beforeAll(async () => {
  workspace = await packWorkspace()
  unpacked = join(workspace.dir, "unpacked")
  await mkdir(unpacked)
  const untar = await exec(unpacked, "tar", ["-xzf", workspace.tarball])
  if (untar.code !== 0) throw new Error(`tar -xzf failed: ${untar.stderr}`)
}, 120_000)

afterAll(async () => {
  await workspace?.remove()
})

/** Every path string in an exports map (conditions nested at any depth; `null` blocks a path and names none). */
const exportTargets = (value: unknown): ReadonlyArray<string> =>
  typeof value === "string" ? [value] : typeof value === "object" && value !== null ? Object.values(value).flatMap(exportTargets) : []

/** Relative imports of a built module: static (`from "./x.js"`, `import "./x.js"`) and lazy (`import("./x.js")`). */
const relativeImports = (source: string): ReadonlyArray<string> =>
  [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)"(\.{1,2}\/[^"]+)"/g)].map((match) => match[1] ?? "")

/** The package-relative paths of the JavaScript files `entries` load, themselves included. */
const loadedFrom = async (packageDir: string, entries: ReadonlyArray<string>): Promise<ReadonlySet<string>> => {
  const seen = new Set<string>()
  const pending = [...entries]
  while (pending.length > 0) {
    const file = pending.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    const source = await readFile(join(packageDir, file), "utf8")
    for (const imported of relativeImports(source)) pending.push(relative(packageDir, resolve(dirname(join(packageDir, file)), imported)))
  }
  return seen
}

describe("the packed tarball", () => {
  test("holds every file the exports map and bin name, and exactly the JavaScript files those load", async () => {
    const packageDir = join(unpacked, "package")
    const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { exports: unknown; bin: Record<string, string> }
    // dist/executor/threadMain.js is what each worker thread starts (lib/executor/threadPool.ts), an entry too.
    const named = [...exportTargets(manifest.exports), ...Object.values(manifest.bin), "dist/executor/threadMain.js"].map((target) =>
      target.replace(/^\.\//, "")
    )
    expect(named).toEqual(expect.arrayContaining(["dist/index.js", "dist/client/index.js", "dist/cli/main.js", "dist/index.d.ts"]))
    const listed = await exec(unpacked, "tar", ["-tzf", workspace.tarball])
    const files = new Set(listed.stdout.split("\n").map((line) => line.replace(/^package\//, "")))
    expect(named.filter((file) => !files.has(file))).toEqual([])
    // Following imports reads each file: a missing one fails here with its name.
    const loaded = await loadedFrom(packageDir, named.filter((file) => file.startsWith("dist/") && file.endsWith(".js")))
    expect([...loaded].filter((file) => !files.has(file))).toEqual([])
    // And nothing else: every JavaScript file shipped is loaded by an entry point, lazily imported chunks included.
    expect([...files].filter((file) => file.startsWith("dist/") && file.endsWith(".js")).sort()).toEqual([...loaded].sort())
  })
})
