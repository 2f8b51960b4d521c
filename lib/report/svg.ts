/**
 * Draws a flow graph as a standalone SVG: steps coloured by status (with a legend), joins as pills, split
 * markers, foreach fan-outs with their "×N" badge, choose markers whose taken cases' edges are green and bold
 * (the steps of the others "skipped"), loops with their iteration count and an edge back up. Every text is
 * escaped; the output is well-formed XML and embeds as is in HTML.
 */
import type { FlowGraph } from "../datastore/Manifest.js"
import { chooseRecordName } from "../dsl/chooseIds.js"
import { escapeMarkup, formatDuration, plural } from "./format.js"
import { LAYOUT, layoutGraph } from "./layout.js"
import type { LayoutEdge, LayoutNode, LayoutOptions, Point } from "./layout.js"
import { STEP_STATES } from "./status.js"
import type { StepState, StepStatus } from "./status.js"

/** Fill and stroke per state, shared with the HTML report's status badges. */
export const STATE_COLOURS: Readonly<Record<StepState, { readonly fill: string; readonly stroke: string }>> = {
  succeeded: { fill: "#dcfce7", stroke: "#16a34a" },
  failed: { fill: "#fee2e2", stroke: "#dc2626" },
  running: { fill: "#dbeafe", stroke: "#2563eb" },
  "not run": { fill: "#f3f4f6", stroke: "#9ca3af" },
  skipped: { fill: "#fafafa", stroke: "#d1d5db" },
  cloned: { fill: "#ede9fe", stroke: "#7c3aed" }
}

const EDGE = { stroke: "#9ca3af", width: 1.5 }
const TAKEN_EDGE = { stroke: "#16a34a", width: 3 }

/** The arrowhead every edge ends with. */
const ARROW =
  `<defs><marker id="dag-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" ` +
  `orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#9ca3af"/></marker></defs>`

const PLAIN = { fill: "#ffffff", stroke: "#374151" }
const CHOOSE_PREFIX = chooseRecordName("")
const LEGEND_HEIGHT = 28

/** Coordinates with at most one decimal, so the output is byte-stable. */
const n = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1))

const attrs = (values: Readonly<Record<string, string | number>>): string =>
  Object.entries(values)
    .map(([key, value]) => `${key}="${typeof value === "number" ? n(value) : escapeMarkup(value)}"`)
    .join(" ")

const text = (content: string, values: Readonly<Record<string, string | number>>): string =>
  `<text ${attrs(values)}>${escapeMarkup(content)}</text>`

/** A path through the points, each segment a vertical S-curve (straight when the ends are aligned). */
const edgePath = (points: ReadonlyArray<Point>): string =>
  points
    .map((p, i) => {
      const previous = points[i - 1]
      if (previous === undefined) return `M${n(p.x)} ${n(p.y)}`
      const middle = (previous.y + p.y) / 2
      return `C${n(previous.x)} ${n(middle)} ${n(p.x)} ${n(middle)} ${n(p.x)} ${n(p.y)}`
    })
    .join(" ")

/** A path straight through the points (a loop's edge back). */
const polyline = (points: ReadonlyArray<Point>): string =>
  points.map((p, i) => `${i === 0 ? "M" : "L"}${n(p.x)} ${n(p.y)}`).join(" ")

const renderEdge = (edge: LayoutEdge): string => {
  const look = edge.style === "taken" ? TAKEN_EDGE : EDGE
  const d = edge.style === "back" ? polyline(edge.points) : edgePath(edge.points)
  const path = `<path ${attrs({
    class: edge.style === undefined ? "edge" : `edge ${edge.style}`,
    d,
    fill: "none",
    stroke: look.stroke,
    "stroke-width": look.width,
    ...(edge.style === "back" && { "stroke-dasharray": "4 3" }),
    "marker-end": "url(#dag-arrow)"
  })}/>`
  if (edge.label === undefined) return path
  const label = text(edge.label.text, {
    class: edge.style === "taken" ? "edge-label taken" : "edge-label",
    x: edge.label.x,
    y: edge.label.y,
    "text-anchor": edge.label.anchor,
    "font-size": 11,
    fill: "#374151",
    stroke: "#ffffff",
    "stroke-width": 3,
    "paint-order": "stroke"
  })
  return path + label
}

