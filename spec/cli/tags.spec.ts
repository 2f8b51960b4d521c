/**
 * Tags on the command line, through the compiled CLI: `--tag` (repeatable) on `run` and `resume`, the TAGS
 * column of `runs`, `runs --tag/--status/--limit` and the `--json` shape, tags and user in `show`, bad tags
 * (exit 2, nothing run), a flow parameter named `tag`, and tags added from code seen by a fresh process.
 */
import { hostname, userInfo } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { Client } from "../../lib/client/Client.js"
import { localStore } from "../../lib/datastore/local.js"
import { artiflow, fixture, startedRunId, tempHome } from "./process.js"

const RULE = "a tag is a string of 1 to 256 characters without control characters"

let home: { readonly dir: string; remove(): Promise<void> }
let env: Readonly<Record<string, string>>
let flaky: { readonly origin: string; readonly resumed: string }

const FIRST = [fixture("two"), "--flow", "First"]

const started = async (args: ReadonlyArray<string>, extra: Readonly<Record<string, string>> = {}): Promise<string> => {
  const result = await artiflow(args, { ...env, ...extra })
  return startedRunId(result.stdout)
}

const json = async (args: ReadonlyArray<string>): Promise<ReadonlyArray<Record<string, unknown>>> => {
  const result = await artiflow(args, env)
  expect(result.stderr).toBe("")
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout) as ReadonlyArray<Record<string, unknown>>
}

const ids = async (args: ReadonlyArray<string>): Promise<ReadonlyArray<unknown>> => (await json(args)).map((run) => run["id"])

beforeAll(async () => {
  home = await tempHome()
  env = { ARTIFLOW_HOME: join(home.dir, "store") }
  await started(["run", ...FIRST, "--run-id", "a", "--tag", "nightly", "--tag=gpu"])
  await started(["run", ...FIRST, "--run-id", "b"])
  const origin = await started(["run", "examples/flaky.ts", "--tag", "first-try"], { FLAKY_FAIL_ITEM: "7" })
  const resumed = await started(["resume", "examples/flaky.ts", "--tag", "rerun", "--tag", "again"])
  flaky = { origin, resumed }
})

afterAll(async () => {
  await home.remove()
})

describe("run and resume --tag", () => {
  test("runs lists the tags in a TAGS column, newest first", async () => {
    const result = await artiflow(["runs", "First"], env)
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^RUN +STATUS +STARTED +DURATION +TAGS$/)
    expect(lines[1]).toMatch(/^b +succeeded +\S+Z +\S+$/)
    expect(lines[2]).toMatch(/^a +succeeded +\S+Z +\S+ +gpu,nightly$/)
  })

  test("runs --json has each run's id, flow, status, times and tags; a resumed run has its own tags only", async () => {
    const [b, a] = await json(["runs", "First", "--json"])
    expect(a).toEqual({
      id: "a",
      flow: "First",
      status: "succeeded",
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      finishedAt: expect.stringMatching(/Z$/),
      durationMs: expect.any(Number),
      tags: ["gpu", "nightly"]
    })
    expect(b?.["tags"]).toEqual([])
    const flakyRuns = await json(["runs", "Flaky", "--json"])
    expect(flakyRuns.map((run) => [run["id"], run["status"], run["tags"]])).toEqual([
      [flaky.resumed, "succeeded", ["again", "rerun"]],
      [flaky.origin, "failed", ["first-try"]]
    ])
  })

  test("runs --tag keeps runs with every tag given; --status and --limit filter too", async () => {
    expect(await ids(["runs", "First", "--tag", "nightly", "--json"])).toEqual(["a"])
    expect(await ids(["runs", "First", "--tag", "nightly", "--tag", "gpu", "--json"])).toEqual(["a"])
    expect(await ids(["runs", "First", "--tag", "nightly", "--tag", "nope", "--json"])).toEqual([])
    expect(await ids(["runs", "Flaky", "--status", "failed", "--json"])).toEqual([flaky.origin])
    expect(await ids(["runs", "Flaky", "--limit", "1", "--json"])).toEqual([flaky.resumed])
    const table = await artiflow(["runs", "First", "--tag", "gpu"], env)
    expect(table.stdout.trimEnd().split("\n").map((line) => line.split(/ +/)[0])).toEqual(["RUN", "a"])
  })

  test("show prints the run's tags and who ran it where", async () => {
    const tagged = (await artiflow(["show", "First/a"], env)).stdout.split("\n")
    expect(tagged).toContain("tags      gpu, nightly")
    expect(tagged).toContain(`user      ${userInfo().username} on ${hostname()}`)
    expect((await artiflow(["show", "First/b"], env)).stdout.split("\n")).toContain("tags      -")
  })
})

