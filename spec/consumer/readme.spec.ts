/**
 * The README's quick start, followed to the letter in an empty directory: every shell command of its section
 * runs in order (with `npm install artiflow` pointed at the packed tarball, since this version is not on the
 * registry), every file it shows is written under the name its code fence gives, and what it promises is
 * checked: the run, the look at it, the reader script, and the flow file type-checking in the user's editor.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { exec, packWorkspace, root, shell } from "./project.js"
import type { Outcome, Workspace } from "./project.js"

const SECTION = "## Quick start in your own project"

/** A step of the quick start: a shell command, or a file to write. */
type QuickStartStep = { readonly kind: "command"; readonly line: string } | { readonly kind: "file"; readonly name: string; readonly text: string }

/** The quick start's steps, in the README's order: ```sh fences give commands, ```ts name / ```js name fences files. */
const quickStartSteps = (readme: string): ReadonlyArray<QuickStartStep> => {
  const start = readme.indexOf(SECTION)
  if (start < 0) throw new Error(`README.md has no '${SECTION}' section`)
  const end = readme.indexOf("\n## ", start + SECTION.length)
  const section = readme.slice(start, end < 0 ? undefined : end)
  const steps: Array<QuickStartStep> = []
  for (const [, info = "", body = ""] of section.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const [language, name] = info.trim().split(/\s+/)
    if (language === "sh") {
      for (const line of body.split("\n").filter((text) => text.trim() !== "")) steps.push({ kind: "command", line })
    } else if (name !== undefined) {
      steps.push({ kind: "file", name, text: body })
    }
  }
  return steps
}

let workspace: Workspace
let dir: string
const outcomes = new Map<string, Outcome>()

beforeAll(async () => {
  workspace = await packWorkspace()
  dir = join(workspace.dir, "hello")
  await mkdir(dir)
  const readme = await readFile(join(root, "README.md"), "utf8")
  for (const step of quickStartSteps(readme)) {
    if (step.kind === "file") {
      await writeFile(join(dir, step.name), step.text)
      continue
    }
    const line = step.line.replace(/^npm install artiflow\b/, `npm install --no-audit --no-fund --prefer-offline ${workspace.tarball}`)
    outcomes.set(step.line, await shell(dir, line))
  }
}, 240_000)

afterAll(async () => {
  await workspace?.remove()
})

describe("the README's quick start, from an empty directory", () => {
  test("has the steps a new user needs: init, install, a flow file, run, look, read", () => {
    const lines = [...outcomes.keys()]
    expect(lines[0]).toBe("npm init -y")
    expect(lines[1]).toMatch(/^npm install artiflow /)
    expect(lines.some((line) => line.startsWith("npx artiflow run flow.ts"))).toBe(true)
    expect(lines).toContain("npx artiflow show Hello")
    expect(lines).toContain("node read.mjs")
  })

  test("every command succeeds", () => {
    for (const [line, outcome] of outcomes) expect({ line, code: outcome.code, stderr: outcome.stderr }).toMatchObject({ line, code: 0 })
  })

  test("the run greets everyone it was given, and show and the reader see it", () => {
    const [run] = [...outcomes].filter(([line]) => line.startsWith("npx artiflow run"))
    expect(run?.[1].stdout).toMatch(/^run \S+ of Hello succeeded/m)
    expect(run?.[1].stdout).toContain("greetings  [ 'Hello, Ada!', 'Hello, Grace!', 'Hello, Linus!' ]")
    expect(outcomes.get("npx artiflow show Hello")?.stdout).toMatch(/^status +succeeded$/m)
    expect(outcomes.get("node read.mjs")?.stdout).toBe("succeeded [ 'Hello, Ada!', 'Hello, Grace!', 'Hello, Linus!' ]\n")
  })

  test("the flow file type-checks as the README says it does in the editor (nodenext)", async () => {
    const install = await exec(dir, "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "typescript@7.0.2"])
    expect(install.code).toBe(0)
    const options = { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true }
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files: ["flow.ts"] }))
    const checked = await exec(dir, "npx", ["tsc", "-p", "tsconfig.json"])
    expect(checked.stdout).toBe("")
    expect(checked.code).toBe(0)
  })
})
