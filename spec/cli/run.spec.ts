/**
 * `artiflow run` and `artiflow resume` through the compiled CLI in a child process: parameters from the
 * command line, usage errors (exit 2), a failing run (exit 1) and its resume, and progress lines on a pipe.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, test } from "vitest"
import { Client } from "../../lib/client/Client.js"
import { localStore } from "../../lib/datastore/local.js"
import { artiflow, fixture, interrupted, startedRunId, tempHome } from "./process.js"

let home: { readonly dir: string; remove(): Promise<void> }
let env: Readonly<Record<string, string>>

beforeEach(async () => {
  home = await tempHome()
  env = { ARTIFLOW_HOME: join(home.dir, "store") }
})

afterEach(async () => {
  await home.remove()
})

const client = (): Client => Client.open(localStore(join(home.dir, "store")))

describe("run", () => {
  test("runs the flow, prints the run id, task lines and the final artifacts", async () => {
    const result = await artiflow(["run", fixture("params"), "--n", "3"], env)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const runId = startedRunId(result.stdout)
    const lines = result.stdout.split("\n")
    expect(lines[0]).toBe(`run ${runId} of Params started`)
    expect(lines[1]).toMatch(/^\[start\/0\] succeeded in \d+ms$/)
    expect(lines[2]).toMatch(new RegExp(`^run ${runId} of Params succeeded in \\d+ms \\(1 task ran\\)$`))
    expect(lines[3]).toBe("final artifacts:")
    expect(lines).toContain("  doubled  6")
    expect(lines).toContain(`inspect it: artiflow show Params/${runId}`)
    expect((await client().runs("Params")).map((run) => run.id)).toEqual([runId])
  })

  test("decodes parameters: JSON, raw strings, literals, bare booleans, --name=value and included files", async () => {
    const notes = join(home.dir, "notes.txt")
    await writeFile(notes, "remember the milk")
    const args = ["--n=-2.5", "--name", "42", "--tags", '["a","b c"]', "--mode", "slow", "--verbose", "--notes", notes]
    const result = await artiflow(["run", fixture("params"), ...args], env)
    expect(result.code).toBe(0)
    const run = await client().run("Params", startedRunId(result.stdout))
    expect(await run.artifact("echo")).toEqual({
      n: -2.5,
      name: "42",
      tags: ["a", "b c"],
      mode: "slow",
      verbose: true,
      notes: "remember the milk"
    })
    expect(run.params["name"]).toBe("42")
  })

  test("--store puts the run in that directory", async () => {
    const store = join(home.dir, "elsewhere")
    const result = await artiflow(["run", fixture("params"), "--n", "1", "--store", store, "--run-id", "my-run"], env)
    expect(result.code).toBe(0)
    expect(startedRunId(result.stdout)).toBe("my-run")
    expect((await Client.open(localStore(store)).runs("Params")).map((run) => run.id)).toEqual(["my-run"])
    expect(result.stdout).toContain(`inspect it: artiflow show Params/my-run --store ${store}`)
  })

  test("a parameter that does not decode is exit 2 with the parameter, the type and the value; no run is created", async () => {
    const result = await artiflow(["run", fixture("params"), "--n", "abc"], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`artiflow: flow 'Params': parameter 'n' expects number, received "abc"\n`)
    expect(result.stdout).toBe("")
    const runs = await artiflow(["runs", "Params"], env)
    expect(runs.code).toBe(2)
  })

  test("a missing required parameter is exit 2", async () => {
    const result = await artiflow(["run", fixture("params")], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe("artiflow: flow 'Params': parameter 'n' is required (number): pass it in params\n")
  })

  test("an unknown parameter is exit 2 and lists the parameters and options", async () => {
    const result = await artiflow(["run", fixture("params"), "--n", "1", "--count", "2"], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      [
        `artiflow: flow 'Params' has no parameter --count (parameters: --n <number>, --name <string>, --tags <Array<string>>, --mode <("fast" | "slow")>, --verbose <boolean>, --notes <path>; options: --flow, --store, --config, --config-value, --max-workers, --max-foreach-items, --verify, --run-id, --tag, --threads, --redis, --queue, --cache)`,
        "see: artiflow run --help",
        ""
      ].join("\n")
    )
  })

  test("a parameter without its value is exit 2", async () => {
    const result = await artiflow(["run", fixture("params"), "--n"], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("artiflow: parameter --n needs a value: --n <number>\n")
  })

  test("several flows in the file: exit 2 listing them; --flow picks one by export or flow name", async () => {
    const several = await artiflow(["run", fixture("two")], env)
    expect(several.code).toBe(2)
    expect(several.stderr).toBe(
      `artiflow: ${fixture("two")} exports several flows (First, SecondExport (flow 'Second')): pick one with --flow <export>\n`
    )
    const byFlowName = await artiflow(["run", fixture("two"), "--flow", "Second"], env)
    expect(byFlowName.code).toBe(0)
    expect(byFlowName.stdout).toMatch(/^run \S+ of Second started$/m)
    const byExport = await artiflow(["run", fixture("two"), "--flow", "First"], env)
    expect(byExport.stdout).toMatch(/^run \S+ of First started$/m)
    const unknown = await artiflow(["run", fixture("two"), "--flow", "Third"], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe(`artiflow: ${fixture("two")} exports no flow 'Third' (flows: First, SecondExport (flow 'Second'))\n`)
  })

  test("a missing file and an invalid --max-workers are exit 2", async () => {
    const missing = await artiflow(["run", "spec/cli/fixtures/nope.ts"], env)
    expect(missing).toMatchObject({ code: 2, stderr: "artiflow: no such file: spec/cli/fixtures/nope.ts\n" })
    const workers = await artiflow(["run", fixture("params"), "--n", "1", "--max-workers", "0"], env)
    expect(workers.code).toBe(2)
    expect(workers.stderr).toBe("artiflow: option --max-workers expects an integer > 0 (received '0')\n")
  })

  test("--max-foreach-items refuses a wider foreach (exit 1, saying how to raise it); --verify runs a clean flow", async () => {
    const refused = await artiflow(["run", fixture("wide"), "--count", "5", "--max-foreach-items", "4"], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      "foreach over 'items' after step 'start' has 5 items, more than maxForeachItems (4); no task was started"
    )
    const verified = await artiflow(["run", fixture("wide"), "--count", "5", "--verify"], env)
    expect(verified.code).toBe(0)
    expect(verified.stdout).toMatch(/^ {2}total {2}30$/m)
  })

  test("a file that breaks a DSL rule when it loads is exit 2 with the rule's message (JavaScript files load too)", async () => {
    const result = await artiflow(["run", "spec/cli/fixtures/broken.mjs"], env)
    expect(result).toMatchObject({
      code: 2,
      stderr:
        "artiflow: cannot load spec/cli/fixtures/broken.mjs: artiflow: duplicate step name 'a': step names must be unique in a flow (rename one of them)\n"
    })
  })

  test("run <file> --help lists the flow's parameters with their types, defaults and help", async () => {
    const result = await artiflow(["run", fixture("params"), "--help"], env)
    expect(result.code).toBe(0)
    const lines = result.stdout.split("\n")
    expect(lines[0]).toBe(
      `Usage: artiflow run ${fixture("params")} [--flow <name>] [--<param> <value>]... [--config <name> <path>]... [--config-value <name> <json>]... [--store <dir>] [--max-workers <n>] [--max-foreach-items <n>] [--verify] [--run-id <id>] [--tag <t>]... [--threads <n> | --redis <url> [--queue <name>]] [--cache <mode>]`
    )
    expect(lines).toContain("Flow Params (export Params of spec/cli/fixtures/params.ts): echoes its parameters")
    const start = lines.indexOf("Parameters of flow Params:")
    expect(lines.slice(start + 1, start + 7)).toEqual([
      "  --n <number>                how many; required",
      '  --name <string>             who to greet; default: "world"',
      "  --tags <Array<string>>      labels; default: []",
      '  --mode <("fast" | "slow")>  default: "fast"',
      "  --verbose <boolean>         default: false",
      "  --notes <path>              a text file; read as UTF-8 text; optional"
    ])
    expect(lines).toContain(
      "  --store <dir | s3://bucket/prefix>  the datastore: a directory or an S3 bucket (default: $ARTIFLOW_STORE, else $ARTIFLOW_HOME, else ./.artiflow)"
    )
    expect(lines).toContain("  --redis <url>                       run tasks on artiflow workers (artiflow worker <file> --redis <url>) through this Redis")
  })
})

describe("a failing run and its resume", () => {
  test("exit 1 naming the step and task, with the user's frames and the resume hint; resume reuses what succeeded", async () => {
    const failed = await artiflow(["run", "examples/flaky.ts"], { ...env, FLAKY_FAIL_ITEM: "7" })
    expect(failed.code).toBe(1)
    const origin = startedRunId(failed.stdout)
    const errors = failed.stderr.split("\n")
    const message = `artiflow: run '${origin}' of flow 'Flaky' failed in step 'score' (task 7): sentiment service timed out after 250ms on review 7`
    expect(errors).toContain(message)
    expect(errors[errors.indexOf(message) + 1]).toMatch(/^ {4}at callService \(.*examples\/flaky\.ts:\d+:\d+\)$/)
    expect(errors).toContain(`inspect it: artiflow dump Flaky/${origin}/score/7`)
    expect(errors).toContain("resume it:  artiflow resume examples/flaky.ts")
    expect(failed.stdout).toMatch(/^\[score\/7\] attempt 0 failed after \d+ms$/m)

    const before = await client().run("Flaky", origin)
    const scored = (await before.step("score").tasks()).filter((task) => task.status === "succeeded").length
    expect(before.status).toBe("failed")
    expect(scored).toBeGreaterThan(0)

    const resumed = await artiflow(["resume", "examples/flaky.ts"], env)
    expect(resumed.stderr).not.toContain("artiflow:")
    expect(resumed.code).toBe(0)
    const runId = startedRunId(resumed.stdout)
    const lines = resumed.stdout.split("\n")
    expect(lines[0]).toBe(`run ${runId} of Flaky started, resuming run ${origin}`)
    expect(lines[1]).toBe(`[start/0] reused from run ${origin}`)
    const reused = scored + 1
    const ran = 12 - scored + 2
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^run ${runId} of Flaky succeeded in \\S+ \\(${ran} tasks ran, ${reused} reused from run ${origin}\\)$`))
    )
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}summary +'12 reviews: \d+ positive, \d+ neutral, \d+ negative \(mean -?[\d.]+\)'$/))
    const after = await client().run("Flaky", runId)
    const cloned = (await after.step("score").tasks()).filter((task) => task.originTaskId !== undefined)
    expect(cloned).toHaveLength(scored)
    expect(cloned.map((task) => task.id)).not.toContain("7")
  })

  test("resume takes no parameters, and an unknown origin is exit 2", async () => {
    const withParam = await artiflow(["resume", "examples/flaky.ts", "--threshold", "1"], env)
    expect(withParam.code).toBe(2)
    expect(withParam.stderr).toContain("artiflow: resume has no option --threshold (options: --flow, --origin, --from, --store, --max-workers, --max-foreach-items, --verify, --run-id, --tag, --threads, --redis, --queue, --cache)\n")
    const noRun = await artiflow(["resume", "examples/flaky.ts"], env)
    expect(noRun.code).toBe(2)
    expect(noRun.stderr).toMatch(/^artiflow: flow 'Flaky' has no run to resume in the local store at /)
  })
})

describe("an interrupt", () => {
  test("Ctrl-C stops the run cleanly: exit 1, the run recorded as failed and resumable", async () => {
    const result = await interrupted(["run", fixture("wide"), "--count", "5000"], env, "foreach items: 500/5000")
    expect(result.code).toBe(1)
    const runId = startedRunId(result.stdout)
    const lines = result.stderr.split("\n")
    expect(lines).toContain("artiflow: stopping the run (interrupt again to exit at once)")
    expect(lines).toContainEqual(expect.stringMatching(/^foreach items: stopped at \d+\/5000 \(\d+%\)$/))
    expect(lines).toContain(`artiflow: run '${runId}' of flow 'Wide' failed in step '(run)' (task -): artiflow: run '${runId}' was aborted`)
    expect(lines).toContain(`inspect it: artiflow show Wide/${runId}`)
    const run = await client().run("Wide", runId)
    expect(run.status).toBe("failed")
  })
})

describe("progress", () => {
  test("on a pipe, a foreach of 50 items prints plain lines at each tenth and when done, and no escape codes", async () => {
    const result = await artiflow(["run", fixture("wide")], env)
    expect(result.code).toBe(0)
    const lines = result.stderr.split("\n")
    expect(lines[0]).toBe("foreach items: 0/50 (0%)")
    for (let done = 5; done < 50; done += 5) {
      const line = new RegExp(`^foreach items: ${done}/50 \\(${done * 2}%\\), [\\d.]+/s, ETA (<1s|\\d+s)$`)
      expect(lines).toContainEqual(expect.stringMatching(line))
    }
    expect(lines).toContainEqual(expect.stringMatching(/^foreach items: 50\/50 done in \S+ \([\d.]+\/s\)$/))
    expect(lines.length).toBeLessThan(25)
    expect(result.stderr).not.toContain("\u001b[")
    expect(result.stdout).not.toContain("[square/")
    expect(result.stdout).toMatch(/^\[sum\/0\] succeeded in \d+ms$/m)
  })
})
