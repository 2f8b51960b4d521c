/**
 * The read-side commands through the compiled CLI: `runs`, `show`, `dump` and `report`, over runs made by
 * the CLI itself (two runs of the Values fixture; a failed run of examples/flaky.ts and its resume).
 */
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { artiflow, fixture, startedRunId, tempHome } from "./process.js"

let home: { readonly dir: string; remove(): Promise<void> }
let env: Readonly<Record<string, string>>
let values: { readonly first: string; readonly second: string }
let flaky: { readonly failed: string; readonly resumed: string }

const started = async (args: ReadonlyArray<string>, extra: Readonly<Record<string, string>> = {}): Promise<string> => {
  const result = await artiflow(args, { ...env, ...extra })
  return startedRunId(result.stdout)
}

beforeAll(async () => {
  home = await tempHome()
  env = { ARTIFLOW_HOME: join(home.dir, "store") }
  const first = await started(["run", fixture("values")])
  const second = await started(["run", fixture("values")])
  values = { first, second }
  const failed = await started(["run", "examples/flaky.ts"], { FLAKY_FAIL_ITEM: "7" })
  const resumed = await started(["resume", "examples/flaky.ts"])
  flaky = { failed, resumed }
})

afterAll(async () => {
  await home.remove()
})

describe("runs", () => {
  test("a table of runs, newest first: id, status, ISO start, duration, tags", async () => {
    const result = await artiflow(["runs", "Values"], env)
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^RUN +STATUS +STARTED +DURATION +TAGS$/)
    expect(lines.slice(1).map((line) => line.split(/ +/).slice(0, 2))).toEqual([
      [values.second, "succeeded"],
      [values.first, "succeeded"]
    ])
    expect(lines[1]).toMatch(/ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}\S+$/)
  })

  test("--json prints the same runs as JSON", async () => {
    const result = await artiflow(["runs", "Flaky", "--json"], env)
    expect(result.code).toBe(0)
    const runs = JSON.parse(result.stdout) as ReadonlyArray<Record<string, unknown>>
    expect(runs.map((run) => [run["id"], run["status"]])).toEqual([
      [flaky.resumed, "succeeded"],
      [flaky.failed, "failed"]
    ])
    expect(runs[0]).toEqual({
      id: flaky.resumed,
      flow: "Flaky",
      status: "succeeded",
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      finishedAt: expect.stringMatching(/Z$/),
      durationMs: expect.any(Number),
      tags: []
    })
  })

  test("without a flow, the flows in the store; an unknown flow is exit 2 listing them", async () => {
    expect((await artiflow(["runs"], env)).stdout).toBe("Flaky\nValues\n")
    const unknown = await artiflow(["runs", "Nope"], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^artiflow: no flow 'Nope' in the local store at .* \(flows: 'Flaky', 'Values'\)\n$/)
  })
})

describe("show", () => {
  test("a failed run: header, the graph with per-step status, the failed task and how to resume", async () => {
    const result = await artiflow(["show", `Flaky/${flaky.failed}`], env)
    expect(result.code).toBe(0)
    const lines = result.stdout.split("\n")
    expect(lines.slice(0, 3)).toEqual(["flow      Flaky", `run       ${flaky.failed}`, "status    failed"])
    expect(lines).toContain(
      `failure   artiflow: run '${flaky.failed}' of flow 'Flaky' failed in step 'score' (task 7): sentiment service timed out after 250ms on review 7`
    )
    expect(lines).toContain("          threshold = 0.3")
    expect(lines).toContain("source    examples/flaky.ts")
    expect(lines).toContainEqual(expect.stringMatching(/^start {11}succeeded {2}1 task {4}\d+ms$/))
    expect(lines).toContain("foreach items ×12")
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}score {9}failed {5}12 tasks {2}\d+ms$/))
    expect(lines).toContain("collect (join)  not run    0 tasks")
    expect(lines).toContain("end             not run    0 tasks")
    expect(lines).toContain("failed tasks:")
    expect(lines).toContain("  score/7 (attempt 0): Error: sentiment service timed out after 250ms on review 7")
    expect(lines).toContain(`resume it: artiflow resume examples/flaky.ts --origin ${flaky.failed}`)
  })

  test("without a run id, the latest run: the resumed one, with its origin and the reused step", async () => {
    const result = await artiflow(["show", "Flaky"], env)
    expect(result.code).toBe(0)
    const lines = result.stdout.split("\n")
    expect(lines).toContain(`run       ${flaky.resumed}`)
    expect(lines).toContain(`resumed   from run ${flaky.failed}`)
    expect(lines).toContainEqual(expect.stringMatching(/^start {11}cloned {5}1 task {4}\d+ms$/))
    expect(lines).toContainEqual(expect.stringMatching(/^end {13}succeeded {2}1 task {4}\d+ms$/))
    expect(lines).not.toContain("failed tasks:")
  })

  test("an unknown run is exit 2 listing the latest runs", async () => {
    const result = await artiflow(["show", "Flaky/nope"], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`artiflow: flow 'Flaky' has no run 'nope' (latest runs: '${flaky.resumed}', '${flaky.failed}')\n`)
  })
})

