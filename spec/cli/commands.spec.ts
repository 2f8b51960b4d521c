/**
 * The command line as a whole, through the compiled CLI: help for every command, the version, usage
 * errors, and `graph`, which draws a flow from a file without running it.
 */
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { describeFlow } from "../../lib/dsl/graph.js"
import { renderMermaid } from "../../lib/report/mermaid.js"
import { Flaky } from "../../examples/flaky.js"
import { artiflow, fixture, root } from "./process.js"

const COMMANDS = ["run", "resume", "spin", "runs", "show", "dump", "graph", "report"]

describe("help and version", () => {
  test("--help lists every command and the exit codes", async () => {
    const result = await artiflow(["--help"])
    expect(result.code).toBe(0)
    const lines = result.stdout.split("\n")
    expect(lines[0]).toBe("Usage: artiflow <command> [arguments] [options]")
    for (const command of COMMANDS) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}${command} +\\S`)))
    expect(lines).toContain("  2  usage error: bad arguments, an unknown flow, run, step, task or artifact, an invalid parameter")
  })

  test.each(COMMANDS)("%s --help prints its usage and exits 0, as does help <command>", async (command) => {
    const result = await artiflow([command, "--help"])
    expect(result).toMatchObject({ code: 0, stderr: "" })
    expect(result.stdout.startsWith(`Usage: artiflow ${command} `)).toBe(true)
    expect(result.stdout).toContain("  -h, --help")
    expect((await artiflow(["help", command])).stdout).toBe(result.stdout)
  })

  test("--version prints the package version", async () => {
    const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string }
    expect(await artiflow(["--version"])).toEqual({ code: 0, stdout: `artiflow ${version}\n`, stderr: "" })
  })
})

describe("usage errors exit 2", () => {
  test("an unknown command lists the commands", async () => {
    const result = await artiflow(["frobnicate"])
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "artiflow: unknown command 'frobnicate' (commands: run, resume, spin, worker, runs, show, dump, graph, report, lineage, gc): see artiflow --help\n"
    })
  })

  test("no command prints the help on stderr", async () => {
    const result = await artiflow([])
    expect(result.code).toBe(2)
    expect(result.stderr.startsWith("Usage: artiflow <command>")).toBe(true)
  })

  test("an unknown option names the command's options; a missing argument says what is needed", async () => {
    expect(await artiflow(["runs", "Flaky", "--nope"])).toMatchObject({
      code: 2,
      stderr: "artiflow: runs has no option --nope (options: --tag, --status, --limit, --store, --json)\nsee: artiflow runs --help\n"
    })
    expect(await artiflow(["show"])).toMatchObject({
      code: 2,
      stderr: "artiflow: show needs a run: artiflow show <Flow>[/<run>]\nsee: artiflow show --help\n"
    })
    expect(await artiflow(["graph", "a.ts", "b.ts"])).toMatchObject({ code: 2 })
    expect((await artiflow(["dump", "Flaky", "--json=yes"])).stderr).toBe("artiflow: option --json takes no value (received 'yes')\n")
  })
})

describe("graph", () => {
  test("draws the flow as an indented tree", async () => {
    const result = await artiflow(["graph", "examples/flaky.ts"])
    expect(result).toEqual({ code: 0, stdout: "start\nforeach items\n  score\ncollect (join)\nend\n", stderr: "" })
  })

  test("--mermaid prints the Mermaid flowchart", async () => {
    const result = await artiflow(["graph", "examples/flaky.ts", "--mermaid"])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(renderMermaid(describeFlow(Flaky)))
    expect(result.stdout.startsWith("flowchart TD\n")).toBe(true)
  })

  test("--flow picks among several flows", async () => {
    const result = await artiflow(["graph", fixture("two"), "--flow", "SecondExport"])
    expect(result).toEqual({ code: 0, stdout: "start\n", stderr: "" })
  })
})
