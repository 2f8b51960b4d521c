/**
 * Options checked when a step, join or foreach is built: retry, timeout, catch, concurrency, and functions
 * where functions are due. `catch` writes an artifact, so it must not name a parameter (a compile error too).
 */
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { invalidOption, paramWrite } from "../../lib/types/messages.js"
import { build, expectDefinitionError, js, noop, s } from "./helpers.js"

const start = () => build(js.flow("F"), js.step("start", () => ({ xs: [1, 2] })))
const stepOptions = (f: { readonly nodes: ReadonlyArray<unknown> }): unknown =>
  (f.nodes.at(-1) as { readonly options: unknown }).options

describe("retry: an integer >= 0", () => {
  test.each([-1, 1.5, "2", Number.NaN, Number.POSITIVE_INFINITY, null, true])("rejects %s", (retry) => {
    expectDefinitionError(() => s("fit", { retry }), invalidOption("step 'fit'", "retry", "an integer >= 0", retry))
  })

  test.each([0, 1, 10])("accepts %s", (retry) => {
    expect(stepOptions(build(start(), s("fit", { retry })))).toEqual({ retry })
  })
})

describe("timeout: a number of milliseconds > 0", () => {
  test.each([0, -5, "10", Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])("rejects %s", (timeout) => {
    expectDefinitionError(
      () => s("fit", { timeout }),
      invalidOption("step 'fit'", "timeout", "a number of milliseconds > 0", timeout)
    )
  })

  test.each([1, 0.5, 60_000, 2 ** 31 - 1])("accepts %s", (timeout) => {
    expect(stepOptions(build(start(), s("fit", { timeout })))).toEqual({ timeout })
  })
})

describe("catch: an artifact name not starting with '_'", () => {
  test.each(["", "_err", "__proto__", 42, null, "x".repeat(1025)])("rejects %s", (name) => {
    expectDefinitionError(
      () => s("fit", { catch: name }),
      invalidOption("step 'fit'", "catch", "an artifact name not starting with '_'", name)
    )
  })

  test.each(["err", "last error", "e-1"])("accepts %s", (name) => {
    expect(stepOptions(build(start(), s("fit", { catch: name })))).toEqual({ catch: name })
  })
})

describe("options themselves", () => {
  test.each([5, "retry", null, true])("must be an object, not %s", (options) => {
    expectDefinitionError(() => s("fit", options), invalidOption("step 'fit'", "options", "an object", options))
  })

  test("a step's options are a frozen copy holding only retry, catch and timeout", () => {
    const given = { retry: 2, catch: "err", timeout: 100, retries: 9 }
    const options = stepOptions(build(start(), s("fit", given)))
    expect(options).toEqual({ retry: 2, catch: "err", timeout: 100 })
    expect(Object.isFrozen(options)).toBe(true)
    given.retry = 5
    expect(options).toEqual({ retry: 2, catch: "err", timeout: 100 })
  })

  test("no options give empty frozen options", () => {
    const options = stepOptions(build(start(), s("fit")))
    expect(options).toEqual({})
    expect(Object.isFrozen(options)).toBe(true)
  })
})

describe("join options are checked like a step's", () => {
  test("retry, timeout and catch", () => {
    expectDefinitionError(() => js.join("j", { retry: -1 }), invalidOption("step 'j'", "retry", "an integer >= 0", -1))
    expectDefinitionError(
      () => js.join("j", { timeout: 0 }, noop),
      invalidOption("step 'j'", "timeout", "a number of milliseconds > 0", 0)
    )
    expectDefinitionError(
      () => js.join("j", { catch: "_e" }),
      invalidOption("step 'j'", "catch", "an artifact name not starting with '_'", "_e")
    )
  })

  test("options that are not an object", () => {
    expectDefinitionError(() => js.join("j", 3), invalidOption("step 'j'", "options", "an object", 3))
  })
})

describe("foreach concurrency: an integer > 0", () => {
  test.each([0, -1, 1.5, "2", Number.NaN, null])("rejects %s", (concurrency) => {
    expectDefinitionError(
      () => js.foreach("xs", s("each"), { concurrency }),
      invalidOption("foreach over 'xs'", "concurrency", "an integer > 0", concurrency)
    )
  })

  test.each([1, 8])("accepts %s", (concurrency) => {
    const f = build(start(), js.foreach("xs", s("each"), { concurrency }))
    expect(f.nodes.at(-1)).toMatchObject({ _tag: "Foreach", concurrency })
  })
})

describe("functions", () => {
  test.each([undefined, 42, "() => ({})", {}])("a step function that is %s", (fn) => {
    expectDefinitionError(() => js.step("fit", fn), invalidOption("step 'fit'", "fn", "a function", fn))
  })

  test("a join function that is not a function", () => {
    expectDefinitionError(() => js.join("j", {}, 42), invalidOption("step 'j'", "fn", "a function", 42))
  })
})

describe("catch naming a parameter (parameters are read-only)", () => {
  const withParams = () => js.flow("F", { params: { lr: js.param(t.number), raw: js.includeFile({ default: "x" }) } })

  test("a step", () => {
    expectDefinitionError(() => build(withParams(), s("fit", { catch: "lr" })), paramWrite("fit", "lr"))
    expectDefinitionError(() => build(withParams(), s("load", { catch: "raw" })), paramWrite("load", "raw"))
  })

  test("a step in a branch or a foreach body", () => {
    const inBranch = js.split({ l: s("fit", { catch: "lr" }) })
    expectDefinitionError(() => build(withParams(), inBranch), paramWrite("fit", "lr"))
    const inBody = js.foreach("xs", s("each", { catch: "lr" }))
    expectDefinitionError(() => build(withParams(), js.step("a", noop), inBody), paramWrite("each", "lr"))
  })

  test("a split join and a foreach join", () => {
    const split = build(withParams(), js.split({ l: s("l") }))
    expectDefinitionError(() => build(split, js.join("merge", { catch: "lr" })), paramWrite("merge", "lr"))
    const foreach = build(withParams(), js.foreach("xs", s("each")))
    expectDefinitionError(() => build(foreach, js.join("gather", { catch: "lr" }, noop)), paramWrite("gather", "lr"))
  })

  test("a step of a subflow, reported on its use as the compiler does", () => {
    const fragment = js.subflow()((f: never) =>
      build(f, s("inner"), js.split({ a: s("a", { catch: "raw" }) }), js.join("m"))
    )
    expectDefinitionError(() => build(withParams(), js.use(fragment)), paramWrite("(in a subflow)", "raw"))
    const joinCatch = js.subflow()((f: never) => build(f, js.split({ a: s("a") }), js.join("m", { catch: "lr" })))
    expectDefinitionError(() => build(withParams(), js.use(joinCatch)), paramWrite("(in a subflow)", "lr"))
  })

  test("a name that is not a parameter is fine, and so is a flow without parameters", () => {
    expect(build(withParams(), s("fit", { catch: "lrError" })).nodes).toHaveLength(1)
    expect(build(js.flow("G"), s("fit", { catch: "lr" })).nodes).toHaveLength(1)
  })
})
