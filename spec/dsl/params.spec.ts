/**
 * `param`, `includeFile` and the `params` of `flow`, as built: a frozen description per parameter, and an
 * error naming the problem for what no codec or path can describe.
 */
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { flow, includeFile, param } from "../../lib/index.js"
import { expectDefinitionError, js } from "./helpers.js"

const noCodec = "artiflow: param needs an io-ts codec as its first argument, e.g. param(t.number)"

describe("param", () => {
  test("a required param: its codec, no default", () => {
    const lr = param(t.number)
    expect(lr).toEqual({ _tag: "Param", codec: t.number, hasDefault: false, default: undefined, help: undefined })
    expect(lr.codec).toBe(t.number)
    expect(Object.isFrozen(lr)).toBe(true)
  })

  test("a param with a default and help", () => {
    const lr = param(t.number, { default: 0.1, help: "learning rate" })
    expect(lr).toEqual({ _tag: "Param", codec: t.number, hasDefault: true, default: 0.1, help: "learning rate" })
  })

  test("an explicit undefined default counts as a default when the codec accepts it", () => {
    const tag = param(t.union([t.string, t.undefined]), { default: undefined })
    expect(tag.hasDefault).toBe(true)
  })

  test.each([
    ["nothing", undefined],
    ["a string", "number"],
    ["a plain object that looks like a codec", { is: () => true, decode: () => ({}) }],
    ["a constructor", Number]
  ])("without an io-ts codec: %s", (_, codec) => {
    expectDefinitionError(() => js.param(codec), noCodec)
  })

  test.each([
    { codec: t.number, value: "0.1", shown: `"0.1"` },
    { codec: t.string, value: 3, shown: "3" },
    { codec: t.array(t.number), value: [1, "2"], shown: "an array of 2" },
    { codec: t.number, value: undefined, shown: "undefined" },
    { codec: t.number, value: 10n, shown: "10n" }
  ])("a default the codec rejects: $codec.name, $shown", ({ codec, value, shown }) => {
    expectDefinitionError(
      () => js.param(codec, { default: value }),
      `artiflow: param default ${shown} is not a valid ${codec.name}: fix the default or the codec`
    )
  })

  test("a default that cannot be printed as JSON (cyclic) still gives the definition error", () => {
    const cyclic: { self?: unknown } = {}
    cyclic.self = cyclic
    expectDefinitionError(
      () => js.param(t.string, { default: cyclic }),
      "artiflow: param default an object is not a valid string: fix the default or the codec"
    )
  })

  test.each([null, 5, "x"])("options that are not an object: %s", (options) => {
    expectDefinitionError(
      () => js.param(t.number, options),
      "artiflow: param options must be an object: param(codec, { default?, help? })"
    )
  })
})

describe("includeFile", () => {
  test("defaults: utf8, required without a default", () => {
    const raw = includeFile()
    expect(raw).toEqual({ _tag: "IncludeFile", default: undefined, encoding: "utf8", required: true, help: undefined })
    expect(Object.isFrozen(raw)).toBe(true)
  })

  test("a default path makes it optional; binary; help", () => {
    expect(includeFile({ default: "data.bin", encoding: "binary", help: "weights" })).toEqual({
      _tag: "IncludeFile",
      default: "data.bin",
      encoding: "binary",
      required: false,
      help: "weights"
    })
  })

  test("required: false without a default", () => {
    expect(includeFile({ required: false }).required).toBe(false)
  })

  test.each(["latin1", "utf-8", "", 8])("an encoding other than utf8 or binary: %s", (encoding) => {
    expectDefinitionError(
      () => js.includeFile({ encoding }),
      `artiflow: includeFile encoding must be "utf8" or "binary" (received ${String(encoding)})`
    )
  })

  test("a default that is not a path", () => {
    const message = "artiflow: includeFile default must be a path (a string)"
    expectDefinitionError(() => js.includeFile({ default: 3 }), message)
  })

  test("options that are not an object", () => {
    expectDefinitionError(
      () => js.includeFile(null),
      "artiflow: includeFile options must be an object: includeFile({ default?, encoding? })"
    )
  })
})

describe("flow params", () => {
  test("are kept as given, in a frozen record without a prototype", () => {
    const lr = param(t.number, { default: 0.1 })
    const raw = includeFile({ default: "x.csv" })
    const f = flow("Train", { params: { lr, raw } })
    expect(Object.keys(f.params)).toEqual(["lr", "raw"])
    expect(f.params["lr"]).toBe(lr)
    expect(f.params["raw"]).toBe(raw)
    expect(Object.getPrototypeOf(f.params)).toBe(null)
    expect(Object.isFrozen(f.params)).toBe(true)
  })

  test("no params give an empty record", () => {
    expect(Object.keys(flow("F").params)).toEqual([])
  })

  test.each([
    ["a codec", t.number],
    ["a number", 3],
    ["undefined", undefined],
    ["an imitation", { _tag: "Parameter" }]
  ])("a parameter that is %s, not param(...) or includeFile(...)", (_, spec) => {
    expectDefinitionError(
      () => js.flow("F", { params: { lr: spec } }),
      "artiflow: parameter 'lr' must be declared with param(codec) or includeFile()"
    )
  })

  test.each([3, "lr", true])("params that are not an object: %s", (params) => {
    expectDefinitionError(
      () => js.flow("F", { params }),
      "artiflow: flow params must be an object of param(...) and includeFile(...)"
    )
  })

  test("a description that is not a string", () => {
    expectDefinitionError(() => js.flow("F", { description: 3 }), "artiflow: flow 'F': description must be a string")
  })

  test.each([null, 3])("options that are not an object: %s", (options) => {
    expectDefinitionError(
      () => js.flow("F", options),
      "artiflow: flow 'F': options must be an object: flow(name, { params?, configs?, description? })"
    )
  })
})
