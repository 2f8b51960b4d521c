/**
 * The CLI over flows with `choose` and `loop`, through the compiled CLI: `run` of the two examples, `show`
 * (the case taken, the loop's iterations; `--mermaid` with the taken case styled), `dump` of a loop body
 * step's tasks and of the loop's and the choose's records, `graph --mermaid` of a file.
 */
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { artiflow, startedRunId, tempHome } from "./process.js"

let home: { readonly dir: string; remove(): Promise<void> }
let env: Readonly<Record<string, string>>
let triage: string
let descent: string

beforeAll(async () => {
  home = await tempHome()
  env = { ARTIFLOW_HOME: join(home.dir, "store") }
  triage = startedRunId((await artiflow(["run", "examples/triage.ts"], env)).stdout)
  descent = startedRunId((await artiflow(["run", "examples/descent.ts", "--tolerance", "1e-4"], env)).stdout)
})

afterAll(async () => {
  await home.remove()
})

describe("show", () => {
  test("the cases under the choose with how often each was taken; the loop's iterations", async () => {
    const shown = await artiflow(["show", `Triage/${triage}`], env)
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(/choose on category +succeeded +5 tasks/)
    expect(shown.stdout).toMatch(/bug \(taken ×2\): dedupe +succeeded +2 tasks/)
    expect(shown.stdout).toMatch(/other \(taken\): autoReply +succeeded +1 task/)
    const loop = await artiflow(["show", "Descent"], env)
    expect(loop.stdout).toMatch(/loop descend \(max 500, \d+ iterations\) +succeeded +1 task/)
  })

  test("--mermaid: the run's graph only, edges into taken cases styled", async () => {
    const shown = await artiflow(["show", `Triage/${triage}`, "--mermaid"], env)
    expect(shown.code).toBe(0)
    expect(shown.stdout.startsWith("flowchart TD\n")).toBe(true)
    expect(shown.stdout).toContain('{{"choose on category"}}')
    expect(shown.stdout).toMatch(/-->\|"bug \(taken ×2\)"\|/)
    expect(shown.stdout).toMatch(/linkStyle [\d,]+ stroke:#16a34a/)
  })
})

describe("dump", () => {
  test("a loop body step's tasks, by iteration; the loop's record says how many iterations ran", async () => {
    const measure = await artiflow(["dump", `Descent/${descent}/measure`, "--json"], env)
    expect(measure.code).toBe(0)
    const tasks = JSON.parse(measure.stdout) as { tasks: ReadonlyArray<{ taskId: string; iteration: number }> }
    expect(tasks.tasks.slice(0, 3).map((task) => [task.taskId, task.iteration])).toEqual([
      ["i0", 0],
      ["i1", 1],
      ["i2", 2]
    ])
    const loop = await artiflow(["dump", `Descent/${descent}/descend`], env)
    expect(loop.stdout).toMatch(new RegExp(`  ${tasks.tasks.length} iterations; until after each: (false, )+true`))
  })

  test("a choose's records: the case each took", async () => {
    const records = await artiflow(["dump", `Triage/${triage}/choose:category/2`], env)
    expect(records.code).toBe(0)
    expect(records.stdout).toContain('took case other (value "other")')
  })
})

describe("graph", () => {
  test("--mermaid of a file draws the cases and the loop's edge back", async () => {
    const drawn = await artiflow(["graph", "examples/descent.ts", "--mermaid"], env)
    expect(drawn.code).toBe(0)
    expect(drawn.stdout).toContain('[/"loop descend (max 500)"\\]')
    expect(drawn.stdout).toMatch(/-\.->\|"until false"\|/)
  })
})
