/**
 * artiflow as a user gets it: the packed tarball installed into fresh projects (CommonJS and ES modules,
 * TypeScript 7 and 5.9, `moduleResolution` nodenext and bundler). In each one a flow file type-checks (and a
 * deliberate mistake fails with artiflow's message), runs with `npx artiflow run` and with `npx tsx`, runs as
 * built JavaScript with plain `node` (nodenext projects emit), and reader scripts import `artiflow/client` from
 * a plain `.mjs` and a `.cjs` file.
 */
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { createProject, exec, packWorkspace } from "./project.js"
import type { Outcome, ProjectSpec, Workspace } from "./project.js"

const FLOW = `import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { flow, foreach, join, param, step } from "artiflow"

export const Squares = pipe(
  flow("Squares", { params: { n: param(t.number, { default: 3, help: "how many squares" }) } }),
  step("start", (a) => ({ items: Array.from({ length: a.n }, (_, i) => i) })),
  foreach("items", step("square", (_, ctx) => ({ square: ctx.input ** 2 }))),
  join("sum", (inputs) => ({ total: inputs.reduce((sum, task) => sum + task.square, 0) }))
)
`

/** Runs the flow from code: the CommonJS form (no top-level await) works in every project. */
const MAIN = `import { run } from "artiflow"
import { Squares } from "./flow.js"

run(Squares, { params: { n: 4 } }).then((result) => console.log(\`total=\${result.artifacts.total}\`))
`

/** A flow with a deliberate mistake: a foreach over a number. */
const MISTAKE = `import { pipe } from "fp-ts/lib/function.js"
import { flow, foreach, join, step } from "artiflow"

export const Wrong = pipe(
  flow("Wrong"),
  step("start", () => ({ count: 3 })),
  foreach("count", step("each", () => ({ one: 1 }))),
  join("done")
)
`

const READ_MJS = `import { Client } from "artiflow/client"

const latest = await Client.open().run("Squares")
console.log(\`mjs \${latest.status} total=\${await latest.artifact("total")}\`)
`

const READ_CJS = `const { Client } = require("artiflow/client")

Client.open()
  .run("Squares")
  .then(async (latest) => console.log(\`cjs \${latest.status} total=\${await latest.artifact("total")}\`))
`

const nodenext = { module: "nodenext", moduleResolution: "nodenext", outDir: "build" }
const bundler = { module: "preserve", moduleResolution: "bundler", noEmit: true }

/**
 * `skipLibCheck: false` checks artiflow's own declaration files in the consumer's settings too (with no
 * @types/node: a user need not install it); it also checks fp-ts and io-ts, which TypeScript 5.9 takes a while
 * for, so the TypeScript 7 projects do it.
 */
const project = (name: string, type: ProjectSpec["type"], typescript: string, resolution: object): ProjectSpec => ({
  name,
  type,
  typescript,
  compilerOptions: { strict: true, target: "es2022", skipLibCheck: !typescript.startsWith("7."), types: [], ...resolution },
  files: { "flow.ts": FLOW, "main.ts": MAIN, "read.mjs": READ_MJS, "read.cjs": READ_CJS, "mistake/wrong.ts": MISTAKE },
  include: ["*.ts", "mistake/*.ts"]
})

const PROJECTS: ReadonlyArray<ProjectSpec> = [
  project("cjs-ts7-nodenext", "commonjs", "7.0.2", nodenext),
  project("esm-ts59-nodenext", "module", "5.9.3", nodenext),
  project("esm-ts7-bundler", "module", "7.0.2", bundler),
  project("cjs-ts59-bundler", "commonjs", "5.9.3", bundler)
]

/** The compiler's error lines, each `file(line,col): error TS...: message`. */
const errorLines = (output: string): ReadonlyArray<string> => output.split("\n").filter((line) => /error TS\d+/.test(line))

let workspace: Workspace

beforeAll(async () => {
  workspace = await packWorkspace()
}, 120_000)

afterAll(async () => {
  await workspace?.remove()
})

describe.each(PROJECTS)("installed into a project: $name", (spec) => {
  let dir: string
  /** One compiler run over the project: it checks everything and emits build/ in nodenext projects. */
  let checked: Outcome

  beforeAll(async () => {
    dir = await createProject(workspace, spec)
    checked = await exec(dir, "npx", ["tsc", "-p", "tsconfig.json"])
  }, 240_000)

  test("the flow type-checks; the one error is artiflow's message on a foreach over a number", () => {
    expect(checked.code).not.toBe(0)
    const errors = errorLines(checked.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^mistake\/wrong\.ts\(7,11\): error TS\d+: /)
    expect(errors[0]).toContain("artiflow: foreach over 'count': artifact 'count' is not an array (foreach needs an array artifact)")
  })

  test("npx artiflow run runs the flow file with its parameters", async () => {
    const result = await exec(dir, "npx", ["artiflow", "run", "flow.ts", "--n", "5"])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^run \S+ of Squares succeeded in .*\(7 tasks ran\)$/m)
    expect(result.stdout).toContain("total  30")
  })

  // The installed package's worker-thread entry (dist/executor/threadMain.js) loads the project's flow file.
  test("npx artiflow run --threads runs the same flow's tasks on worker threads", async () => {
    const result = await exec(dir, "npx", ["artiflow", "run", "flow.ts", "--n", "5", "--threads", "2"])
    // stderr holds the progress lines; no error among them.
    expect(result.stderr).not.toMatch(/error|cannot/i)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^run \S+ of Squares succeeded in .*\(7 tasks ran\)$/m)
    expect(result.stdout).toContain("total  30")
  })

  test("npx tsx runs a script that calls run()", async () => {
    const result = await exec(dir, "npx", ["tsx", "main.ts"])
    expect(result.stderr).toBe("")
    expect(result.stdout).toContain("total=14")
  })

  // Only nodenext projects emit JavaScript; a bundler project's output is the bundler's business.
  if (spec.compilerOptions["outDir"] !== undefined) {
    test("the built JavaScript runs with plain node", async () => {
      const result = await exec(dir, "node", [join("build", "main.js")])
      expect(result.stderr).toBe("")
      expect(result.stdout).toContain("total=14")
    })
  }

  test("reader scripts import artiflow/client from .mjs and .cjs", async () => {
    await exec(dir, "npx", ["tsx", "main.ts"])
    const esm = await exec(dir, "node", ["read.mjs"])
    expect(esm.stderr).toBe("")
    expect(esm.stdout).toBe("mjs succeeded total=14\n")
    const commonJs = await exec(dir, "node", ["read.cjs"])
    expect(commonJs.stderr).toBe("")
    expect(commonJs.stdout).toBe("cjs succeeded total=14\n")
  })
})
