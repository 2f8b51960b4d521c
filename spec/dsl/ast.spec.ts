/**
 * What the combinators build: a frozen, `_tag`ged description and nothing else. Flows are values: extending
 * one never changes it, so a flow can be extended in two directions.
 */
import { fileURLToPath } from "node:url"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import type { FlowNode } from "../../lib/dsl/ast.js"
import { flow, foreach, join, param, split, step } from "../../lib/index.js"
import { build, js, noop, s } from "./helpers.js"

const load = () => ({ xs: [1, 2, 3], seed: 7 })
const fit = () => ({ score: 1 })
const pick = () => ({ best: 1 })

/** A flow built the typed way, with a step, a foreach, a split and their joins. */
const Train = pipe(
  flow("Train", { params: { lr: param(t.number, { default: 0.1 }) }, description: "trains" }),
  step("start", load, { retry: 1 }),
  foreach("xs", step("fit", fit, { timeout: 500 }), { concurrency: 2 }),
  join("pick", pick),
  split({ a: step("a", () => ({ y: 1 })), b: (f) => pipe(f, step("b1", () => ({ z: 1 })), step("b2", noop)) }),
  join("merge", { catch: "err" })
)

/** Every array and object reachable from a node, functions and codecs excluded. */
const partsOf = (value: unknown): ReadonlyArray<object> => {
  if (typeof value !== "object" || value === null || value instanceof t.Type) return []
  return [value, ...Object.values(value).flatMap(partsOf)]
}

describe("the AST of a flow", () => {
  test("flow(...) alone", () => {
    const f = flow("Hello")
    expect(f._tag).toBe("Flow")
    expect(f.name).toBe("Hello")
    expect(f.description).toBeUndefined()
    expect(f.nodes).toEqual([])
    expect(f.scope).toEqual({ kind: "flow", outerSteps: [], foreachDepth: 0 })
  })

  test("nodes, tags, names, options and functions", () => {
    expect(Train.description).toBe("trains")
    expect(Train.nodes).toEqual([
      { _tag: "Step", name: "start", fn: load, options: { retry: 1 } },
      {
        _tag: "Foreach",
        artifact: "xs",
        body: [{ _tag: "Step", name: "fit", fn: fit, options: { timeout: 500 } }],
        concurrency: 2,
        join: { name: "pick", options: {}, fn: pick }
      },
      {
        _tag: "Split",
        branches: [
          { name: "a", nodes: [{ _tag: "Step", name: "a", fn: expect.any(Function), options: {} }] },
          {
            name: "b",
            nodes: [
              { _tag: "Step", name: "b1", fn: expect.any(Function), options: {} },
              { _tag: "Step", name: "b2", fn: noop, options: {} }
            ]
          }
        ],
        join: { name: "merge", options: { catch: "err" }, fn: undefined }
      }
    ] satisfies ReadonlyArray<FlowNode>)
  })

  test("a foreach without concurrency, and an open split or foreach, have undefined fields", () => {
    const open = build(js.flow("F"), js.foreach("xs", s("each")))
    expect(open.nodes).toEqual([
      {
        _tag: "Foreach",
        artifact: "xs",
        body: [expect.objectContaining({ name: "each" })],
        concurrency: undefined,
        join: undefined
      }
    ])
    expect(build(js.flow("F"), js.split({ a: s("a") })).nodes[0]).toMatchObject({ _tag: "Split", join: undefined })
  })

  test("the same function object is stored, not a wrapper", () => {
    const node = Train.nodes[0]
    expect(node?._tag === "Step" && node.fn).toBe(load)
  })

  test("the source file is the file that called flow(...)", () => {
    expect(Train.sourceFile).toBe(fileURLToPath(import.meta.url))
    expect(build(Train, s("late")).sourceFile).toBe(fileURLToPath(import.meta.url))
  })
})

describe("frozen", () => {
  test("the flow, its scope, params and every node, list and option inside it", () => {
    expect(Object.isFrozen(Train)).toBe(true)
    expect(Object.isFrozen(Train.scope)).toBe(true)
    expect(Object.isFrozen(Train.params)).toBe(true)
    const parts = partsOf(Train.nodes)
    expect(parts.length).toBeGreaterThan(20)
    expect(parts.filter((part) => !Object.isFrozen(part))).toEqual([])
  })

  test("in strict mode, writing to a flow throws and changes nothing", () => {
    const f = build(js.flow("F"), s("a"))
    expect(() => (f.nodes as FlowNode[]).push(f.nodes[0] as FlowNode)).toThrow(TypeError)
    expect(() => Object.assign(f, { name: "G" })).toThrow(TypeError)
    expect(() => Object.assign(f.nodes[0] as object, { name: "b" })).toThrow(TypeError)
    expect(f.name).toBe("F")
    expect(f.nodes).toHaveLength(1)
  })

  test("branch and body scopes are frozen too", () => {
    const scopes: unknown[] = []
    const spy = (f: { readonly scope: unknown }) => (scopes.push(f.scope), f)
    build(js.flow("F"), s("a"), js.split({ l: spy }), js.join("j"), js.foreach("xs", spy), js.join("k"))
    expect(scopes).toEqual([
      { kind: "branch", outerSteps: ["a"], foreachDepth: 0 },
      { kind: "body", outerSteps: ["a", "j"], foreachDepth: 1 }
    ])
    expect(scopes.flatMap(partsOf).filter((part) => !Object.isFrozen(part))).toEqual([])
  })
})

describe("immutable: extending a flow gives a new flow", () => {
  test("the base flow is unchanged", () => {
    const base = build(js.flow("F"), s("a"))
    const nodes = base.nodes
    build(base, s("b"), js.split({ l: s("l") }), js.join("j"))
    expect(base.nodes).toBe(nodes)
    expect(base.nodes.map((node) => node._tag === "Step" && node.name)).toEqual(["a"])
  })

  test("extending twice gives two independent flows sharing the base's nodes", () => {
    const base = build(js.flow("F"), s("a"))
    const left = build(base, s("b"))
    const right = build(base, s("b"), s("c"))
    expect(left).not.toBe(right)
    expect(left.nodes.map((node) => node._tag === "Step" && node.name)).toEqual(["a", "b"])
    expect(right.nodes.map((node) => node._tag === "Step" && node.name)).toEqual(["a", "b", "c"])
    expect(left.nodes[0]).toBe(base.nodes[0])
    expect(right.nodes[0]).toBe(base.nodes[0])
  })

  test("a name taken in one extension is free in the other", () => {
    const base = build(js.flow("F"), s("a"))
    build(base, s("only-left"))
    expect(build(base, s("only-left")).nodes).toHaveLength(2)
  })

  test("an open split can be closed in two ways", () => {
    const open = build(js.flow("F"), js.split({ l: s("l"), r: s("r") }))
    const one = build(open, js.join("one"))
    const two = build(open, js.join("two", { exclude: ["x"] }), s("after"))
    expect(one.nodes[0]).toMatchObject({ join: { name: "one" } })
    expect(two.nodes[0]).toMatchObject({ join: { name: "two" } })
    expect(open.nodes[0]).toMatchObject({ join: undefined })
    expect(one.nodes).toHaveLength(1)
  })

  test("a stage value can be applied to two flows", () => {
    const stage = js.seq(s("x"), js.foreach("xs", s("each")), js.join("gather"))
    const f = build(js.flow("F"), stage)
    const g = build(js.flow("G"), s("first"), stage)
    expect(f.nodes.slice(0, 3)).toEqual(g.nodes.slice(1))
    expect(f.name).toBe("F")
    expect(g.name).toBe("G")
  })
})