const detailOf = (status: StepStatus | undefined): string | undefined => {
  if (status === undefined) return undefined
  if (status.state === "not run" || status.state === "skipped") return status.state
  if (status.iterations !== undefined) {
    const duration = status.durationMs === undefined ? "" : ` · ${formatDuration(status.durationMs)}`
    return plural(status.iterations, "iteration") + duration
  }
  const duration = status.durationMs === undefined ? "" : ` · ${formatDuration(status.durationMs)}`
  return plural(status.tasks, "task") + duration
}

const renderStep = (node: LayoutNode, status: StepStatus | undefined): string => {
  const colours = status === undefined ? PLAIN : STATE_COLOURS[status.state]
  const detail = detailOf(status)
  const centre = node.x + node.width / 2
  const middle = node.y + node.height / 2
  const kind = node.kind === "join" || node.kind === "loop" ? ` (${node.kind})` : ""
  const title = [`${node.label}${kind}`, status?.state, detail].filter(
    (s) => s !== undefined
  )
  const rect = attrs({
    x: node.x,
    y: node.y,
    width: node.width,
    height: node.height,
    rx: node.kind === "join" || node.kind === "loop" ? node.height / 2 : 6,
    fill: colours.fill,
    stroke: colours.stroke,
    "stroke-width": node.kind === "loop" ? 2.5 : 1.5,
    ...((status?.state === "not run" || status?.state === "skipped") && { "stroke-dasharray": "5 3" })
  })
  const name = text(node.label, {
    x: centre,
    y: detail === undefined ? middle + 4.5 : middle - 2,
    "text-anchor": "middle",
    "font-weight": 600,
    fill: "#111827"
  })
  const sub =
    detail === undefined
      ? ""
      : text(detail, { x: centre, y: middle + 13, "text-anchor": "middle", "font-size": 11, fill: "#4b5563" })
  const data = attrs({
    class: `node ${node.kind}`,
    "data-step": node.label,
    ...(status !== undefined && { "data-state": status.state })
  })
  return `<g ${data}><title>${escapeMarkup(title.join(" · "))}</title><rect ${rect}/>${name}${sub}</g>`
}

const renderBadge = (node: LayoutNode, badge: string): string => {
  const width = badge.length * 7 + 10
  const x = node.x + node.width - width - 4
  const rect = attrs({ x, y: node.y + 4, width, height: node.height - 8, rx: (node.height - 8) / 2, fill: "#1f2937" })
  const label = text(badge, {
    x: x + width / 2,
    y: node.y + node.height / 2 + 4,
    "text-anchor": "middle",
    "font-size": 11,
    "font-weight": 600,
    fill: "#ffffff"
  })
  return `<g class="badge"><rect ${rect}/>${label}</g>`
}

/** Where a choose's cases meet: a small circle. */
const renderMerge = (node: LayoutNode): string => {
  const r = node.width / 2
  const circle = attrs({ cx: node.x + r, cy: node.y + r, r: r - 1, fill: "#f9fafb", stroke: "#6b7280", "stroke-width": 1.5 })
  return `<g ${attrs({ class: "marker merge" })}><circle ${circle}/></g>`
}

const renderMarker = (node: LayoutNode): string => {
  if (node.kind === "merge") return renderMerge(node)
  const badgeWidth = node.badge === undefined ? 0 : node.badge.length * 7 + 14
  const rect = attrs({
    x: node.x,
    y: node.y,
    width: node.width,
    height: node.height,
    rx: node.height / 2,
    fill: "#f9fafb",
    stroke: "#6b7280",
    "stroke-dasharray": "4 2"
  })
  const label = text(node.label, {
    x: node.x + (node.width - badgeWidth) / 2,
    y: node.y + node.height / 2 + 4,
    "text-anchor": "middle",
    "font-size": 12,
    fill: "#374151"
  })
  const badge = node.badge === undefined ? "" : renderBadge(node, node.badge)
  return `<g ${attrs({ class: `marker ${node.kind}` })}><rect ${rect}/>${label}${badge}</g>`
}

