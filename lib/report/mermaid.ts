/**
 * A flow graph as a Mermaid flowchart, for Markdown (GitHub, docs). Node ids are generated (`n0`, `n1`, ...)
 * because a step may be named like a Mermaid keyword (`end`); names appear only in quoted, escaped labels.
 */
import type { FlowGraph, GraphJoin, GraphNode } from "../datastore/Manifest.js"
import { chooseRecordName } from "../dsl/chooseIds.js"
import { caseTaken, joinRules } from "./describe.js"
import { plural } from "./format.js"
import type { StepStatus } from "./status.js"

const MERMAID_ENTITIES: Readonly<Record<string, string>> = {
  "#": "#35;",
  '"': "#quot;",
  "<": "#lt;",
  ">": "#gt;",
  "&": "#amp;"
}

/**
 * Escapes text for a quoted Mermaid label: quotes and markup characters become Mermaid entity codes, and
 * line breaks become spaces (a label is one line).
 *
 * @example
 * mermaidText(`a "b" <c>`) // "a #quot;b#quot; #lt;c#gt;"
 */
export const mermaidText = (label: string): string =>
  label.replace(/[#"<>&]/g, (c) => MERMAID_ENTITIES[c] ?? c).replace(/[\r\n\t]+/g, " ")

interface Builder {
  readonly lines: Array<string>
  next: number
  /** Edges drawn so far (Mermaid numbers them in order, for `linkStyle`). */
  edges: number
  /** What a run did, when drawing one: taken cases are highlighted, the others' steps greyed. */
  readonly status: ReadonlyMap<string, StepStatus> | undefined
  /** Edges into taken cases, and nodes in cases not taken. */
  readonly taken: Array<number>
  readonly skipped: Array<string>
}

/** The ends of a drawn fragment: where edges into it go, where edges out of it leave. */
interface Ends {
  readonly entry: string
  readonly exit: string
}

/** A fresh node id; a join's id is taken before its lanes are drawn, and the join declared after them. */
const reserve = (builder: Builder): string => `n${builder.next++}`

const declare = (builder: Builder, shape: (label: string) => string, label: string, id = reserve(builder)): string => {
  builder.lines.push(`  ${id}${shape(`"${mermaidText(label)}"`)}`)
  return id
}

const stepShape = (label: string): string => `[${label}]`
const joinShape = (label: string): string => `([${label}])`
const splitShape = (label: string): string => `{${label}}`
const foreachShape = (label: string): string => `[/${label}\\]`
const chooseShape = (label: string): string => `{{${label}}}`
const mergeShape = (label: string): string => `((${label}))`
const loopShape = (label: string): string => `[[${label}]]`

/** Draws an edge; returns its number. */
const edge = (builder: Builder, from: string, to: string, label?: string, arrow = "-->"): number => {
  builder.lines.push(label === undefined ? `  ${from} ${arrow} ${to}` : `  ${from} ${arrow}|"${mermaidText(label)}"| ${to}`)
  return builder.edges++
}

/** A join's label: its name, plus what it does with conflicting artifacts. */
const joinLabel = (join: GraphJoin): string => {
  const rules = joinRules(join)
  return rules.length === 0 ? join.name : `${join.name} (${rules.join("; ")})`
}

/** Where the edge into the next node comes from, and its label. */
interface Incoming {
  readonly from: string
  readonly label?: string
}

/** Draws a sequence after `incoming`; returns its ends, or undefined when it is empty. */
const drawNodes = (builder: Builder, nodes: ReadonlyArray<GraphNode>, incoming?: Incoming): Ends | undefined => {
  let ends: Ends | undefined
  for (const node of nodes) {
    const drawn = drawNode(builder, node, ends === undefined ? incoming : { from: ends.exit })
    ends = { entry: ends?.entry ?? drawn.entry, exit: drawn.exit }
  }
  return ends
}

/**
 * A fork's lane: the edge into it carries `label`; an empty lane is one edge from the fork to the join.
 * Returns the number of the edge into the lane.
 */
const drawLane = (
  builder: Builder,
  fork: string,
  join: string,
  nodes: ReadonlyArray<GraphNode>,
  label: string
): number => {
  const first = builder.edges
  const lane = drawNodes(builder, nodes, { from: fork, label })
  const last = edge(builder, lane?.exit ?? fork, join, lane === undefined ? label : undefined)
  return lane === undefined ? last : first
}

/** A choose: a hexagon, one lane per case (labelled with its value), meeting in a small circle. */
const drawChoose = (builder: Builder, node: Extract<GraphNode, { kind: "choose" }>, enter: (id: string) => string): Ends => {
  const fork = enter(declare(builder, chooseShape, `choose on ${node.selector}`))
  const merge = reserve(builder)
  const cases = builder.status?.get(chooseRecordName(node.id))?.cases
  for (const choice of node.cases) {
    const label = cases === undefined ? choice.name : `${choice.name} (${caseTaken(cases, choice.name)})`
    const from = builder.next
    const into = drawLane(builder, fork, merge, choice.nodes, label)
    const taken = (cases?.get(choice.name) ?? 0) > 0
    if (taken) builder.taken.push(into)
    else if (cases !== undefined && cases.size > 0) {
      for (let id = from; id < builder.next; id++) builder.skipped.push(`n${id}`)
    }
  }
  return { entry: fork, exit: declare(builder, mergeShape, " ", merge) }
}

/** A loop: its body between a header and the loop's record, and a dotted edge back while `until` is false. */
const drawLoop = (builder: Builder, node: Extract<GraphNode, { kind: "loop" }>, enter: (id: string) => string): Ends => {
  const iterations = builder.status?.get(node.name)?.iterations
  const ran = iterations === undefined ? "" : `, ${plural(iterations, "iteration")}`
  const head = enter(declare(builder, foreachShape, `loop ${node.name} (max ${node.maxIterations}${ran})`))
  const body = drawNodes(builder, node.body, { from: head })
  const end = declare(builder, loopShape, `${node.name} (until)`)
  edge(builder, body?.exit ?? head, end)
  edge(builder, end, head, "until false", "-.->")
  return { entry: head, exit: end }
}

/** Draws one node, with the edge from `incoming` right after the node's first declaration. */
const drawNode = (builder: Builder, node: GraphNode, incoming: Incoming | undefined): Ends => {
  const enter = (id: string): string => {
    if (incoming !== undefined) edge(builder, incoming.from, id, incoming.label)
    return id
  }
  switch (node.kind) {
    case "step": {
      const id = enter(declare(builder, stepShape, node.name))
      return { entry: id, exit: id }
    }
    case "split": {
      const fork = enter(declare(builder, splitShape, "split"))
      const join = reserve(builder)
      for (const branch of node.branches) drawLane(builder, fork, join, branch.nodes, branch.name)
      return { entry: fork, exit: declare(builder, joinShape, joinLabel(node.join), join) }
    }
    case "foreach": {
      const fork = enter(declare(builder, foreachShape, "foreach"))
      const join = reserve(builder)
      drawLane(builder, fork, join, node.body, node.artifact)
      return { entry: fork, exit: declare(builder, joinShape, joinLabel(node.join), join) }
    }
    case "choose":
      return drawChoose(builder, node, enter)
    case "loop":
      return drawLoop(builder, node, enter)
  }
}

/**
 * Renders a flow graph as a Mermaid flowchart (`flowchart TD`): steps as boxes, joins as stadiums (with their
 * resolve/take/exclude/equal rules), splits as diamonds with branch names on their edges, foreach as a
 * trapezoid with the artifact it fans out over on its edge, a choose as a hexagon with one lane per case
 * (labelled with its value) meeting in a circle, a loop as its body between a header and the loop's record,
 * with a dotted edge back. With a run's `status` (see `runStepStatus`), the edges into taken cases are drawn
 * bold and green, the steps of cases not taken greyed, and each loop says how many iterations ran.
 *
 * @example
 * const run = await Client.open().run("Train")
 * console.log("```mermaid\n" + renderMermaid(run.graph, await runStepStatus(run)) + "```")
 */
export const renderMermaid = (graph: FlowGraph, status?: ReadonlyMap<string, StepStatus>): string => {
  const builder: Builder = { lines: ["flowchart TD"], next: 0, edges: 0, status, taken: [], skipped: [] }
  drawNodes(builder, graph.nodes)
  if (builder.taken.length > 0) builder.lines.push(`  linkStyle ${builder.taken.join(",")} stroke:#16a34a,stroke-width:3px`)
  if (builder.skipped.length > 0) {
    builder.lines.push("  classDef skipped fill:#f3f4f6,stroke:#9ca3af,color:#6b7280,stroke-dasharray:5 3")
    builder.lines.push(`  class ${builder.skipped.join(",")} skipped`)
  }
  return builder.lines.join("\n") + "\n"
}
