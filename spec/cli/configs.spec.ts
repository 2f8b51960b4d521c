/**
 * Configs on the command line: `--config <name> <path>` and `--config-value <name> '<json>'` for `run`, the
 * configs `run <file> --help` lists, what `show` prints, and the errors (exit 2, no run created). The pair
 * options' parsing is tested on its own first.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, test } from "vitest"
import * as t from "io-ts"
import { parseArgs } from "../../lib/cli/args.js"
import { CONFIG_OPTIONS, configsFromArgs } from "../../lib/cli/configs.js"
import type { FlowValue } from "../../lib/dsl/FlowValue.js"
import { config, flow, param } from "../../lib/index.js"
import { UsageError } from "../../lib/cli/errors.js"
import { Client } from "../../lib/client/Client.js"
import { localStore } from "../../lib/datastore/local.js"
import { artiflow, fixture, root, startedRunId, tempHome } from "./process.js"

describe("parseArgs: pair options", () => {
  const pairs = { pairs: ["config", "config-value"] }

  test("take the next two arguments, may repeat, and leave the other options alone", () => {
    const args = parseArgs(
      ["f.ts", "--config", "model", "m.json", "--n", "3", "--config", "data", "d.json", "--config-value", "x", '{"a":1}'],
      pairs
    )
    expect(args.positionals).toEqual(["f.ts"])
    expect([...args.options]).toEqual([["n", "3"]])
    expect([...args.pairs]).toEqual([
      [
        "config",
        [
          ["model", "m.json"],
          ["data", "d.json"]
        ]
      ],
      ["config-value", [["x", '{"a":1}']]]
    ])
  })

  test("without two values, with an option as a value, or written --config=...: a usage error", () => {
    const twoValues = new UsageError("artiflow: option --config takes two values: --config <name> <value>")
    expect(() => parseArgs(["--config", "model"], pairs)).toThrow(twoValues)
    expect(() => parseArgs(["--config"], pairs)).toThrow(twoValues)
    expect(() => parseArgs(["--config", "model", "--store", "s"], pairs)).toThrow(twoValues)
    expect(() => parseArgs(["--config=model", "m.json"], pairs)).toThrow(twoValues)
  })

  test("a command without pair options reads --config as an ordinary option", () => {
    const args = parseArgs(["--config", "model", "m.json"])
    expect([...args.options]).toEqual([["config", "model"]])
    expect(args.positionals).toEqual(["m.json"])
    expect(args.pairs.size).toBe(0)
  })
})

describe("configsFromArgs", () => {
  const pairs = { pairs: CONFIG_OPTIONS }
  const Flow = flow("F", { params: { config: param(t.string) }, configs: { model: config(t.number) } }) as unknown as FlowValue

  test("turns --config into { path } and --config-value into the parsed { value }", () => {
    const args = parseArgs(["--config-value", "model", "3"], pairs)
    expect({ ...configsFromArgs(Flow, args) }).toEqual({ model: { value: 3 } })
    const fromFile = parseArgs(["--config", "model", "n.json"], pairs)
    expect({ ...configsFromArgs(Flow, fromFile) }).toEqual({ model: { path: "n.json" } })
  })

  test("a parameter named config cannot be given on the command line: the error says so", () => {
    const args = parseArgs(["--config", "x", "y"], pairs)
    expect(() => configsFromArgs(Flow, args)).toThrow(
      new UsageError(
        "artiflow: flow 'F' has no config 'x' (configs: 'model') (parameter 'config' cannot be given on the command line, --config gives configs: rename the parameter)",
        "run"
      )
    )
  })
})

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

const noRuns = async (): Promise<void> => {
  expect(await client().flows()).toEqual([])
}

describe("run with configs", () => {
  test("the default file (relative to the working directory) and --config-value; recorded with the run", async () => {
    const result = await artiflow(["run", fixture("configs"), "--config-value", "limits", '{"max": 3}'], env)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("  model   { layers: 2, activation: 'relu' }\n")
    expect(result.stdout).toContain("  width   128\n")
    const run = await client().run("Configs", startedRunId(result.stdout))
    expect(run.configs).toEqual({ model: { layers: 2, activation: "relu" }, limits: { max: 3 } })
    expect(run.params).toEqual({ scale: 1 })
    expect(run.configSources).toEqual({
      model: { from: "file", path: join(root, "spec/cli/fixtures/model.json") },
      limits: { from: "value" }
    })
  })

  test("--config reads another file, next to parameters and --name=value options", async () => {
    const model = join(home.dir, "big.json")
    const limits = join(home.dir, "limits.json")
    await writeFile(model, JSON.stringify({ layers: 4, activation: "tanh" }))
    await writeFile(limits, JSON.stringify({ max: 10 }))
    const args = ["--config", "model", model, "--scale=2", "--config", "limits", limits]
    const result = await artiflow(["run", fixture("configs"), ...args], env)
    expect(result.code).toBe(0)
    const run = await client().run("Configs", startedRunId(result.stdout))
    expect(await run.artifact("width")).toBe(512)
    expect(await run.artifact("max")).toBe(10)
    expect(run.configSources["model"]).toEqual({ from: "file", path: model })
  })

  test("show prints each config's value and where it came from", async () => {
    const result = await artiflow(["run", fixture("configs"), "--config-value", "limits", '{"max": 3}'], env)
    const shown = await artiflow(["show", `Configs/${startedRunId(result.stdout)}`], env)
    expect(shown.code).toBe(0)
    const lines = shown.stdout.split("\n")
    const start = lines.findIndex((line) => line.startsWith("configs "))
    expect(lines.slice(start - 1, start + 5)).toEqual([
      "params    scale = 1",
      "configs   limits = { max: 3 }",
      "            given as a value",
      "          model = { activation: 'relu', layers: 2 }",
      "            from spec/cli/fixtures/model.json",
      "source    spec/cli/fixtures/configs.ts"
    ])
  })

  test("run <file> --help lists the configs: name, type, help, default path (relative to the working directory)", async () => {
    const result = await artiflow(["run", fixture("configs"), "--help"], env)
    expect(result.code).toBe(0)
    const lines = result.stdout.split("\n")
    const start = lines.indexOf("Configs of flow Configs (paths relative to the current directory):")
    expect(start).toBeGreaterThan(0)
    expect(lines.slice(start + 1, start + 3)).toEqual([
      "  --config model <path>   network shape; JSON, decoded as { layers: number, activation: string }; default: spec/cli/fixtures/model.json",
      "  --config limits <path>  what the run may use; JSON, decoded as { max: number }; required"
    ])
    expect(lines).toContain("  --config <name> <path>              read config <name> from this file (relative to the current directory)")
    expect(lines).toContain("  --config-value <name> <json>        give config <name> as JSON text instead of a file")
  })

  test("a flow without configs lists none", async () => {
    const result = await artiflow(["run", fixture("params"), "--help"], env)
    expect(result.stdout).not.toContain("Configs of flow")
  })
})

describe("bad configs on the command line: exit 2, no run created", () => {
  test("a required config not given", async () => {
    const result = await artiflow(["run", fixture("configs")], env)
    expect(result).toMatchObject({
      code: 2,
      stdout: "",
      stderr:
        "artiflow: flow 'Configs': config 'limits' is required ({ max: number }): pass configs: { limits: { path } } or { value } (CLI: --config limits <path>)\n"
    })
    await noRuns()
  })

  test("a file that does not exist, relative to the working directory", async () => {
    const result = await artiflow(["run", fixture("configs"), "--config", "limits", "nope/limits.json"], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `artiflow: flow 'Configs': config 'limits' cannot read '${join(root, "nope/limits.json")}' (ENOENT): pass a readable file\n`
    )
    await noRuns()
  })

  test("a file whose value does not decode: the field and the type expected", async () => {
    const limits = join(home.dir, "limits.json")
    await writeFile(limits, JSON.stringify({ max: "ten" }))
    const result = await artiflow(["run", fixture("configs"), "--config", "limits", limits], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `artiflow: flow 'Configs': config 'limits' in '${limits}' expects { max: number }, received an object (at max: expected number, received "ten")\n`
    )
    await noRuns()
  })

  test("--config-value that is not JSON", async () => {
    const result = await artiflow(["run", fixture("configs"), "--config-value", "limits", "{max: 3}"], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^artiflow: flow 'Configs': config 'limits': --config-value is not valid JSON \(.+\): pass JSON, e\.g\. --config-value limits '\{"key": 1\}'\n$/
    )
    await noRuns()
  })

  test("an unknown config lists the configs; a config given twice; --config without its path", async () => {
    const unknown = await artiflow(["run", fixture("configs"), "--config", "limit", "l.json"], env)
    expect(unknown).toMatchObject({
      code: 2,
      stderr: "artiflow: flow 'Configs' has no config 'limit' (configs: 'model', 'limits')\nsee: artiflow run --help\n"
    })
    const twice = await artiflow(["run", fixture("configs"), "--config", "limits", "a.json", "--config-value", "limits", "{}"], env)
    expect(twice).toMatchObject({
      code: 2,
      stderr: "artiflow: config 'limits' is given twice: give it once, with --config or --config-value\nsee: artiflow run --help\n"
    })
    const half = await artiflow(["run", fixture("configs"), "--config", "limits"], env)
    expect(half).toMatchObject({ code: 2, stderr: "artiflow: option --config takes two values: --config <name> <value>\n" })
    await noRuns()
  })

  test("a flow without configs: --config names no config", async () => {
    const result = await artiflow(["run", fixture("params"), "--n", "1", "--config", "model", "m.json"], env)
    expect(result).toMatchObject({ code: 2, stderr: "artiflow: flow 'Params' has no config 'model' (configs: none)\nsee: artiflow run --help\n" })
  })
})

describe("resume", () => {
  test("takes no configs: a resumed run reuses its origin's", async () => {
    const result = await artiflow(["resume", fixture("configs"), "--config", "limits", "l.json"], env)
    expect(result).toMatchObject({
      code: 2,
      stderr:
        "artiflow: resume has no option --config: a resumed run reuses its origin's configs; start a new run with artiflow run to use others\nsee: artiflow resume --help\n"
    })
  })

  test("reuses the origin's configs", async () => {
    const limits = join(home.dir, "limits.json")
    await writeFile(limits, JSON.stringify({ max: 5 }))
    const first = await artiflow(["run", fixture("configs"), "--config", "limits", limits], env)
    expect(first.code).toBe(0)
    await writeFile(limits, JSON.stringify({ max: 50 }))
    const resumed = await artiflow(["resume", fixture("configs"), "--from", "start"], env)
    expect(resumed.stderr).toBe("")
    expect(resumed.code).toBe(0)
    const run = await client().run("Configs", startedRunId(resumed.stdout))
    expect(await run.artifact("max")).toBe(5)
    expect(run.configSources["limits"]).toEqual({ from: "file", path: limits })
  })
})
