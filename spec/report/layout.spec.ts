/** `layoutGraph`: positions for the SVG, deterministic and pure. */
import { describe, expect, test } from "vitest"
import { layoutGraph } from "../../lib/report/layout.js"
import type { LayoutNode } from "../../lib/report/layout.js"
import { edgeGraph, HOSTILE, trainGraph, twoSteps } from "./graphs.js"

const byId = (nodes: ReadonlyArray<LayoutNode>, id: string): LayoutNode => {
  const node = nodes.find((n) => n.id === id)
  if (node === undefined) throw new Error(`no node ${id}`)
  return node
}

describe("layoutGraph", () => {
  test("two steps: exact positions", () => {
    expect(layoutGraph(twoSteps)).toEqual({
      nodes: [
        { id: "a", kind: "step", label: "a", step: "a", x: 20, y: 20, width: 120, height: 40 },
        { id: "b", kind: "step", label: "b", step: "b", x: 20, y: 100, width: 120, height: 40 }
      ],
      edges: [
        {
          from: "a",
          to: "b",
          points: [
            { x: 80, y: 60 },
            { x: 80, y: 100 }
          ]
        }
      ],
      width: 160,
      height: 160
    })
  })

  test("the README flow: markers, branches side by side, joins below, a fan-out badge", () => {
    const layout = layoutGraph(trainGraph, { taskCounts: new Map([["fit", 3]]) })
    expect(layout.nodes.map((n) => [n.id, n.kind, n.x, n.y, n.badge])).toEqual([
      ["start", "step", 92, 20, undefined],
      ["foreach:pick", "foreach", 83, 100, "×3"],
      ["fit", "step", 92, 166, undefined],
      ["pick", "join", 92, 246, undefined],
      ["split:merge", "split", 120, 326, undefined],
      ["l", "step", 20, 392, undefined],
      ["r1", "step", 164, 392, undefined],
      ["r2", "step", 164, 472, undefined],
      ["merge", "join", 92, 552, undefined],
      ["end", "step", 92, 632, undefined]
    ])
    expect(layout.edges.map((e) => `${e.from}->${e.to}${e.label === undefined ? "" : `:${e.label.text}`}`)).toEqual([
      "start->foreach:pick",
      "foreach:pick->fit",
      "fit->pick",
      "pick->split:merge",
      "split:merge->l:left",
      "l->merge",
      "split:merge->r1:right",
      "r1->r2",
      "r2->merge",
      "merge->end"
    ])
    expect([layout.width, layout.height]).toEqual([304, 692])
    for (const node of layout.nodes) {
      expect(
        node.x >= 0 && node.y >= 0 && node.x + node.width <= layout.width && node.y + node.height <= layout.height
      ).toBe(true)
    }
    // A short branch runs straight down to the bottom of the longest one, then bends to the join.
    expect(layout.edges.find((e) => e.from === "l")?.points).toEqual([
      { x: 80, y: 432 },
      { x: 80, y: 512 },
      { x: 152, y: 552 }
    ])
    // Labels sit on the side away from where their edge comes from.
    const left = layout.edges.find((e) => e.to === "l")?.label
    const right = layout.edges.find((e) => e.to === "r1")?.label
    expect([left?.anchor, right?.anchor]).toEqual(["end", "start"])
  })

  test("edges run from the source's bottom centre to the target's top centre", () => {
    const layout = layoutGraph(trainGraph)
    for (const edge of layout.edges) {
      const from = byId(layout.nodes, edge.from)
      const to = byId(layout.nodes, edge.to)
      expect(edge.points[0]).toEqual({ x: from.x + from.width / 2, y: from.y + from.height })
      expect(edge.points.at(-1)).toEqual({ x: to.x + to.width / 2, y: to.y })
    }
  })

  test("an empty branch is an edge down its own column; without counts there is no badge", () => {
    const layout = layoutGraph(edgeGraph)
    expect(byId(layout.nodes, "foreach:outer")).toMatchObject({ label: `foreach ${HOSTILE}` })
    expect(byId(layout.nodes, "foreach:outer").badge).toBeUndefined()
    const empty = layout.edges.find((e) => e.label?.text === "empty")
    expect(empty?.points).toEqual([
      { x: 175.5, y: 112 },
      { x: 103.5, y: 152 },
      { x: 103.5, y: 192 },
      { x: 175.5, y: 232 }
    ])
  })

  test("deterministic and pure: the same input gives the same layout, the graph is not touched", () => {
    const before = JSON.stringify(trainGraph)
    expect(layoutGraph(trainGraph)).toEqual(layoutGraph(trainGraph))
    expect(JSON.stringify(trainGraph)).toBe(before)
    expect(layoutGraph({ nodes: [] })).toEqual({ nodes: [], edges: [], width: 40, height: 40 })
  })
})
