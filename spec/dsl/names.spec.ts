/**
 * Name rules at build time: flow, step, join, branch and parameter names. Flow, step and branch names are
 * path segments in the datastore and the CLI; parameter names become `--flags`.
 */
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { invalidName, invalidParamName } from "../../lib/types/messages.js"
import { build, expectDefinitionError, js, noop, s } from "./helpers.js"

const invalid: ReadonlyArray<readonly [string, string]> = [
  ["empty", ""],
  ["starting with '_'", "_hidden"],
  ["starting with '-'", "-flag"],
  ["containing '/'", "a/b"],
  ["containing a space", "a b"],
  ["containing a dot", "a.b"],
  ["'..'", ".."],
  ["longer than 128 characters", "a".repeat(129)]
]

const valid = ["a", "Z", "9lives", "fit-model", "fit_model", "A-1_b", "a".repeat(128)]

describe("flow names", () => {
  test.each(invalid)("a name %s is invalid", (_, name) => {
    expectDefinitionError(() => js.flow(name), invalidName("flow", name))
  })

  test("a name that is not a string is invalid, shown as text", () => {
    expectDefinitionError(() => js.flow(42), invalidName("flow", "42"))
    expectDefinitionError(() => js.flow(undefined), invalidName("flow", "undefined"))
  })

  test.each(valid)("'%s' is a valid flow name", (name) => {
    expect(js.flow(name).name).toBe(name)
  })
})

describe("step names", () => {
  test.each(invalid)("a name %s is invalid, as soon as step(...) is called", (_, name) => {
    expectDefinitionError(() => js.step(name, noop), invalidName("step", name))
  })

  test("a name that is not a string is invalid", () => {
    expectDefinitionError(() => js.step(7, noop), invalidName("step", "7"))
  })

  test.each(valid)("'%s' is a valid step name", (name) => {
    const f = build(js.flow("F"), s(name))
    expect(f.nodes.map((node) => node._tag === "Step" && node.name)).toEqual([name])
  })
})

describe("join names follow the step rules", () => {
  test.each(invalid)("a join name %s is invalid", (_, name) => {
    expectDefinitionError(() => js.join(name), invalidName("step", name))
    expectDefinitionError(() => js.join(name, { equal: [] }), invalidName("step", name))
    expectDefinitionError(() => js.join(name, noop), invalidName("step", name))
  })

  test("the name is checked before the join is applied", () => {
    const open = build(js.flow("F"), js.split({ a: s("a") }))
    expectDefinitionError(() => build(open, js.join("_j")), invalidName("step", "_j"))
  })
})

describe("branch names", () => {
  test.each(invalid)("a branch name %s is invalid", (_, name) => {
    expectDefinitionError(() => js.split({ ok: s("a"), [name]: s("b") }), invalidName("branch", name))
  })

  test.each(valid)("'%s' is a valid branch name", (name) => {
    const f = build(js.flow("F"), js.split({ [name]: s("a") }), js.join("j"))
    const split = f.nodes[0]
    expect(split?._tag === "Split" && split.branches.map((branch) => branch.name)).toEqual([name])
  })
})

describe("parameter names", () => {
  test.each(invalid)("a parameter name %s is invalid", (_, name) => {
    expectDefinitionError(
      () => js.flow("F", { params: { ok: js.param(t.number), [name]: js.param(t.number) } }),
      invalidParamName(name)
    )
  })

  test("a hostile '__proto__' key is rejected, not turned into a prototype", () => {
    const params = { ["__proto__"]: js.param(t.number) }
    expect(Object.keys(params)).toEqual(["__proto__"])
    expectDefinitionError(() => js.flow("F", { params }), invalidParamName("__proto__"))
  })

  test("an included file is named like any parameter", () => {
    expectDefinitionError(
      () => js.flow("F", { params: { "raw file": js.includeFile({ default: "x.csv" }) } }),
      invalidParamName("raw file")
    )
  })

  test("a name with '-' or a leading digit is invalid for a parameter (it becomes a --flag)", () => {
    expectDefinitionError(() => js.flow("F", { params: { "learning-rate": js.param(t.number) } }), invalidParamName("learning-rate"))
    expectDefinitionError(() => js.flow("F", { params: { "1st": js.param(t.number) } }), invalidParamName("1st"))
  })

  test.each(["lr", "learningRate", "learning_rate", "x1", "Z"])("'%s' is a valid parameter name", (name) => {
    const f = js.flow("F", { params: { [name]: js.param(t.number) } })
    expect(Object.keys(f.params)).toEqual([name])
  })
})
