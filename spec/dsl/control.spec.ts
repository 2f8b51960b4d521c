/**
 * `choose` and `loop` as plain JavaScript builds them (DESIGN.md §8): the frozen nodes they add, and the
 * run-time twins of their compile-time rules, with the same messages.
 */
import { describe, expect, test } from "vitest"
import { choose, describeFlow, flow, loop, step } from "../../lib/index.js"
import type { ChooseNode, LoopNode } from "../../lib/dsl/ast.js"
import {
  caseOpen,
  duplicateStep,
  emptyChoose,
  invalidName,
  invalidOption,
  joinAfterChoose,
  loopBodyOpen,
  stageAfterOpen
} from "../../lib/types/messages.js"
import { build, expectDefinitionError, js, s } from "./helpers.js"

const start = () => build(js.flow("F"), js.step("start", () => ({ size: "big", xs: [1, 2], w: 0 })))
const until = () => true

describe("choose builds one node with a case per value", () => {
  test("cases keep their keys, in order, with their nodes; the node is frozen", () => {
    const f = build(start(), js.choose("size", { big: s("shard"), small: (g: unknown) => g, 1: s("one") }))
    const node = f.nodes[1] as ChooseNode
    expect(node._tag).toBe("Choose")
    expect(node.selector).toBe("size")
    // Integer-like keys come first in any JavaScript object; cases keep the object's own order.
    expect(node.cases.map((c) => [c.name, c.nodes.map((n) => (n as { name?: string }).name)])).toEqual([
      ["1", ["one"]],
      ["big", ["shard"]],
      ["small", []]
    ])
    expect(Object.isFrozen(node)).toBe(true)
    expect(Object.isFrozen(node.cases)).toBe(true)
  })

  test("the graph records the selector, its id and the cases", () => {
    const f = build(start(), js.choose("size", { big: s("a") }), js.choose("size", { big: s("b") }), js.choose("w", { 0: s("c") }))
    expect(describeFlow(f).nodes.slice(1)).toEqual([
      { kind: "choose", id: "size", selector: "size", cases: [{ name: "big", nodes: [{ kind: "step", name: "a", options: {} }] }] },
      { kind: "choose", id: "size#2", selector: "size", cases: [{ name: "big", nodes: [{ kind: "step", name: "b", options: {} }] }] },
      { kind: "choose", id: "w", selector: "w", cases: [{ name: "0", nodes: [{ kind: "step", name: "c", options: {} }] }] }
    ])
  })

  test("step names must be unique across cases and with the flow", () => {
    expectDefinitionError(() => build(start(), js.choose("size", { big: s("work"), small: s("work") })), duplicateStep("work"))
    expectDefinitionError(() => build(start(), js.choose("size", { big: s("start") })), duplicateStep("start"))
    expectDefinitionError(() => build(start(), js.choose("size", { big: s("a") }), s("a")), duplicateStep("a"))
  })

  test("a case left open, no case at all, cases that are not an object", () => {
    expectDefinitionError(() => build(start(), js.choose("size", { big: js.foreach("xs", s("each")) })), caseOpen("size", "big", "foreach"))
    expectDefinitionError(() => js.choose("size", {}), emptyChoose("size"))
    expectDefinitionError(
      () => js.choose("size", [s("a")]),
      `artiflow: choose on 'size' takes an object of cases: choose("size", { value: stage, ... })`
    )
    expectDefinitionError(() => js.choose("", { a: s("a") }), `artiflow: choose needs the name of the artifact to choose on (received "")`)
    expectDefinitionError(
      () => build(start(), js.choose("size", { big: 42 })),
      "artiflow: choose on 'size': case 'big' is not a stage: pass a combinator such as step(...), or (f) => pipe(f, ...)"
    )
  })

  test("not directly after an open split; a join right after it says a choose needs none", () => {
    const open = () => build(start(), js.split({ a: s("a") }))
    expectDefinitionError(() => build(open(), js.choose("size", { big: s("b") })), stageAfterOpen("choose on 'size'", "split"))
    expectDefinitionError(() => build(start(), js.choose("size", { big: s("b") }), js.join("j")), joinAfterChoose("j", "size"))
  })

  test("the typed combinator builds the same node", () => {
    const typed = flow("T").pipe(
      step("start", () => ({ ok: true })),
      choose("ok", { true: step("yes", () => ({})), false: (f) => f })
    )
    expect((typed.nodes[1] as ChooseNode).cases.map((c) => c.name)).toEqual(["true", "false"])
  })
})

