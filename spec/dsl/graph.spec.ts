/**
 * `describeFlow`: the graph stored with every run and drawn by the CLI, the AST's second interpreter. Plain
 * JSON: names, kinds and options, never functions or codecs.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { describeFlow, flow, foreach, join, param, split, step, subflow, use } from "../../lib/index.js"
import type { FlowGraph } from "../../lib/index.js"
import { build, js, s } from "./helpers.js"

const report = subflow({ best: t.number }, (f) => pipe(f, step("report", (a) => ({ text: `${a.best}` }), { retry: 3 })))

const Train = pipe(
  flow("Train", { params: { lr: param(t.number, { default: 0.1 }) } }),
  step("start", (a) => ({ grid: [a.lr, a.lr / 10], seed: 42, x: 0 }), { retry: 2, timeout: 1000 }),
  foreach(
    "grid",
    (f) =>
      pipe(
        f,
        step("fit", (a, ctx) => ({ score: ctx.input * a.seed })),
        step("check", () => ({ ok: true }), { catch: "checkError" })
      ),
    { concurrency: 4 }
  ),
  join("pick", (inputs) => ({ best: Math.max(...inputs.map((i) => i.score)) })),
  split({
    left: step("l", (a) => ({ x: a.best + 1, y: 1, z: 1 })),
    right: (f) => pipe(f, step("r1", (a) => ({ x: a.best + 2, y: 2, z: 2 })), use(report))
  }),
  join("merge", { resolve: { x: (xs) => xs.left + xs.right }, take: { y: "left" }, exclude: ["z"], timeout: 50 }),
  step("end", (a) => ({ done: a.x }))
)

describe("describeFlow", () => {
  test("a flow with a foreach, a split and a subflow", () => {
    expect(describeFlow(Train)).toEqual({
      nodes: [
        { kind: "step", name: "start", options: { retry: 2, timeout: 1000 } },
        {
          kind: "foreach",
          artifact: "grid",
          concurrency: 4,
          body: [
            { kind: "step", name: "fit", options: {} },
            { kind: "step", name: "check", options: { catch: "checkError" } }
          ],
          join: { name: "pick", hasFunction: true }
        },
        {
          kind: "split",
          branches: [
            { name: "left", nodes: [{ kind: "step", name: "l", options: {} }] },
            {
              name: "right",
              nodes: [
                { kind: "step", name: "r1", options: {} },
                { kind: "step", name: "report", options: { retry: 3 } }
              ]
            }
          ],
          join: { name: "merge", resolve: ["x"], take: { y: "left" }, exclude: ["z"], timeout: 50, hasFunction: false }
        },
        { kind: "step", name: "end", options: {} }
      ]
    } satisfies FlowGraph)
  })

  test("is plain JSON: it survives a round trip unchanged", () => {
    const graph = describeFlow(Train)
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph)
    expect(JSON.stringify(graph)).not.toContain("function")
  })

  test("is not tied to the AST: changing it changes no flow", () => {
    const graph = describeFlow(Train) as unknown as { nodes: Array<{ options?: { retry?: number } }> }
    const first = graph.nodes[0]
    if (first?.options) first.options.retry = 99
    expect(describeFlow(Train).nodes[0]).toEqual({ kind: "step", name: "start", options: { retry: 2, timeout: 1000 } })
  })

  test("a foreach join with equal, catch and retry; no concurrency key when none was given", () => {
    const f = build(
      js.flow("F"),
      js.step("start", () => ({ xs: [1] })),
      js.foreach("xs", s("each")),
      js.join("gather", { equal: ["k"], catch: "err", retry: 1 }, () => ({}))
    )
    expect(describeFlow(f)).toEqual({
      nodes: [
        { kind: "step", name: "start", options: {} },
        {
          kind: "foreach",
          artifact: "xs",
          body: [{ kind: "step", name: "each", options: {} }],
          join: { name: "gather", equal: ["k"], retry: 1, catch: "err", hasFunction: true }
        }
      ]
    })
  })

  test("nested: a split inside a foreach body inside a branch", () => {
    const body = js.seq(js.split({ p: s("p") }), js.join("pj"))
    const f = build(js.flow("F"), js.split({ b: js.seq(js.foreach("xs", body), js.join("fj")) }), js.join("bj"))
    expect(describeFlow(f)).toEqual({
      nodes: [
        {
          kind: "split",
          branches: [
            {
              name: "b",
              nodes: [
                {
                  kind: "foreach",
                  artifact: "xs",
                  body: [
                    {
                      kind: "split",
                      branches: [{ name: "p", nodes: [{ kind: "step", name: "p", options: {} }] }],
                      join: { name: "pj", hasFunction: false }
                    }
                  ],
                  join: { name: "fj", hasFunction: false }
                }
              ]
            }
          ],
          join: { name: "bj", hasFunction: false }
        }
      ]
    })
  })

  test("an empty flow has no nodes", () => {
    expect(describeFlow(flow("Empty"))).toEqual({ nodes: [] })
  })
})