describe("dump", () => {
  test("a run: its final record, values readable, a large one not loaded and a long one cut", async () => {
    const result = await artiflow(["dump", `Values/${values.first}`], env)
    expect(result.code).toBe(0)
    const lines = result.stdout.split("\n")
    expect(lines[0]).toBe(`final record of run ${values.first} of Values (end/0):`)
    expect(lines).toContain(
      `  big (Float64Array, 1.5 MiB): not loaded (over 1.0 MiB): artiflow dump Values/${values.first} --artifact big`
    )
    expect(lines).toContain("  count (bigint, 55 B) = 12345678901234567890n")
    expect(lines).toContain("  lookup (Map, 107 B) = Map(1) { 'a' => 1 }")
    expect(lines).toContain("  unique (Set, 72 B) = Set(2) { 'x', 'y' }")
    expect(lines).toContain("  when (Date, 65 B) = 2026-01-02T03:04:05.000Z")
    expect(lines).toContain("  uppers (string, 5 B) = 'ABC'")
    expect(lines).toContain("  long (Array, 3.8 KiB) =")
    expect(lines).toContain("      ... 980 more items")
  })

  test("--artifact loads that one artifact, however large", async () => {
    const result = await artiflow(["dump", `Values/${values.first}`, "--artifact", "big"], env)
    expect(result.code).toBe(0)
    const lines = result.stdout.split("\n")
    expect(lines.slice(0, 3)).toEqual([
      `final record of run ${values.first} of Values (end/0):`,
      "  big (Float64Array, 1.5 MiB) =",
      "    Float64Array(200000) ["
    ])
    expect(lines).toContain("      ... 199000 more items")
    expect(result.stdout).not.toContain("uppers")
  })

  test("a step: every task with its artifacts on one line each", async () => {
    const result = await artiflow(["dump", `Values/${values.first}/upper`], env)
    expect(result.code).toBe(0)
    const lines = result.stdout.split("\n")
    const headers = lines.filter((line) => /^upper\/\d/.test(line))
    expect(headers.map((line) => line.replace(/, \d+ms\)$/, ")"))).toEqual([
      "upper/0: succeeded (attempt 0)",
      "upper/1: succeeded (attempt 0)",
      "upper/2: succeeded (attempt 0)"
    ])
    expect(lines.filter((line) => line.startsWith("  upper ("))).toEqual([
      "  upper (string, 3 B) = 'A'",
      "  upper (string, 3 B) = 'B'",
      "  upper (string, 3 B) = 'C'"
    ])
  })

  test("a task: status, logs and artifacts; a failed task shows its error", async () => {
    const start = await artiflow(["dump", `Values/${values.first}/start/0`], env)
    expect(start.code).toBe(0)
    expect(start.stdout).toMatch(/^start\/0: succeeded \(attempt 0, \d+ms\)\n {2}logs:\n {4}making values\n/)
    const failed = await artiflow(["dump", `Flaky/${flaky.failed}/score/7`], env)
    expect(failed.code).toBe(0)
    const lines = failed.stdout.split("\n")
    expect(lines[0]).toMatch(/^score\/7: failed \(attempt 0, \d+ms\)$/)
    expect(lines[1]).toBe("  error: Error: sentiment service timed out after 250ms on review 7")
    expect(lines).toContain("  threshold (number, 3 B) = 0.3")
  })

  test("--json: JSON-safe values (bigint as text, Map and Set as arrays), a large value omitted with its size", async () => {
    const result = await artiflow(["dump", `Values/${values.first}`, "--json"], env)
    expect(result.code).toBe(0)
    const record = JSON.parse(result.stdout) as { readonly artifacts: Readonly<Record<string, Record<string, unknown>>> }
    expect(record).toMatchObject({ flow: "Values", runId: values.first, status: "succeeded", step: "end", taskId: "0" })
    const { artifacts } = record
    expect(artifacts["count"]).toMatchObject({ type: "bigint", value: "12345678901234567890" })
    expect(artifacts["lookup"]?.["value"]).toEqual([["a", 1]])
    expect(artifacts["unique"]?.["value"]).toEqual(["x", "y"])
    expect(artifacts["when"]?.["value"]).toBe("2026-01-02T03:04:05.000Z")
    expect((artifacts["long"]?.["value"] as ReadonlyArray<number>).length).toBe(1000)
    expect(artifacts["big"]).toEqual({
      type: "Float64Array",
      size: 1_600_000,
      encoding: "raw",
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      omitted: "stored size 1.5 MiB is over 1.0 MiB: ask for it with --artifact big"
    })
  })

  test("--json of a task with --artifact: a typed array as {type, length, preview}", async () => {
    const result = await artiflow(["dump", `Values/${values.first}/start/0`, "--artifact", "big", "--json"], env)
    expect(result.code).toBe(0)
    const task = JSON.parse(result.stdout) as Record<string, unknown>
    expect(task).toMatchObject({ step: "start", taskId: "0", index: null, status: "succeeded", attempt: 0, logs: ["making values"] })
    expect(task["artifacts"]).toEqual({
      big: expect.objectContaining({ value: { type: "Float64Array", length: 200_000, preview: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } })
    })
  })

  test("unknown steps, tasks and artifacts are exit 2 listing what exists; a failed run has no final record", async () => {
    const step = await artiflow(["dump", `Values/${values.first}/nope`], env)
    expect(step).toMatchObject({ code: 2, stderr: "artiflow: flow 'Values' has no step 'nope' (steps: 'start', 'upper', 'end')\n" })
    const task = await artiflow(["dump", `Values/${values.first}/upper/9`], env)
    expect(task.code).toBe(2)
    expect(task.stderr).toBe(`artiflow: step 'upper' of run '${values.first}' has no task '9' (tasks: '0', '1', '2')\n`)
    const artifact = await artiflow(["dump", `Values/${values.first}`, "--artifact", "nope"], env)
    expect(artifact.code).toBe(2)
    expect(artifact.stderr).toMatch(/^artiflow: task 'end\/0' of run '\S+' has no artifact 'nope' \(artifacts: 'big', 'count', /)
    const record = await artiflow(["dump", `Flaky/${flaky.failed}`], env)
    expect(record.code).toBe(2)
    expect(record.stderr).toBe(
      `artiflow: run '${flaky.failed}' of flow 'Flaky' has no final record (it failed in step 'score', task 7): dump a step or a task instead, e.g. artiflow dump Flaky/${flaky.failed}/score\n`
    )
    const path = await artiflow(["dump", "Values/a/b/c/d"], env)
    expect(path).toMatchObject({ code: 2, stderr: "artiflow: dump takes <Flow>[/<run>[/<step>[/<task>]]], not 'Values/a/b/c/d'\nsee: artiflow dump --help\n" })
  })
})

describe("report", () => {
  test("writes the run's HTML report to --out and prints its path", async () => {
    const out = join(home.dir, "report.html")
    const result = await artiflow(["report", `Flaky/${flaky.resumed}`, "--out", out], env)
    expect(result).toEqual({ code: 0, stdout: `${out}\n`, stderr: "" })
    const html = await readFile(out, "utf8")
    expect(html.startsWith("<!doctype html>")).toBe(true)
    expect(html).toContain(flaky.resumed)
    expect(html).toContain(flaky.failed)
  })
})