describe("bad tags and filters", () => {
  test("a bad --tag is exit 2 naming the tag and the rule, and no run is created", async () => {
    const control = await artiflow(["run", ...FIRST, "--tag", "ok", "--tag", "a\tb"], env)
    expect(control).toEqual({
      code: 2,
      stdout: "",
      stderr: `artiflow: option --tag: tag "a\\tb" contains the control character U+0009: ${RULE}\nsee: artiflow run --help\n`
    })
    const long = await artiflow(["resume", "examples/flaky.ts", "--tag", "x".repeat(257)], env)
    expect(long.code).toBe(2)
    expect(long.stderr).toContain(`is 257 characters long: ${RULE}\nsee: artiflow resume --help\n`)
    const empty = await artiflow(["run", ...FIRST, "--tag="], env)
    expect([empty.code, empty.stderr]).toEqual([2, "artiflow: option --tag needs a value: --tag <value>\n"])
    expect(await ids(["runs", "First", "--json"])).toEqual(["b", "a"])
    expect(await ids(["runs", "Flaky", "--json"])).toEqual([flaky.resumed, flaky.origin])
  })

  test("runs refuses bad filters with exit 2", async () => {
    const escape = await artiflow(["runs", "First", "--tag", "\u001b[31m"], env)
    expect([escape.code, escape.stderr]).toEqual([
      2,
      `artiflow: option --tag: tag "\\u001b[31m" contains the control character U+001B: ${RULE}\nsee: artiflow runs --help\n`
    ])
    const status = await artiflow(["runs", "First", "--status", "done"], env)
    expect([status.code, status.stderr]).toEqual([
      2,
      "artiflow: option --status expects running, succeeded or failed (received 'done')\nsee: artiflow runs --help\n"
    ])
    expect((await artiflow(["runs", "First", "--limit", "0"], env)).code).toBe(2)
    const noFlow = await artiflow(["runs", "--tag", "x"], env)
    expect([noFlow.code, noFlow.stderr]).toEqual([
      2,
      "artiflow: runs needs a flow to filter: artiflow runs <Flow> --tag <t>\nsee: artiflow runs --help\n"
    ])
  })
})

describe("a flow with a parameter named tag", () => {
  test("--tag sets the parameter (once), and does not tag the run", async () => {
    const result = await artiflow(["run", fixture("tagParam"), "--tag", "v1"], env)
    expect(result.code).toBe(0)
    const runId = startedRunId(result.stdout)
    const handle = await Client.open(localStore(env["ARTIFLOW_HOME"])).run("TagParam", runId)
    expect([handle.params["tag"], handle.tags]).toEqual(["v1", []])
    expect(await handle.artifact("label")).toBe("tagged v1")
    const twice = await artiflow(["run", fixture("tagParam"), "--tag", "v1", "--tag", "v2"], env)
    expect([twice.code, twice.stderr]).toEqual([2, "artiflow: option --tag is given twice\nsee: artiflow run --help\n"])
  })
})

describe("tags added from code", () => {
  test("are seen by the CLI in a fresh process", async () => {
    await started(["run", ...FIRST, "--run-id", "late", "--tag", "early"])
    const handle = await Client.open(localStore(env["ARTIFLOW_HOME"])).run("First", "late")
    await handle.addTags("reviewed", "good")
    await handle.removeTags("early")
    expect((await json(["runs", "First", "--tag", "good", "--json"])).map((run) => [run["id"], run["tags"]])).toEqual([
      ["late", ["good", "reviewed"]]
    ])
    expect(await ids(["runs", "First", "--tag", "early", "--json"])).toEqual([])
  })
})
