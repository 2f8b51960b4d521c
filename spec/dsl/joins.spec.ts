/**
 * `join` as built: the four call forms, the split-only options refused after a foreach, `take` naming a
 * branch the split has, and the shape of each option.
 */
import { describe, expect, test } from "vitest"
import type { JoinSpec } from "../../lib/dsl/ast.js"
import { splitOptionInForeachJoin, unknownBranch } from "../../lib/types/messages.js"
import { build, expectDefinitionError, js, s } from "./helpers.js"

const start = () => build(js.flow("F"), js.step("start", () => ({ xs: [1, 2], x: 0 })))
const openSplit = () => build(start(), js.split({ left: s("l"), right: s("r") }))
const openForeach = () => build(start(), js.foreach("xs", s("each")))
const joinOf = (f: { readonly nodes: ReadonlyArray<unknown> }): JoinSpec =>
  (f.nodes.at(-1) as { readonly join: JoinSpec }).join

describe("the four forms", () => {
  const fn = () => ({ y: 1 })
  const max = (values: { left: number; right: number }) => Math.max(values.left, values.right)

  test("join(name)", () => {
    expect(joinOf(build(openSplit(), js.join("merge")))).toEqual({ name: "merge", options: {}, fn: undefined })
  })

  test("join(name, options)", () => {
    const options = { resolve: { x: max }, take: { y: "left" }, exclude: ["z"], equal: ["w"], retry: 1 }
    expect(joinOf(build(openSplit(), js.join("merge", options)))).toEqual({ name: "merge", options, fn: undefined })
  })

  test("join(name, fn)", () => {
    const spec = joinOf(build(openForeach(), js.join("gather", fn)))
    expect(spec).toEqual({ name: "gather", options: {}, fn })
    expect(spec.fn).toBe(fn)
  })

  test("join(name, options, fn)", () => {
    const spec = joinOf(build(openForeach(), js.join("gather", { equal: ["k"], timeout: 10 }, fn)))
    expect(spec).toEqual({ name: "gather", options: { equal: ["k"], timeout: 10 }, fn })
  })

  test("the join spec and its options are frozen copies", () => {
    const options = { resolve: { x: max }, take: { y: "left" }, exclude: ["z"], equal: ["w"] }
    const spec = joinOf(build(openSplit(), js.join("merge", options)))
    expect(Object.isFrozen(spec)).toBe(true)
    expect(Object.isFrozen(spec.options)).toBe(true)
    for (const part of [spec.options.resolve, spec.options.take, spec.options.exclude, spec.options.equal]) {
      expect(Object.isFrozen(part)).toBe(true)
    }
    options.exclude.push("late")
    options.take.y = "right"
    expect(spec.options.exclude).toEqual(["z"])
    expect(spec.options.take).toEqual({ y: "left" })
  })

  test("joining replaces the open node and leaves the open flow as it was", () => {
    const open = openSplit()
    const closed = build(open, js.join("merge"))
    expect(closed.nodes).toHaveLength(2)
    expect(closed.nodes[0]).toBe(open.nodes[0])
    expect(joinOf(open)).toBeUndefined()
    expect(joinOf(closed).name).toBe("merge")
  })
})

describe("a foreach join given split options (splitOptionInForeachJoin)", () => {
  test.each([
    ["resolve", { resolve: { y: () => 1 } }],
    ["take", { take: { y: "left" } }],
    ["exclude", { exclude: ["y"] }]
  ])("%s", (option, options) => {
    const message = splitOptionInForeachJoin("gather", option)
    expectDefinitionError(() => build(openForeach(), js.join("gather", options)), message)
    expectDefinitionError(() => build(openForeach(), js.join("gather", options, () => ({}))), message)
  })

  test("empty split options are still split options", () => {
    expectDefinitionError(
      () => build(openForeach(), js.join("gather", { exclude: [] })),
      splitOptionInForeachJoin("gather", "exclude")
    )
  })

  test("equal and the step options are fine", () => {
    const spec = joinOf(build(openForeach(), js.join("gather", { equal: ["y"], retry: 2, catch: "err" })))
    expect(spec.options).toEqual({ equal: ["y"], retry: 2, catch: "err" })
  })
})

describe("take naming a branch the split does not have (unknownBranch)", () => {
  test("an unknown branch", () => {
    expectDefinitionError(
      () => build(openSplit(), js.join("merge", { take: { x: "middle" } })),
      unknownBranch("merge", "x", "middle")
    )
  })

  test("the first unknown one, after known ones", () => {
    const take = { x: "left", y: "right", z: "Left" }
    expectDefinitionError(() => build(openSplit(), js.join("merge", { take })), unknownBranch("merge", "z", "Left"))
  })

  test("a branch of an enclosing split is not a branch of this one", () => {
    const inner = js.seq(js.split({ a: s("a"), b: s("b") }), js.join("inner", { take: { x: "left" } }))
    expectDefinitionError(
      () => build(start(), js.split({ left: inner, right: s("r") })),
      unknownBranch("inner", "x", "left")
    )
  })

  test("known branches are fine", () => {
    expect(joinOf(build(openSplit(), js.join("merge", { take: { x: "right" } }))).options.take).toEqual({ x: "right" })
  })
})

describe("the shape of each option", () => {
  test.each([
    ["resolve", { resolve: { x: 1 } }, "artiflow: join 'j': resolve must map artifact names to functions"],
    ["resolve", { resolve: [() => 1] }, "artiflow: join 'j': resolve must map artifact names to functions"],
    ["resolve", { resolve: "x" }, "artiflow: join 'j': resolve must map artifact names to functions"],
    ["take", { take: { x: 1 } }, "artiflow: join 'j': take must map artifact names to strings"],
    ["take", { take: null }, "artiflow: join 'j': take must map artifact names to strings"],
    ["exclude", { exclude: "x" }, "artiflow: join 'j': exclude must be an array of artifact names"],
    ["exclude", { exclude: [""] }, "artiflow: join 'j': exclude must be an array of artifact names"],
    ["equal", { equal: [1] }, "artiflow: join 'j': equal must be an array of artifact names"],
    ["equal", { equal: ["__proto__"] }, "artiflow: join 'j': equal must be an array of artifact names"]
  ])("%s: %j", (_, options, message) => {
    expectDefinitionError(() => js.join("j", options), message)
  })

  test("a hostile '__proto__' key in resolve is refused", () => {
    const resolve = { ["__proto__"]: () => 1 }
    expectDefinitionError(
      () => js.join("j", { resolve }),
      "artiflow: join 'j': resolve must map artifact names to functions"
    )
  })
})