/** What the layout shows of a run: task counts, the cases taken, the loops' iterations. */
const layoutOptions = (status: ReadonlyMap<string, StepStatus>): LayoutOptions => {
  const cases = new Map<string, ReadonlyMap<string, number>>()
  const iterations = new Map<string, number>()
  for (const [name, s] of status) {
    if (s.cases !== undefined && name.startsWith(CHOOSE_PREFIX)) cases.set(name.slice(CHOOSE_PREFIX.length), s.cases)
    if (s.iterations !== undefined) iterations.set(name, s.iterations)
  }
  return { taskCounts: new Map([...status].map(([name, s]) => [name, s.tasks])), cases, iterations }
}

/** Options of {@link renderGraphSvg}. */
export interface SvgOptions {
  /** Wraps each step and join in a link to this address (the HTML report links to each step's section). */
  readonly stepHref?: (step: string) => string
}

const renderNode = (
  node: LayoutNode,
  status: ReadonlyMap<string, StepStatus> | undefined,
  options: SvgOptions
): string => {
  if (node.step === undefined) return renderMarker(node)
  const drawn = renderStep(node, status?.get(node.step))
  return options.stepHref === undefined ? drawn : `<a ${attrs({ href: options.stepHref(node.step) })}>${drawn}</a>`
}

const legendWidth = (): number => STEP_STATES.reduce((sum, state) => sum + state.length * 7 + 34, 0)

const renderLegend = (y: number): string => {
  let x = LAYOUT.margin
  const items = STEP_STATES.map((state) => {
    const { fill, stroke } = STATE_COLOURS[state]
    const swatch = `<rect ${attrs({ x, y, width: 14, height: 14, rx: 3, fill, stroke, "stroke-width": 1.5 })}/>`
    const label = text(state, { x: x + 20, y: y + 11.5, "font-size": 12, fill: "#374151" })
    x += state.length * 7 + 34
    return swatch + label
  })
  return `<g class="legend">${items.join("")}</g>`
}

/**
 * Renders a flow graph as an SVG document (`<svg id="dag">`). With `status` (see `runStepStatus`), steps
 * and joins are coloured by state, show their task count and duration, foreach fan-outs show "×N", and a
 * legend is drawn below the graph. `options.stepHref` makes each step a link.
 *
 * @example
 * import { writeFileSync } from "node:fs"
 *
 * const run = await Client.open().run("Train")
 * writeFileSync("train.svg", renderGraphSvg(run.graph, await runStepStatus(run)))
 */
export const renderGraphSvg = (
  graph: FlowGraph,
  status?: ReadonlyMap<string, StepStatus>,
  options: SvgOptions = {}
): string => {
  const layout = layoutGraph(graph, status === undefined ? {} : layoutOptions(status))
  const width = Math.max(layout.width, status === undefined ? 0 : legendWidth() + 2 * LAYOUT.margin)
  const height = layout.height + (status === undefined ? 0 : LEGEND_HEIGHT)
  const root = attrs({
    xmlns: "http://www.w3.org/2000/svg",
    id: "dag",
    width,
    height,
    viewBox: `0 0 ${n(width)} ${n(height)}`,
    role: "img",
    "aria-label": "flow graph",
    "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif",
    "font-size": 13
  })
  const edges = `<g class="edges">${layout.edges.map(renderEdge).join("")}</g>`
  const nodes = `<g class="nodes">${layout.nodes.map((node) => renderNode(node, status, options)).join("")}</g>`
  const legend = status === undefined ? "" : renderLegend(layout.height - LAYOUT.margin + 12)
  return `<svg ${root}>${ARROW}${edges}${nodes}${legend}</svg>`
}
