/**
 * The CLI loads flow files of every format Node runs, wherever they are: `.ts`, `.mts`, `.cts`, `.js`, `.mjs`
 * and `.cjs`, in an ES module package, a CommonJS package (npm's default, no "type") and outside any package,
 * importing artiflow by package name or by a relative path, with top-level await where the format allows it.
 * Each project links node_modules/artiflow to this repository, as an install would (the consumer tests in
 * spec/consumer install the packed tarball for real).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { artiflow, root } from "./process.js"

type PackageKind = "module" | "commonjs" | "none"

let base: string
const projectDir = (kind: PackageKind): string => join(base, kind)
const env = (): Readonly<Record<string, string>> => ({ ARTIFLOW_HOME: join(base, "store") })

/** A flow that records which file it came from; `from` is how the file names artiflow. */
const esmFlow = (label: string, from: string, topLevelAwait: boolean): string =>
  [
    `import { flow, step } from "${from}"`,
    topLevelAwait ? `const label = await Promise.resolve("${label}")` : `const label = "${label}"`,
    `export const Loaded = flow("Loaded").pipe(step("start", () => ({ label })), step("end", (a) => ({ shout: a.label.toUpperCase() })))`
  ].join("\n")

const commonJsFlow = (label: string, from: string): string =>
  [
    `const { flow, step } = require("${from}")`,
    `exports.Loaded = flow("Loaded").pipe(step("start", () => ({ label: "${label}" })), step("end", (a) => ({ shout: a.label.toUpperCase() })))`
  ].join("\n")

interface FlowFile {
  readonly name: string
  readonly source: string
  /** What the flow's `end` step computes, as the run's summary prints it. */
  readonly shout: string
}

const flowFile = (name: string, label: string, source: (label: string) => string): FlowFile => ({
  name,
  source: source(label),
  shout: label.toUpperCase()
})

/** The files of a project of one kind: every format that kind can hold, top-level await where allowed. */
const filesFor = (kind: PackageKind): ReadonlyArray<FlowFile> => {
  const isModule = kind === "module"
  const relative = "./node_modules/artiflow/dist/index.js"
  return [
    flowFile("flow.mts", `${kind} mts`, (label) => esmFlow(label, "artiflow", true)),
    flowFile("flow.mjs", `${kind} mjs`, (label) => esmFlow(label, "artiflow", true)),
    flowFile("flow.cts", `${kind} cts`, (label) => esmFlow(label, "artiflow", false)),
    flowFile("flow.cjs", `${kind} cjs`, (label) => commonJsFlow(label, "artiflow")),
    flowFile("flow.ts", `${kind} ts`, (label) => esmFlow(label, "artiflow", isModule)),
    flowFile("flow.js", `${kind} js`, (label) => (isModule ? esmFlow(label, "artiflow", true) : commonJsFlow(label, "artiflow"))),
    // Node runs a .js file of a package without "type" as an ES module when it has ES syntax, await and all.
    ...(isModule ? [] : [flowFile("syntax.js", `${kind} syntax js`, (label) => esmFlow(label, "artiflow", true))]),
    flowFile("relative.ts", `${kind} relative ts`, (label) => esmFlow(label, relative, isModule)),
    flowFile("relative.cjs", `${kind} relative cjs`, (label) => commonJsFlow(label, relative))
  ]
}

const KINDS = ["module", "commonjs", "none"] as const

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "artiflow-loading-"))
  for (const kind of KINDS) {
    const dir = projectDir(kind)
    await mkdir(join(dir, "node_modules"), { recursive: true })
    await symlink(root, join(dir, "node_modules", "artiflow"), "dir")
    if (kind === "module") await writeFile(join(dir, "package.json"), JSON.stringify({ name: "esm-project", type: "module" }))
    if (kind === "commonjs") await writeFile(join(dir, "package.json"), JSON.stringify({ name: "cjs-project", version: "1.0.0" }))
    for (const { name, source } of filesFor(kind)) await writeFile(join(dir, name), source)
  }
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

const cases = KINDS.flatMap((kind) => filesFor(kind).map((file) => ({ kind, ...file })))

