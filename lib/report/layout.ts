/**
 * Lays a stored flow graph out as a top-down DAG for drawing. The graph is series-parallel (a sequence of
 * steps, splits, foreaches, chooses and loops), so a block layout is exact: a sequence stacks its blocks, a
 * split puts its branches side by side between a split marker and its join, a foreach draws its body once
 * between a fan-out marker (with a "×N" badge) and its join, a choose puts its cases side by side between a
 * choose marker and the circle where they meet, a loop draws its body once between a loop marker (with its
 * iteration count) and the loop's node, with an edge back up its right side. Pure and deterministic.
 */
import type { FlowGraph, GraphNode } from "../datastore/Manifest.js"
import { chooseRecordName } from "../dsl/chooseIds.js"
import { caseTaken, firstStepName } from "./describe.js"

/**
 * What a drawn node stands for: a step, a join, a split point, a foreach fan-out, a choose point, the circle
 * where a choose's cases meet, a loop's start, or the loop itself (where `until` decides: its record).
 */
export type LayoutNodeKind = "step" | "join" | "split" | "foreach" | "choose" | "merge" | "repeat" | "loop"

/** A positioned node; `x`, `y` is its top-left corner. */
export interface LayoutNode {
  /**
   * Unique: the step, join or loop name, or `split:<join>`, `foreach:<join>`, `choose:<id>`, `merge:<id>`,
   * `repeat:<loop>` for markers (step names have no ':').
   */
  readonly id: string
  readonly kind: LayoutNodeKind
  readonly label: string
  /** For steps, joins and loops: the step name, the key of status maps. */
  readonly step?: string
  /** For a foreach whose task count is known: "×N"; for a loop's start whose iterations are known: "↻N". */
  readonly badge?: string
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** A point in layout coordinates. */
export interface Point {
  readonly x: number
  readonly y: number
}

/** An edge, as a path from the source's bottom centre, through optional waypoints, to the target's top centre. */
export interface LayoutEdge {
  readonly from: string
  readonly to: string
  readonly points: ReadonlyArray<Point>
  /**
   * A branch name, drawn just above where the edge enters its branch, on the side away from where the edge
   * comes from (`anchor` is the SVG text-anchor: "start" to the right of `x`, "end" to its left).
   */
  readonly label?: { readonly text: string; readonly x: number; readonly y: number; readonly anchor: "start" | "end" }
  /** "taken": into a case a choose took; "back": a loop's edge from its end back to its start (drawn straight). */
  readonly style?: "taken" | "back"
}

/** A whole laid-out graph; every coordinate lies within `width` × `height`. */
export interface Layout {
  readonly nodes: ReadonlyArray<LayoutNode>
  readonly edges: ReadonlyArray<LayoutEdge>
  readonly width: number
  readonly height: number
}

/** Options of {@link layoutGraph}. */
export interface LayoutOptions {
  /** Task count per step name; a foreach's badge shows the count of the first step of its body. */
  readonly taskCounts?: ReadonlyMap<string, number>
  /** By choose id: how many times each case was taken (labels say it; edges into taken cases stand out). */
  readonly cases?: ReadonlyMap<string, ReadonlyMap<string, number>>
  /** By loop name: how many iterations ran (the loop's start shows it). */
  readonly iterations?: ReadonlyMap<string, number>
}

/** Sizes, in SVG user units. */
export const LAYOUT = {
  stepHeight: 40,
  markerHeight: 26,
  gapY: 40,
  gapX: 24,
  margin: 20,
  emptyBranchWidth: 48,
  labelOffset: 7,
  mergeSize: 14,
  /** Room on a loop's right for its edge back up. */
  backEdgeGap: 18
} as const

const STEP_CHAR = 8
const MARKER_CHAR = 7

interface PendingEdge {
  readonly from: string
  readonly to: string
  readonly label?: string
  readonly via: ReadonlyArray<Point>
  readonly style?: "taken" | "back"
}

interface Block {
  readonly width: number
  readonly height: number
  readonly nodes: ReadonlyArray<LayoutNode>
  readonly edges: ReadonlyArray<PendingEdge>
  readonly entry: string
  readonly exit: string
}

type Unplaced = Omit<LayoutNode, "x" | "y">

const shift = (block: Block, dx: number, dy: number): Block => ({
  ...block,
  nodes: block.nodes.map((node) => ({ ...node, x: node.x + dx, y: node.y + dy })),
  edges: block.edges.map((edge) => ({ ...edge, via: edge.via.map((p) => ({ x: p.x + dx, y: p.y + dy })) }))
})

const single = (node: Unplaced): Block => ({
  width: node.width,
  height: node.height,
  nodes: [{ ...node, x: 0, y: 0 }],
  edges: [],
  entry: node.id,
  exit: node.id
})

const stepNode = (name: string, kind: "step" | "join" | "loop"): Unplaced => ({
  id: name,
  kind,
  label: name,
  step: name,
  width: Math.max(120, name.length * STEP_CHAR + 32),
  height: LAYOUT.stepHeight
})

const mergeNode = (id: string): Unplaced => ({
  id,
  kind: "merge",
  label: "",
  width: LAYOUT.mergeSize,
  height: LAYOUT.mergeSize
})

const markerNode = (id: string, kind: "split" | "foreach" | "choose" | "repeat", label: string, badge?: string): Unplaced => ({
  id,
  kind,
  label,
  ...(badge !== undefined && { badge }),
  width: Math.max(64, label.length * MARKER_CHAR + 24 + (badge === undefined ? 0 : badge.length * MARKER_CHAR + 16)),
  height: LAYOUT.markerHeight
})

const sequence = (blocks: ReadonlyArray<Block>): Block | undefined => {
  if (blocks.length === 0) return undefined
  const width = Math.max(...blocks.map((block) => block.width))
  const nodes: Array<LayoutNode> = []
  const edges: Array<PendingEdge> = []
  let y = 0
  blocks.forEach((block, i) => {
    const placed = shift(block, (width - block.width) / 2, y)
    const previous = blocks[i - 1]
    if (previous !== undefined) edges.push({ from: previous.exit, to: block.entry, via: [] })
    nodes.push(...placed.nodes)
    edges.push(...placed.edges)
    y += block.height + LAYOUT.gapY
  })
  const first = blocks[0] as Block
  const last = blocks.at(-1) as Block
  return { width, height: y - LAYOUT.gapY, nodes, edges, entry: first.entry, exit: last.exit }
}

interface Lane {
  readonly label?: string
  readonly block: Block | undefined
  /** The edge into the lane stands out (a case a choose took). */
  readonly taken?: boolean
}

/** A short lane's exit edge runs straight down its column to the bottom of the lanes, then bends to the join. */
const downTo = (lane: Block, bottom: number): ReadonlyArray<Point> => {
  const exit = lane.nodes.find((node) => node.id === lane.exit) as LayoutNode
  return exit.y + exit.height < bottom ? [{ x: exit.x + exit.width / 2, y: bottom }] : []
}

/** A marker, lanes side by side, and the join below them; an empty lane is an edge straight down its column. */
const fork = (marker: Unplaced, lanes: ReadonlyArray<Lane>, join: Unplaced): Block => {
  const widths = lanes.map((lane) => lane.block?.width ?? LAYOUT.emptyBranchWidth)
  const inner = widths.reduce((sum, w) => sum + w, 0) + LAYOUT.gapX * Math.max(0, lanes.length - 1)
  const width = Math.max(inner, marker.width, join.width)
  const top = marker.height + LAYOUT.gapY
  const laneHeight = Math.max(20, ...lanes.map((lane) => lane.block?.height ?? 0))
  const joinY = top + laneHeight + LAYOUT.gapY
  const nodes: Array<LayoutNode> = [{ ...marker, x: (width - marker.width) / 2, y: 0 }]
  const edges: Array<PendingEdge> = []
  let x = (width - inner) / 2
  lanes.forEach((lane, i) => {
    const laneWidth = widths[i] as number
    const label = lane.label === undefined ? {} : { label: lane.label }
    const style = lane.taken === true ? { style: "taken" as const } : {}
    if (lane.block === undefined) {
      const column = x + laneWidth / 2
      const via = [
        { x: column, y: top },
        { x: column, y: top + laneHeight }
      ]
      edges.push({ from: marker.id, to: join.id, ...label, ...style, via })
    } else {
      const placed = shift(lane.block, x + (laneWidth - lane.block.width) / 2, top)
      nodes.push(...placed.nodes)
      edges.push({ from: marker.id, to: placed.entry, ...label, ...style, via: [] }, ...placed.edges)
      edges.push({ from: placed.exit, to: join.id, via: downTo(placed, top + laneHeight) })
    }
    x += laneWidth + LAYOUT.gapX
  })
  nodes.push({ ...join, x: (width - join.width) / 2, y: joinY })
  return { width, height: joinY + join.height, nodes, edges, entry: marker.id, exit: join.id }
}

const nodesBlock = (nodes: ReadonlyArray<GraphNode>, options: LayoutOptions): Block | undefined =>
  sequence(nodes.map((node) => nodeBlock(node, options)))

const nodeBlock = (node: GraphNode, options: LayoutOptions): Block => {
  switch (node.kind) {
    case "step":
      return single(stepNode(node.name, "step"))
    case "split": {
      const lanes = node.branches.map((branch) => ({ label: branch.name, block: nodesBlock(branch.nodes, options) }))
      return fork(markerNode(`split:${node.join.name}`, "split", "split"), lanes, stepNode(node.join.name, "join"))
    }
    case "foreach": {
      const first = firstStepName(node.body)
      const count = first === undefined ? undefined : options.taskCounts?.get(first)
      const badge = count === undefined ? undefined : `×${count}`
      const marker = markerNode(`foreach:${node.join.name}`, "foreach", `foreach ${node.artifact}`, badge)
      return fork(marker, [{ block: nodesBlock(node.body, options) }], stepNode(node.join.name, "join"))
    }
    case "choose": {
      const taken = options.cases?.get(node.id)
      const lanes = node.cases.map((choice) => ({
        label: taken === undefined ? choice.name : `${choice.name} (${caseTaken(taken, choice.name)})`,
        block: nodesBlock(choice.nodes, options),
        taken: (taken?.get(choice.name) ?? 0) > 0
      }))
      const marker = markerNode(chooseRecordName(node.id), "choose", `choose on ${node.selector}`)
      return fork(marker, lanes, mergeNode(`merge:${node.id}`))
    }
    case "loop":
      return loopBlock(node, options)
  }
}

/** A loop's start, its body, the loop's node, and an edge from the node back up to the start on the right. */
const loopBlock = (node: Extract<GraphNode, { kind: "loop" }>, options: LayoutOptions): Block => {
  const iterations = options.iterations?.get(node.name)
  const marker = markerNode(`repeat:${node.name}`, "repeat", `loop ${node.name}`, iterations === undefined ? undefined : `↻${iterations}`)
  const block = fork(marker, [{ block: nodesBlock(node.body, options) }], stepNode(node.name, "loop"))
  const right = block.width + LAYOUT.backEdgeGap
  const back: PendingEdge = { from: node.name, to: marker.id, label: "until false", via: [{ x: right, y: 0 }], style: "back" }
  return { ...block, width: right, edges: [...block.edges, back] }
}

const bottomCentre = (node: LayoutNode): Point => ({ x: node.x + node.width / 2, y: node.y + node.height })
const topCentre = (node: LayoutNode): Point => ({ x: node.x + node.width / 2, y: node.y })

/**
 * A loop's edge back: from the right of its node, out to the loop's right edge (`via[0].x`), up, and into the
 * right of its start; its label sits along the way up.
 */
const finishBackEdge = (edge: PendingEdge, from: LayoutNode, to: LayoutNode): LayoutEdge => {
  const x = edge.via[0]?.x ?? from.x + from.width + LAYOUT.backEdgeGap
  const start = { x: from.x + from.width, y: from.y + from.height / 2 }
  const end = { x: to.x + to.width, y: to.y + to.height / 2 }
  const points = [start, { x, y: start.y }, { x, y: end.y }, end]
  const label = { text: edge.label ?? "", x: x + 4, y: (start.y + end.y) / 2, anchor: "start" as const }
  return { from: edge.from, to: edge.to, points, label, style: "back" }
}

const finishEdge = (edge: PendingEdge, byId: ReadonlyMap<string, LayoutNode>): LayoutEdge => {
  const from = byId.get(edge.from) as LayoutNode
  const to = byId.get(edge.to) as LayoutNode
  if (edge.style === "back") return finishBackEdge(edge, from, to)
  const start = bottomCentre(from)
  const at = edge.via[0] ?? topCentre(to)
  const side = at.x < start.x ? -1 : 1
  const label =
    edge.label === undefined
      ? {}
      : {
          label: {
            text: edge.label,
            x: at.x + side * 5,
            y: at.y - LAYOUT.labelOffset,
            anchor: side < 0 ? ("end" as const) : ("start" as const)
          }
        }
  const style = edge.style === undefined ? {} : { style: edge.style }
  return { from: edge.from, to: edge.to, points: [start, ...edge.via, topCentre(to)], ...label, ...style }
}

/**
 * Lays out a flow graph: positioned nodes (steps, joins, split markers, foreach fan-outs) and edges.
 *
 * @example
 * const layout = layoutGraph(run.graph, { taskCounts: new Map([["fit", 3]]) })
 * layout.nodes.find((n) => n.kind === "foreach")?.badge // "×3"
 */
export const layoutGraph = (graph: FlowGraph, options: LayoutOptions = {}): Layout => {
  const block = nodesBlock(graph.nodes, options)
  const margin = LAYOUT.margin
  if (block === undefined) return { nodes: [], edges: [], width: 2 * margin, height: 2 * margin }
  const placed = shift(block, margin, margin)
  const byId = new Map(placed.nodes.map((node) => [node.id, node]))
  return {
    nodes: placed.nodes,
    edges: placed.edges.map((edge) => finishEdge(edge, byId)),
    width: placed.width + 2 * margin,
    height: placed.height + 2 * margin
  }
}
