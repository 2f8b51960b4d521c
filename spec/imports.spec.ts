/**
 * The module graph of lib/: no import cycles (type-only imports aside: they vanish at run time), no module
 * inside lib/ importing the public barrel, and the exports map blocking internal paths.
 */
import { readdir, readFile } from "node:fs/promises"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, test } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
const lib = join(root, "lib")

const sourceFiles = async (dir: string): Promise<ReadonlyArray<string>> => {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : Promise.resolve(entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [])
    )
  )
  return nested.flat()
}

/** Relative runtime imports of a module (`import type` and `export type` lines are left out). */
const runtimeImports = (file: string, source: string): ReadonlyArray<string> =>
  [...source.matchAll(/^(?:import|export)(?!\s+type\b)[^"']*?from\s+["'](\.{1,2}\/[^"']+)["']/gm)].map((match) =>
    resolve(dirname(file), (match[1] ?? "").replace(/\.js$/, ".ts"))
  )

const graph = async (): Promise<ReadonlyMap<string, ReadonlyArray<string>>> => {
  const files = await sourceFiles(lib)
  return new Map(await Promise.all(files.map(async (file) => [file, runtimeImports(file, await readFile(file, "utf8"))] as const)))
}

/** Packages a module imports at load time (static `import ... from "pkg"`, types aside; `import()` is lazy). */
const packageImports = (source: string): ReadonlyArray<string> =>
  [...source.matchAll(/^(?:import|export)(?!\s+type\b)[^"']*?from\s+["']([^."'][^"']*)["']/gm)]
    .map((match) => match[1] ?? "")
    .filter((name) => !name.startsWith("node:"))

/** Every module of lib/ that `entry` loads, itself included. */
const reachableFrom = (edges: ReadonlyMap<string, ReadonlyArray<string>>, entry: string): ReadonlySet<string> => {
  const seen = new Set<string>()
  const pending = [entry]
  while (pending.length > 0) {
    const file = pending.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    pending.push(...(edges.get(file) ?? []))
  }
  return seen
}

const findCycle = (edges: ReadonlyMap<string, ReadonlyArray<string>>): ReadonlyArray<string> | undefined => {
  const state = new Map<string, "visiting" | "done">()
  const stack: Array<string> = []
  const visit = (node: string): ReadonlyArray<string> | undefined => {
    if (state.get(node) === "done") return undefined
    if (state.get(node) === "visiting") return [...stack.slice(stack.indexOf(node)), node]
    state.set(node, "visiting")
    stack.push(node)
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next)
      if (cycle !== undefined) return cycle
    }
    stack.pop()
    state.set(node, "done")
    return undefined
  }
  for (const node of edges.keys()) {
    const cycle = visit(node)
    if (cycle !== undefined) return cycle.map((file) => relative(root, file))
  }
  return undefined
}

describe("lib/ module graph", () => {
  test("has no import cycles", async () => {
    expect(findCycle(await graph())).toBeUndefined()
  })

  test("never imports the public barrel from inside lib/", async () => {
    const barrel = join(lib, "index.ts")
    const importers = [...(await graph())].filter(([, imports]) => imports.includes(barrel)).map(([file]) => relative(root, file))
    expect(importers).toEqual([])
  })

  test("every relative import resolves to a file of lib/", async () => {
    const files = new Set((await graph()).keys())
    const dangling = [...(await graph())].flatMap(([file, imports]) =>
      imports.filter((target) => !files.has(target)).map((target) => `${relative(root, file)} -> ${relative(root, target)}`)
    )
    expect(dangling).toEqual([])
  })

  test("artiflow/client loads no package at start-up: a reader in a fresh process pays only for what it reads", async () => {
    // fp-ts/lib/Either.js alone costs ~40 ms to load (ten CommonJS modules); seroval loads when a value needs it.
    const reachable = reachableFrom(await graph(), join(lib, "client", "index.ts"))
    const loaded = await Promise.all(
      [...reachable].map(async (file) => packageImports(await readFile(file, "utf8")).map((name) => `${relative(root, file)} -> ${name}`))
    )
    expect(loaded.flat()).toEqual([])
  })

  test("the exports map exposes the entry point and blocks internal paths", async () => {
    const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> }
    expect(manifest.exports["./internal/*"]).toBeNull()
    expect(Object.keys(manifest.exports)).toEqual([".", "./client", "./package.json", "./internal/*"])
  })
})