describe("artiflow run loads any flow file", () => {
  test.each(cases)("a $kind project: $name", async ({ kind, name, shout }) => {
    const result = await artiflow(["run", name], env(), projectDir(kind))
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`shout  '${shout}'`)
  })
})

describe("other commands load the same way", () => {
  test("graph and resume take a CommonJS TypeScript file", async () => {
    await artiflow(["run", "flow.cts"], env(), projectDir("commonjs"))
    const graph = await artiflow(["graph", "flow.cts"], env(), projectDir("commonjs"))
    expect(graph.stderr).toBe("")
    expect(graph.stdout).toContain("start")
    expect(graph.stdout).toContain("end")
    const resumed = await artiflow(["resume", "flow.cts"], env(), projectDir("commonjs"))
    expect(resumed.stderr).toBe("")
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toContain("shout  'COMMONJS CTS'")
  })

  test("an ES module flow file may re-export a flow built in a CommonJS TypeScript file: one artiflow for both", async () => {
    const dir = projectDir("commonjs")
    await writeFile(join(dir, "built.cts"), esmFlow("built in cts", "artiflow", false))
    await writeFile(join(dir, "reexports.mts"), `export { Loaded } from "./built.cjs"`)
    const result = await artiflow(["run", "reexports.mts"], env(), dir)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("shout  'BUILT IN CTS'")
  })

  test("a CommonJS file may export its one flow as module.exports", async () => {
    const source = [
      `const { flow, step } = require("artiflow")`,
      `module.exports = flow("Single").pipe(step("start", () => ({ only: 1 })))`
    ].join("\n")
    await writeFile(join(projectDir("commonjs"), "single.cjs"), source)
    const result = await artiflow(["run", "single.cjs"], env(), projectDir("commonjs"))
    expect(result.stderr).toBe("")
    expect(result.stdout).toContain("only  1")
  })
})

describe("load failures name the file and show the user's own error", () => {
  test("top-level await in a CommonJS TypeScript file: why it is CommonJS and the two fixes", async () => {
    await writeFile(join(projectDir("commonjs"), "waits.ts"), esmFlow("waits", "artiflow", true))
    const result = await artiflow(["run", "waits.ts"], env(), projectDir("commonjs"))
    expect(result.code).toBe(2)
    const packageJson = join(projectDir("commonjs"), "package.json")
    expect(result.stderr).toContain(
      `artiflow: cannot load waits.ts: top-level await needs an ES module, and ${packageJson} has no "type": "module", ` +
        `so it is CommonJS: rename it to waits.mts or add "type": "module" to that package.json`
    )
  })

  test("outside any package the fix is a package with type module; for .cts it is the extension", async () => {
    await writeFile(join(projectDir("none"), "waits.ts"), esmFlow("waits", "artiflow", true))
    const loose = await artiflow(["run", "waits.ts"], env(), projectDir("none"))
    expect(loose.code).toBe(2)
    expect(loose.stderr).toContain(
      "artiflow: cannot load waits.ts: top-level await needs an ES module, and it is outside any package, so it is " +
        'CommonJS: rename it to waits.mts or put it in a package whose package.json has "type": "module"'
    )
    await writeFile(join(projectDir("module"), "waits.cts"), esmFlow("waits", "artiflow", true))
    const commonJs = await artiflow(["run", "waits.cts"], env(), projectDir("module"))
    expect(commonJs.code).toBe(2)
    expect(commonJs.stderr).toContain(
      "artiflow: cannot load waits.cts: top-level await needs an ES module, and its extension makes it CommonJS: rename it to waits.mts\n"
    )
  })

  test.each(["module", "commonjs"] as const)("an error thrown while a %s file loads: its message and its stack", async (kind) => {
    const source = [
      `import { flow } from "artiflow"`,
      `const readSettings = (): never => { throw new Error("settings.json is missing") }`,
      `readSettings()`,
      `export const Broken = flow("Broken")`
    ].join("\n")
    await writeFile(join(projectDir(kind), "throws.ts"), source)
    const result = await artiflow(["run", "throws.ts"], env(), projectDir(kind))
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("artiflow: cannot load throws.ts: Error: settings.json is missing")
    expect(result.stderr).toMatch(/at readSettings \(.*throws\.ts:2:\d+\)/)
  })
})
