/**
 * `artiflow spin` through the compiled CLI in a child process: the new output next to the original's with
 * what changed, ctx.log lines, --json, --persist, exit 1 with the user's frames when the function throws, and
 * exit 2 for usage errors that list what exists.
 */
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, test } from "vitest"
import { Client } from "../../lib/client/Client.js"
import { localStore } from "../../lib/datastore/local.js"
import { artiflow, fixture, startedRunId, tempHome } from "./process.js"

let home: { readonly dir: string; remove(): Promise<void> }
let env: Readonly<Record<string, string>>

beforeEach(async () => {
  home = await tempHome()
  env = { ARTIFLOW_HOME: join(home.dir, "store") }
})

afterEach(async () => {
  await home.remove()
})

const FILE = fixture("spinnable")

const client = (): Client => Client.open(localStore(join(home.dir, "store")))

/** Runs the fixture (with `extra` in its environment) and returns the run id. */
const origin = async (extra: Readonly<Record<string, string>> = {}, args: ReadonlyArray<string> = []): Promise<string> => {
  const result = await artiflow(["run", FILE, ...args], { ...env, ...extra })
  return startedRunId(result.stdout)
}

describe("spin", () => {
  test("prints the new output next to the original's, marking what changed, and stores nothing", async () => {
    const runId = await origin()
    const result = await artiflow(["spin", FILE, "score", "--task", "1"], { ...env, SPINNABLE_BONUS: "100" })
    expect(result).toMatchObject({ code: 0, stderr: "" })
    expect(result.stdout.split("\n")).toEqual([
      "[score/1] scoring 2",
      `spin of score/1 (run ${runId} of Spinnable, where it succeeded): the function ran; nothing was stored`,
      "  artifact  original  new",
      "  _scratch  -         [ 1 ]  not stored (_ name)",
      "  score     4         104    changed",
      ""
    ])
    expect((await client().runs("Spinnable")).map((run) => run.id)).toEqual([runId])
  })

  test("an unchanged output is not marked; a join re-runs on the tasks it joined", async () => {
    const runId = await origin()
    const result = await artiflow(["spin", FILE, "total"], env)
    expect(result.code).toBe(0)
    expect(result.stdout.split("\n").slice(1)).toEqual(["  artifact  original  new", "  total     12        12", ""])
    expect(result.stdout).toContain(`run ${runId} of Spinnable`)
  })

  test("--origin picks the run, --json prints each artifact's values and change", async () => {
    const first = await origin({}, ["--factor", "10"])
    await origin()
    const result = await artiflow(["spin", FILE, "score", "--task", "2", "--origin", first, "--json"], env)
    expect(result.code).toBe(0)
    expect(result.stderr).toBe("[score/2] scoring 3\n")
    expect(JSON.parse(result.stdout)).toEqual({
      flow: "Spinnable",
      step: "score",
      origin: { runId: first, step: "score", taskId: "2", attempt: 0, status: "succeeded" },
      runId: null,
      artifacts: { _scratch: { new: [2], change: "not stored" }, score: { original: 30, new: 30, change: "same" } }
    })
  })

  test("a task that failed: spun with the fix, it shows the original error; still failing, exit 1 with the user's frames", async () => {
    const runId = await origin({ SPINNABLE_FAIL: "0" })
    const fixed = await artiflow(["spin", FILE, "score", "--task", "0"], env)
    expect(fixed.code).toBe(0)
    expect(fixed.stdout).toContain(
      `spin of score/0 (run ${runId} of Spinnable, where it failed: Error: score 0 refused its input): the function ran; nothing was stored`
    )
    expect(fixed.stdout.split("\n").slice(2)).toEqual(["  artifact  new", "  _scratch  [ 0 ]  not stored (_ name)", "  score     2", ""])

    const failing = await artiflow(["spin", FILE, "score", "--task", "0"], { ...env, SPINNABLE_FAIL: "0" })
    expect(failing.code).toBe(1)
    const errors = failing.stderr.split("\n")
    const message = `artiflow: spin of step 'score' (task 0 of run '${runId}' of flow 'Spinnable') failed: score 0 refused its input`
    expect(errors[0]).toBe(message)
    expect(errors[1]).toMatch(/^ {4}at check \(.*spec\/cli\/fixtures\/spinnable\.ts:\d+:\d+\)$/)
    expect(failing.stderr).not.toContain("dist/")
    expect(failing.stdout).toBe("")
  })

  test("--persist stores the spin as a new run that dump reads", async () => {
    const runId = await origin()
    const result = await artiflow(["spin", FILE, "score", "--task", "2", "--persist"], { ...env, SPINNABLE_BONUS: "1" })
    expect(result.code).toBe(0)
    const match = /stored as run (\S+): artiflow dump Spinnable\/(\S+)\/score\/2$/m.exec(result.stdout)
    expect(match?.[1]).toBe(match?.[2])
    const persisted = match?.[1] as string
    const handle = await client().run("Spinnable", persisted)
    expect(handle.originRunId).toBe(runId)
    expect(await (await handle.step("score").task("2")).artifact("score")).toBe(7)
    const dumped = await artiflow(["dump", `Spinnable/${persisted}/score/2`], env)
    expect(dumped.code).toBe(0)
    expect(dumped.stdout).toContain("score (number, 1 B) = 7")
  })
})

describe("spin usage errors exit 2 and list what exists", () => {
  test("a missing step, an unknown step, an unknown option", async () => {
    await origin()
    const missing = await artiflow(["spin", FILE], env)
    expect(missing).toMatchObject({ code: 2, stdout: "" })
    expect(missing.stderr).toBe("artiflow: spin needs a flow file and a step: artiflow spin <file.ts> <step>\nsee: artiflow spin --help\n")
    const unknown = await artiflow(["spin", FILE, "scroe"], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe("artiflow: spin: flow 'Spinnable' has no step or join 'scroe' (steps: 'start', 'score', 'total')\n")
    const option = await artiflow(["spin", FILE, "score", "--tsak", "1"], env)
    expect(option.code).toBe(2)
    expect(option.stderr).toContain("artiflow: spin has no option --tsak (options: --origin, --task, --flow, --store, --persist, --json)")
  })

  test("a task out of range, several tasks and none picked, an unknown run", async () => {
    const runId = await origin()
    const range = await artiflow(["spin", FILE, "score", "--task", "3"], env)
    expect(range).toMatchObject({ code: 2, stdout: "" })
    expect(range.stderr).toBe(`artiflow: spin: task 3 is out of range: step 'score' of run '${runId}' has tasks 0 to 2\n`)
    const several = await artiflow(["spin", FILE, "score"], env)
    expect(several.code).toBe(2)
    expect(several.stderr).toContain("pick one with task (tasks 0 to 2)")
    const run = await artiflow(["spin", FILE, "score", "--task", "0", "--origin", "nope"], env)
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(`artiflow: spin: flow 'Spinnable' has no run 'nope' (latest runs: '${runId}')\n`)
  })

  test("--help describes the command", async () => {
    const help = await artiflow(["spin", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout.split("\n")[0]).toBe(
      "Usage: artiflow spin <file.ts> <step> [--origin <run>] [--task <i>] [--flow <name>] [--store <dir>] [--persist] [--json]"
    )
    expect(help.stdout).toContain("  --persist ")
  })
})
