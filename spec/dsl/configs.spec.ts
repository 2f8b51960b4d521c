/**
 * `config` and the `configs` of `flow`, as built: a frozen description per config, the configs kept apart
 * from the parameters, and the run-time twins of the compile-time rules (a config's name is not a
 * parameter's; a `catch` cannot write a config) with the compiler's message text.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { config, flow, param, step, subflow, use } from "../../lib/index.js"
import { configClash, configWrite, invalidConfigName, paramWrite } from "../../lib/types/messages.js"
import { build, expectDefinitionError, js, noop, s } from "./helpers.js"

const untypedConfig = config as unknown as (codec?: unknown, options?: unknown) => unknown

const Model = t.type({ layers: t.number })

describe("config", () => {
  test("a required config: its codec, no default path, JSON by default", () => {
    const model = config(Model)
    expect(model).toEqual({ _tag: "Config", codec: Model, default: undefined, parse: undefined, help: undefined })
    expect(Object.isFrozen(model)).toBe(true)
  })

  test("a config with a default path, its own parser and help", () => {
    const parse = (text: string): unknown => Number(text)
    const n = config(t.number, { default: "n.txt", parse, help: "how many" })
    expect(n).toEqual({ _tag: "Config", codec: t.number, default: "n.txt", parse, help: "how many" })
  })

  test.each([
    ["nothing", undefined],
    ["a string", "number"],
    ["a plain object that looks like a codec", { is: () => true, decode: () => ({}) }]
  ])("without an io-ts codec: %s", (_, codec) => {
    expectDefinitionError(
      () => untypedConfig(codec),
      "artiflow: config needs an io-ts codec as its first argument, e.g. config(t.type({ depth: t.number }))"
    )
  })

  test.each([null, 5])("options that are not an object: %s", (options) => {
    expectDefinitionError(
      () => untypedConfig(t.number, options),
      "artiflow: config options must be an object: config(codec, { default?, parse?, help? })"
    )
  })

  test.each([
    ["", `""`],
    [3, "3"],
    [{ path: "x" }, "an object"]
  ])("a default that is not a path: %s", (value, shown) => {
    expectDefinitionError(
      () => untypedConfig(t.number, { default: value }),
      `artiflow: config default must be a path (a non-empty string), not ${shown}`
    )
  })

  test("a parse that is not a function, help that is not a string", () => {
    expectDefinitionError(
      () => untypedConfig(t.number, { parse: "yaml" }),
      `artiflow: config parse must be a function from the file's text to a value, not "yaml"`
    )
    expectDefinitionError(() => untypedConfig(t.number, { help: 3 }), "artiflow: config help must be a string, not 3")
  })
})

describe("flow configs", () => {
  test("are kept by name, apart from the parameters, in a null-prototype record", () => {
    const model = config(Model, { default: "model.json" })
    const F = flow("F", { params: { lr: param(t.number) }, configs: { model } })
    expect(Object.keys(F.configs)).toEqual(["model"])
    expect(F.configs["model"]).toBe(model)
    expect(Object.keys(F.params)).toEqual(["lr"])
    expect(Object.getPrototypeOf(F.configs)).toBe(null)
    expect(Object.isFrozen(F.configs)).toBe(true)
  })

  test("survive later stages, and a flow without configs has none", () => {
    const F = pipe(flow("F", { configs: { model: config(Model) } }), step("start", noop))
    expect(Object.keys(F.configs)).toEqual(["model"])
    expect(Object.keys(flow("G").configs)).toEqual([])
  })

  test("a config with a parameter's name is refused with the compiler's message", () => {
    expectDefinitionError(
      () => js.flow("F", { params: { model: param(t.string) }, configs: { model: config(Model) } }),
      configClash("model")
    )
    expect(configClash("model")).toBe(
      "artiflow: config 'model' has the name of a parameter: configs and parameters are artifacts of one record (rename one of them)"
    )
  })

  test.each(["learning-rate", "_x", "1st", "__proto__", ""])("an invalid config name: %s", (name) => {
    expectDefinitionError(() => js.flow("F", { configs: { [name]: config(t.number) } }), invalidConfigName(name))
  })

  test.each([
    ["a codec", t.number],
    ["a param", param(t.number)],
    ["undefined", undefined],
    ["an imitation", { _tag: "Conf" }]
  ])("a config that is %s, not config(...)", (_, spec) => {
    expectDefinitionError(
      () => js.flow("F", { configs: { model: spec } }),
      "artiflow: config 'model' must be declared with config(codec, { default?, parse?, help? })"
    )
  })

  test.each([3, "model", [config(t.number)]])("configs that are not an object: %s", (configs) => {
    expectDefinitionError(() => js.flow("F", { configs }), "artiflow: flow configs must be an object of config(...) declarations")
  })
})

describe("configs are read-only: catch cannot write one", () => {
  const start = (): unknown => js.flow("F", { params: { lr: param(t.number) }, configs: { model: config(Model) } })

  test("a step's catch naming a config, with the compiler's message; a parameter keeps its own", () => {
    expectDefinitionError(() => build(start(), s("fit", { catch: "model" })), configWrite("fit", "model"))
    expectDefinitionError(() => build(start(), s("fit", { catch: "lr" })), paramWrite("fit", "lr"))
    expect(configWrite("fit", "model")).toBe(
      "artiflow: step 'fit' writes config 'model': configs are read-only (return a new artifact name instead)"
    )
  })

  test("a join's catch naming a config", () => {
    const split = js.split({ a: s("a"), b: s("b") })
    expectDefinitionError(() => build(start(), s("start"), split, js.join("merge", { catch: "model" })), configWrite("merge", "model"))
  })

  test("a subflow's catch naming a config of the flow that uses it", () => {
    const fragment = subflow({}, (f) => pipe(f, step("inner", () => ({ z: 1 }), { catch: "model" })))
    expectDefinitionError(() => build(start(), use(fragment as never)), configWrite("(in a subflow)", "model"))
  })
})
