/** `--cache` on run and resume, the cached counts of the summary, and `artiflow lineage`, through the compiled CLI. */
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { artiflow, fixture, startedRunId, tempHome } from "./process.js"

let home: { readonly dir: string; remove(): Promise<void> }
let env: Readonly<Record<string, string>>
let runs: { readonly first: string; readonly second: string }

beforeAll(async () => {
  home = await tempHome()
  env = { ARTIFLOW_HOME: join(home.dir, "store") }
  const first = await artiflow(["run", fixture("cached")], env)
  const second = await artiflow(["run", fixture("cached")], env)
  expect(first.stdout).toMatch(/succeeded in .* \(5 tasks ran\)/)
  expect(second.stdout).toMatch(/succeeded in .* \(2 tasks ran, 3 cached\)/)
  expect(second.stdout).toContain("[end/0] answered by the step cache")
  runs = { first: startedRunId(first.stdout), second: startedRunId(second.stdout) }
})

afterAll(async () => {
  await home.remove()
})

describe("--cache", () => {
  test("refresh runs cached steps anyway; off too; an unknown mode is exit 2 naming the modes", async () => {
    const refreshed = await artiflow(["run", fixture("cached"), "--cache", "refresh"], env)
    expect(refreshed.stdout).toMatch(/\(5 tasks ran\)/)
    const off = await artiflow(["run", fixture("cached"), "--cache=off", "--k", "4"], env)
    expect(off.stdout).toMatch(/\(5 tasks ran\)/)
    const bad = await artiflow(["run", fixture("cached"), "--cache", "sometimes"], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`artiflow: option --cache must be "use", "refresh" or "off" (received "sometimes")`)
    const badResume = await artiflow(["resume", fixture("cached"), "--cache", "yes"], env)
    expect(badResume.code).toBe(2)
    expect(badResume.stderr).toContain("option --cache must be")
  })
})

test("show says how many tasks the step cache answered", async () => {
  const second = await artiflow(["show", `Cached/${runs.second}`], env)
  expect(second.stdout).toMatch(/^cached +3 tasks answered by the step cache$/m)
  const first = await artiflow(["show", `Cached/${runs.first}`], env)
  expect(first.stdout).not.toContain("answered by the step cache")
})

describe("lineage", () => {
  test("prints the tree of producing tasks and what each read, for a task that inherited the artifact", async () => {
    const result = await artiflow(["lineage", `Cached/${runs.first}/end/0`, "total"], env)
    expect(result.code).toBe(0)
    expect(result.stdout.split("\n").map((line) => line.replace(/[0-9a-f]{12}/g, "<h>"))).toEqual([
      "total <h> <- gather/0",
      "├─ y [input 0] <h> <- times/0",
      "│  └─ scale <h> <- start/0",
      "│     └─ k <h> <- parameters",
      "└─ y [input 1] <h> <- times/1",
      "   └─ scale <h> <- start/0",
      "      └─ k <h> <- parameters",
      ""
    ])
  })

  test("a cached task says which run computed it; --depth and --json", async () => {
    const result = await artiflow(["lineage", `Cached/${runs.second}/end`, "report", "--depth", "1"], env)
    expect(result.stdout).toContain(`report`)
    expect(result.stdout).toContain(`<- end/0 (cached: computed by 0 of run ${runs.first})`)
    expect(result.stdout).toMatch(/└─ total [0-9a-f]{12} <- gather\/0\n$/)
    const json = await artiflow(["lineage", `Cached/${runs.second}/times/1`, "y", "--json"], env)
    const tree = JSON.parse(json.stdout) as { lineage: { step: string; cachedFrom: unknown; reads: Array<{ name: string }> } }
    expect(tree.lineage.step).toBe("times")
    expect(tree.lineage.cachedFrom).toEqual({ runId: runs.first, taskId: "1" })
    expect(tree.lineage.reads.map((read) => read.name)).toEqual(["scale"])
  })

  test("errors list what exists: artifacts, steps, tasks; --help explains", async () => {
    const missing = await artiflow(["lineage", `Cached/${runs.first}/end/0`, "totl"], env)
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toMatch(/has no artifact 'totl' \(artifacts: .*total/)
    const step = await artiflow(["lineage", `Cached/${runs.first}/nope/0`, "total"], env)
    expect(step.stderr).toMatch(/has no step 'nope' \(steps: .*gather/)
    const tasks = await artiflow(["lineage", `Cached/${runs.first}/times`, "y"], env)
    expect(tasks.stderr).toContain("has 2 tasks: name one")
    const usage = await artiflow(["lineage", "Cached"], env)
    expect(usage.code).toBe(2)
    const help = await artiflow(["lineage", "--help"], env)
    expect(help.stdout).toContain("Usage: artiflow lineage <Flow>/<run>/<step>[/<task>] <artifact>")
    expect(help.stdout).toContain("--depth <n>")
  })
})
