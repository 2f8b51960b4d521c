/**
 * What plain JavaScript can pass where a stage or a flow is due: something that is not a function, a stage
 * that returns something other than the flow it was given, a combinator applied to something not a flow.
 */
import * as t from "io-ts"
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { build, expectDefinitionError, js, s } from "./helpers.js"

const notAStage = (where: string): string =>
  `artiflow: ${where} is not a stage: pass a combinator such as step(...), or (f) => pipe(f, ...)`
const notReturned = (where: string): string =>
  `artiflow: ${where} did not return the flow it was given: a stage must extend its input, e.g. (f) => pipe(f, step(...))`
const notAFlow = (where: string): string =>
  `artiflow: ${where} was applied to something that is not a flow: start with flow(name)`

const start = () => build(js.flow("F"), js.step("start", () => ({ xs: [1, 2] })))
const other = js.flow("Other")

describe("a stage that is not a function", () => {
  test.each([undefined, null, 42, "step", { _tag: "Step" }])("%s", (stage) => {
    expectDefinitionError(() => start().pipe(s("a"), stage), notAStage("pipe argument 2"))
    expectDefinitionError(() => build(start(), js.seq(stage)), notAStage("seq argument 1"))
    expectDefinitionError(() => build(start(), js.split({ ok: s("a"), bad: stage })), notAStage("split branch 'bad'"))
    expectDefinitionError(() => build(start(), js.foreach("xs", stage)), notAStage("foreach over 'xs'"))
  })

  test("a subflow's build function, when the subflow is made", () => {
    const message = "artiflow: subflow needs a build function: (f) => pipe(f, step(...), ...)"
    expectDefinitionError(() => js.subflow({ x: t.number }, 42), message)
    expectDefinitionError(() => js.subflow({ x: t.number }), message)
    expectDefinitionError(() => (js.subflow() as (build: unknown) => unknown)("build"), message)
  })

  test("use of something that is not a fragment", () => {
    const message = "artiflow: use needs a fragment built with subflow(...)"
    for (const fragment of [undefined, s("a"), { _tag: "Flow" }, start()]) {
      expectDefinitionError(() => js.use(fragment), message)
    }
  })

  test("subflow needs that are not io-ts codecs", () => {
    const message = "artiflow: subflow needs an object of io-ts codecs: subflow({ name: t.number }, build)"
    expectDefinitionError(() => js.subflow({ x: "number" }, (f: unknown) => f), message)
    expectDefinitionError(() => js.subflow(null, (f: unknown) => f), message)
    expectDefinitionError(() => js.subflow(5, (f: unknown) => f), message)
  })
})

describe("a stage that does not return the flow it was given", () => {
  const returning = (value: unknown) => () => value

  test.each([
    ["undefined", returning(undefined)],
    ["a number", returning(1)],
    ["another flow", returning(other)],
    ["a flow-like copy", (f: { readonly nodes: unknown }) => ({ ...f })]
  ])("returning %s", (_, stage) => {
    expectDefinitionError(() => start().pipe(stage), notReturned("pipe argument 1"))
    expectDefinitionError(() => build(start(), js.seq(s("a"), stage)), notReturned("seq argument 2"))
    expectDefinitionError(() => build(start(), js.split({ b: stage })), notReturned("split branch 'b'"))
    expectDefinitionError(() => build(start(), js.foreach("xs", stage)), notReturned("foreach over 'xs'"))
    const fragment = js.subflow()(stage)
    expectDefinitionError(() => build(start(), js.use(fragment)), notReturned("a subflow's build function"))
  })

  test("a branch returning the flow around the split", () => {
    const outer = start()
    expectDefinitionError(() => build(outer, js.split({ b: () => outer })), notReturned("split branch 'b'"))
  })

  test("a branch returning a sibling branch's flow", () => {
    let sibling: unknown
    const keep = (f: unknown) => {
      sibling = build(f, s("kept"))
      return sibling
    }
    const branches = js.split({ a: keep, b: () => sibling })
    expectDefinitionError(() => build(start(), branches), notReturned("split branch 'b'"))
  })

  test("a body returning the flow of a previous foreach body", () => {
    let previous: unknown
    const keep = (f: unknown) => (previous = build(f, s("first")))
    const second = build(start(), js.foreach("xs", keep), js.join("j1"))
    expectDefinitionError(() => build(second, js.foreach("xs", () => previous)), notReturned("foreach over 'xs'"))
  })

  test("returning the flow unchanged is a stage that adds nothing", () => {
    const f = start()
    expect(f.pipe((x: unknown) => x)).toBe(f)
    const empty = build(f, js.split({ nothing: (x: unknown) => x }), js.join("j"))
    expect(empty.nodes[1]).toMatchObject({ _tag: "Split", branches: [{ name: "nothing", nodes: [] }] })
  })
})

describe("a combinator applied to something that is not a flow", () => {
  const notFlows: ReadonlyArray<readonly [string, unknown]> = [
    ["undefined", undefined],
    ["a flow description copied into a plain object", { ...js.flow("F") }],
    ["a fragment", js.subflow()((f: unknown) => f)],
    ["a stage", s("x")]
  ]

  test.each(notFlows)("%s", (_, value) => {
    expectDefinitionError(() => build(value, s("a")), notAFlow("step 'a'"))
    expectDefinitionError(() => build(value, js.split({ b: s("b") })), notAFlow("split"))
    expectDefinitionError(() => build(value, js.foreach("xs", s("b"))), notAFlow("foreach over 'xs'"))
    expectDefinitionError(() => build(value, js.join("j")), notAFlow("join 'j'"))
    expectDefinitionError(() => build(value, js.use(js.subflow()((f: unknown) => f))), notAFlow("use of a subflow"))
    expectDefinitionError(() => build(value, js.seq(s("b"))), notAFlow("seq"))
  })

  test("fp-ts pipe with a stage that broke the flow: the next combinator says so", () => {
    const next = s("a") as (x: unknown) => unknown
    expectDefinitionError(() => pipe(start() as unknown, () => undefined, next), notAFlow("step 'a'"))
  })
})

describe("foreach needs an artifact name", () => {
  test.each([
    ["", ""],
    [undefined, "undefined"],
    [3, "3"],
    ["__proto__", "__proto__"]
  ])("not %j", (artifact, shown) => {
    expectDefinitionError(
      () => js.foreach(artifact, s("b")),
      `artiflow: foreach needs the name of an array artifact (received ${shown})`
    )
  })
})
