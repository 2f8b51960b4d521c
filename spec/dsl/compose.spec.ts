/**
 * Composition: `Flow#pipe` and `seq` build exactly what nesting the stages builds, and `subflow`/`use` inline
 * a fragment's nodes in a `Use` node that keeps the codecs of what it needs.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { flow, foreach, join, seq, split, step, subflow, use } from "../../lib/index.js"
import { build, js, noop, s } from "./helpers.js"

const load = () => ({ xs: [1, 2, 3] })
const stages = [
  js.step("start", load),
  js.foreach("xs", s("fit")),
  js.join("pick"),
  js.split({ a: s("a"), b: js.seq(s("b1"), s("b2")) }),
  js.join("merge"),
  s("end")
] as const

const nested = () => stages.reduce<unknown>((f, stage) => stage(f as never), js.flow("F"))

describe("Flow#pipe", () => {
  test("equals applying the stages one after the other", () => {
    expect(js.flow("F").pipe(...stages)).toEqual(nested())
  })

  test("equals fp-ts pipe, typed", () => {
    const stage = step("start", load)
    expect(flow("F").pipe(stage, step("end", noop))).toEqual(pipe(flow("F"), stage, step("end", noop)))
  })

  test("in several calls", () => {
    const [a, b, c, d, e, f] = stages
    expect(js.flow("F").pipe(a, b).pipe(c, d, e).pipe(f)).toEqual(nested())
  })

  test("takes more than 19 stages at run time", () => {
    const many = Array.from({ length: 40 }, (_, i) => s(`s${i}`))
    expect(js.flow("F").pipe(...many).nodes).toHaveLength(40)
  })

  test("with no stage returns the flow itself", () => {
    const f = js.flow("F")
    expect(f.pipe()).toBe(f)
  })

  test("inside a branch and a foreach body", () => {
    const branch = (f: { pipe: (...stages: unknown[]) => unknown }) => f.pipe(s("a1"), s("a2"))
    const viaPipe = build(js.flow("F"), js.split({ a: branch }))
    const viaSeq = build(js.flow("F"), js.split({ a: js.seq(s("a1"), s("a2")) }))
    expect(viaPipe).toEqual(viaSeq)
  })
})

describe("seq", () => {
  test("equals the stages in place", () => {
    const [a, b, c, d, e, f] = stages
    expect(build(js.flow("F"), js.seq(a, b, c), js.seq(d, e), f)).toEqual(nested())
  })

  test("nests", () => {
    const [a, b, c, d, e, f] = stages
    expect(build(js.flow("F"), js.seq(a, js.seq(b, js.seq(c, d)), js.seq(e, f)))).toEqual(nested())
  })

  test("of nothing adds nothing", () => {
    const f = js.flow("F")
    expect(js.seq()(f as never)).toBe(f)
  })

  test("typed, past the 20 arguments of fp-ts pipe", () => {
    const prepare = seq(
      step("load", load),
      step("clean", (a) => ({ xs: a.xs.filter((x) => x > 1) }))
    )
    const Etl = pipe(flow("Etl"), prepare, step("end", (a) => ({ n: a.xs.length })))
    expect(Etl.nodes.map((node) => node._tag === "Step" && node.name)).toEqual(["load", "clean", "end"])
  })
})

describe("subflow and use", () => {
  const normalize = subflow({ xs: t.array(t.number) }, (f) =>
    pipe(f, step("normalize", (a) => ({ xs: a.xs.map((x) => x / Math.max(...a.xs)) })))
  )

  test("use inlines the fragment's nodes in a Use node with the needs' codecs", () => {
    const F = pipe(flow("F"), step("start", load), use(normalize), step("end", noop))
    expect(F.nodes).toEqual([
      { _tag: "Step", name: "start", fn: load, options: {} },
      {
        _tag: "Use",
        needs: { xs: expect.any(t.Type) },
        nodes: [{ _tag: "Step", name: "normalize", fn: expect.any(Function), options: {} }]
      },
      { _tag: "Step", name: "end", fn: noop, options: {} }
    ])
    const used = F.nodes[1]
    expect(used?._tag === "Use" && used.needs?.["xs"]?.name).toBe("Array<number>")
    expect(used?._tag === "Use" && Object.isFrozen(used.needs)).toBe(true)
  })

  test("the fragment keeps a frozen copy of the needs", () => {
    const needs: Record<string, t.Mixed> = { n: t.number }
    const fragment = js.subflow(needs, (f: never) => build(f, s("x")))
    needs["late"] = t.string
    expect(fragment._tag).toBe("Subflow")
    expect(fragment.needs).toEqual({ n: t.number })
    expect(Object.isFrozen(fragment.needs)).toBe(true)
    expect(Object.isFrozen(fragment)).toBe(true)
  })

  test("subflow<Needs>()(build) has no codecs to check at run time", () => {
    const scale = subflow<{ readonly xs: ReadonlyArray<number> }>()((f) =>
      pipe(f, step("scale", (a) => ({ ys: a.xs.map((x) => x * 2) })))
    )
    const F = pipe(flow("F"), step("start", load), use(scale))
    expect(F.nodes[1]).toEqual({
      _tag: "Use",
      needs: undefined,
      nodes: [{ _tag: "Step", name: "scale", fn: expect.any(Function), options: {} }]
    })
  })

  test("a fragment with a split and a foreach inside, used in a branch", () => {
    const inner = js.subflow()((f: never) =>
      build(f, js.split({ p: s("p"), q: s("q") }), js.join("pq"), js.foreach("xs", s("each")), js.join("all"))
    )
    const F = build(js.flow("F"), js.step("start", load), js.split({ l: js.use(inner), r: s("r") }), js.join("m"))
    const l = js.seq(js.split({ p: s("p"), q: s("q") }), js.join("pq"), js.foreach("xs", s("each")), js.join("all"))
    const direct = build(js.flow("F"), js.step("start", load), js.split({ l, r: s("r") }), js.join("m"))
    const [start, used] = F.nodes
    expect(start).toEqual(direct.nodes[0])
    const usedBranch = used?._tag === "Split" ? used.branches[0]?.nodes[0] : undefined
    const directBranch = direct.nodes[1]?._tag === "Split" ? direct.nodes[1].branches[0]?.nodes : undefined
    expect(usedBranch).toEqual({ _tag: "Use", needs: undefined, nodes: directBranch })
  })

  test("a fragment is rebuilt at each use: two flows get distinct nodes sharing the needs", () => {
    const one = pipe(flow("One"), step("start", load), use(normalize)).nodes[1]
    const two = pipe(flow("Two"), step("begin", load), use(normalize)).nodes[1]
    const expected = {
      _tag: "Use",
      needs: normalize.needs,
      nodes: [{ _tag: "Step", name: "normalize", fn: expect.any(Function), options: {} }]
    }
    expect(one).toEqual(expected)
    expect(two).toEqual(expected)
    expect(one).not.toBe(two)
    expect(one?._tag === "Use" && one.needs).toBe(normalize.needs)
  })

  test("typed composition: split, foreach and join through the public API", () => {
    const F = pipe(
      flow("F"),
      step("start", load),
      split({ a: step("a", () => ({ y: 1 })), b: step("b", () => ({ z: 2 })) }),
      join("ab"),
      foreach("xs", step("each", (_, ctx) => ({ w: ctx.input }))),
      join("all")
    )
    expect(F.nodes.map((node) => node._tag)).toEqual(["Step", "Split", "Foreach"])
  })
})