describe("loop builds one node with its body", () => {
  test("name, body, until and the default cap", () => {
    const f = build(start(), js.loop("fit", js.seq(s("update"), s("evaluate")), { until }))
    const node = f.nodes[1] as LoopNode
    expect(node).toMatchObject({ _tag: "Loop", name: "fit", maxIterations: 100, until })
    expect(node.body.map((n) => (n as { name: string }).name)).toEqual(["update", "evaluate"])
    expect(Object.isFrozen(node)).toBe(true)
    expect(describeFlow(f).nodes[1]).toEqual({
      kind: "loop",
      name: "fit",
      maxIterations: 100,
      body: [
        { kind: "step", name: "update", options: {} },
        { kind: "step", name: "evaluate", options: {} }
      ]
    })
  })

  test("the loop's name is unique among step names, inside its body too", () => {
    expectDefinitionError(() => build(start(), js.loop("start", s("a"), { until })), duplicateStep("start"))
    expectDefinitionError(() => build(start(), js.loop("fit", s("fit"), { until })), duplicateStep("fit"))
    expectDefinitionError(() => build(start(), js.loop("fit", s("a"), { until }), s("fit")), duplicateStep("fit"))
    expectDefinitionError(() => build(start(), js.loop("fit", s("a"), { until }), s("a")), duplicateStep("a"))
  })

  test("options: until is a function, maxIterations an integer >= 1", () => {
    expectDefinitionError(() => js.loop("fit", s("a")), invalidOption("loop 'fit'", "options", "an object with until: (a) => boolean", undefined))
    expectDefinitionError(() => js.loop("fit", s("a"), {}), invalidOption("loop 'fit'", "until", "a function (a) => boolean", undefined))
    for (const bad of [0, 1.5, -1, "3", Number.POSITIVE_INFINITY]) {
      expectDefinitionError(
        () => js.loop("fit", s("a"), { until, maxIterations: bad }),
        invalidOption("loop 'fit'", "maxIterations", "an integer >= 1", bad)
      )
    }
    const f = build(start(), js.loop("fit", s("a"), { until, maxIterations: 3 }))
    expect((f.nodes[1] as LoopNode).maxIterations).toBe(3)
  })

  test("a name, a body left open, a loop directly after an open foreach", () => {
    expectDefinitionError(() => js.loop("_fit", s("a"), { until }), invalidName("loop", "_fit"))
    expectDefinitionError(() => build(start(), js.loop("fit", js.split({ a: s("a") }), { until })), loopBodyOpen("fit", "split"))
    const open = build(start(), js.foreach("xs", s("each")))
    expectDefinitionError(() => build(open, js.loop("fit", s("a"), { until })), stageAfterOpen("loop 'fit'", "foreach"))
  })

  test("nested: a choose in a loop in a foreach body, a loop in a case", () => {
    const f = build(
      start(),
      js.foreach("xs", js.loop("inner", js.seq(s("a"), js.choose("size", { big: s("b"), small: js.loop("deep", s("c"), { until }) })), { until })),
      js.join("j")
    )
    const graph = describeFlow(f)
    expect(JSON.stringify(graph)).toContain('"kind":"loop","name":"deep"')
  })

  test("the typed combinator builds the same node", () => {
    const typed = flow("T").pipe(
      step("start", () => ({ w: 0 })),
      loop("fit", step("update", (a) => ({ w: a.w + 1 })), { until: (a) => a.w > 2, maxIterations: 5 })
    )
    expect((typed.nodes[1] as LoopNode).maxIterations).toBe(5)
  })
})
