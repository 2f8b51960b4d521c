/**
 * Step names are unique in a flow (DESIGN §3.9): in one scope, across split branches, between a branch or a
 * foreach body and the flow around it, inside subflows, and for join names.
 */
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { duplicateStep } from "../../lib/types/messages.js"
import { build, expectDefinitionError, js, s } from "./helpers.js"

const start = () => build(js.flow("F"), js.step("start", () => ({ xs: [1, 2] })))

describe("in one scope", () => {
  test("two steps with one name", () => {
    expectDefinitionError(() => build(start(), s("a"), s("a")), duplicateStep("a"))
  })

  test("a step named like the first step, further down", () => {
    expectDefinitionError(() => build(start(), s("a"), s("b"), s("start")), duplicateStep("start"))
  })

  test("names differing only in case are different names", () => {
    expect(build(start(), s("a"), s("A")).nodes).toHaveLength(3)
  })

  test("the same step stage applied twice", () => {
    const a = s("a")
    expectDefinitionError(() => build(start(), a, a), duplicateStep("a"))
  })
})

describe("split branches", () => {
  test("one name in two branches", () => {
    expectDefinitionError(() => build(start(), js.split({ l: s("x"), r: s("x") })), duplicateStep("x"))
  })

  test("one name in two branches, deeper in each", () => {
    const left = js.seq(s("l1"), s("shared"))
    const right = js.seq(s("shared"), s("r2"))
    expectDefinitionError(() => build(start(), js.split({ left, right })), duplicateStep("shared"))
  })

  test("a branch step named like a step before the split", () => {
    expectDefinitionError(() => build(start(), js.split({ l: s("start") })), duplicateStep("start"))
  })

  test("a step after the join named like a branch step", () => {
    const merged = build(start(), js.split({ l: s("left"), r: s("right") }), js.join("merge"))
    expectDefinitionError(() => build(merged, s("right")), duplicateStep("right"))
  })

  test("a nested join in one branch named like a step of another branch", () => {
    const left = js.seq(js.split({ p: s("p"), q: s("q") }), js.join("m"))
    expectDefinitionError(() => build(start(), js.split({ left, right: s("m") })), duplicateStep("m"))
  })

  test("a nested branch named like a step of the outer flow", () => {
    const left = js.seq(s("l"), js.split({ p: s("start") }), js.join("m"))
    expectDefinitionError(() => build(start(), js.split({ left })), duplicateStep("start"))
  })

  test("a split stage applied twice", () => {
    const branches = js.split({ l: s("l") })
    const twice = js.seq(branches, js.join("j1"), branches)
    expectDefinitionError(() => build(start(), twice), duplicateStep("l"))
  })
})

describe("foreach bodies", () => {
  test("a body step named like a step before the foreach", () => {
    expectDefinitionError(() => build(start(), js.foreach("xs", s("start"))), duplicateStep("start"))
  })

  test("two body steps with one name", () => {
    expectDefinitionError(() => build(start(), js.foreach("xs", js.seq(s("b"), s("b")))), duplicateStep("b"))
  })

  test("a step after the join named like a body step", () => {
    const joined = build(start(), js.foreach("xs", s("body")), js.join("gather"))
    expectDefinitionError(() => build(joined, s("body")), duplicateStep("body"))
  })

  test("a nested foreach body named like the outer body", () => {
    const body = js.seq(js.step("outer", () => ({ ys: [1] })), js.foreach("ys", s("outer")))
    expectDefinitionError(() => build(start(), js.foreach("xs", body)), duplicateStep("outer"))
  })

  test("a foreach inside a branch, named like another branch's step", () => {
    const left = js.seq(js.foreach("xs", s("each")), js.join("gather"))
    expectDefinitionError(() => build(start(), js.split({ left, right: s("each") })), duplicateStep("each"))
  })
})

describe("join names", () => {
  test("a split join named like a step before the split", () => {
    expectDefinitionError(() => build(start(), js.split({ l: s("l") }), js.join("start")), duplicateStep("start"))
  })

  test("a split join named like a branch step", () => {
    expectDefinitionError(() => build(start(), js.split({ l: s("l") }), js.join("l")), duplicateStep("l"))
  })

  test("a foreach join named like a body step", () => {
    expectDefinitionError(() => build(start(), js.foreach("xs", s("b")), js.join("b")), duplicateStep("b"))
  })

  test("a step named like an earlier join", () => {
    const joined = build(start(), js.foreach("xs", s("b")), js.join("gather"))
    expectDefinitionError(() => build(joined, s("gather")), duplicateStep("gather"))
  })

  test("two joins with one name", () => {
    const joined = build(start(), js.split({ l: s("l") }), js.join("j"))
    expectDefinitionError(() => build(joined, js.split({ r: s("r") }), js.join("j")), duplicateStep("j"))
  })

  test("an inner join named like the outer join is caught when the outer one closes", () => {
    const body = js.seq(js.step("inner", () => ({ ys: [1] })), js.foreach("ys", s("leaf")), js.join("j"))
    expectDefinitionError(() => build(start(), js.foreach("xs", body), js.join("j")), duplicateStep("j"))
  })
})

describe("subflows used in a flow", () => {
  const fragment = js.subflow({ xs: t.array(t.number) }, (f: never) => build(f, s("normalize"), s("scale")))

  test("a fragment step named like a step of the flow", () => {
    expectDefinitionError(() => build(start(), s("scale"), js.use(fragment)), duplicateStep("scale"))
  })

  test("the same fragment used twice", () => {
    expectDefinitionError(() => build(start(), js.use(fragment), js.use(fragment)), duplicateStep("normalize"))
  })

  test("a step after the use named like a fragment step", () => {
    expectDefinitionError(() => build(start(), js.use(fragment), s("normalize")), duplicateStep("normalize"))
  })

  test("a fragment with a duplicate of its own", () => {
    const own = js.subflow()((f: never) => build(f, s("x"), s("x")))
    expectDefinitionError(() => build(start(), js.use(own)), duplicateStep("x"))
  })

  test("a fragment used inside a branch, named like a step before the split", () => {
    const clash = js.subflow()((f: never) => build(f, s("start")))
    expectDefinitionError(() => build(start(), js.split({ l: js.use(clash) })), duplicateStep("start"))
  })

  test("a fragment used in two branches", () => {
    expectDefinitionError(
      () => build(start(), js.split({ l: js.use(fragment), r: js.use(fragment) })),
      duplicateStep("normalize")
    )
  })

  test("a fragment used in two flows is fine in each", () => {
    const one = build(start(), js.use(fragment))
    const two = build(js.flow("G"), s("load"), js.use(fragment))
    expect(one.nodes[1]).toEqual(two.nodes[1])
    expect(one.nodes[1]).not.toBe(two.nodes[1])
  })
})
