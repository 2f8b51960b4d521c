/**
 * A flow graph as a Mermaid flowchart, for Markdown (GitHub, docs). Node ids are generated (`n0`, `n1`, ...)
 * because a step may be named like a Mermaid keyword (`end`); names appear only in quoted, escaped labels.
 */
import type { FlowGraph, GraphJoin, GraphNode } from "../datastore/Manifest.js"
import { joinRules } from "./describe.js"

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

const edge = (builder: Builder, from: string, to: string, label?: string): void => {
  builder.lines.push(label === undefined ? `  ${from} --> ${to}` : `  ${from} -->|"${mermaidText(label)}"| ${to}`)
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

/** A fork's lane: the edge into it carries `label`; an empty lane is one edge from the fork to the join. */
const drawLane = (
  builder: Builder,
  fork: string,
  join: string,
  nodes: ReadonlyArray<GraphNode>,
  label: string
): void => {
  const lane = drawNodes(builder, nodes, { from: fork, label })
  edge(builder, lane?.exit ?? fork, join, lane === undefined ? label : undefined)
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
  }
}

/**
 * Renders a flow graph as a Mermaid flowchart (`flowchart TD`): steps as boxes, joins as stadiums (with their
 * resolve/take/exclude/equal rules), splits as diamonds with branch names on their edges, foreach as a
 * trapezoid with the artifact it fans out over on its edge.
 *
 * @example
 * const run = await Client.open().run("Train")
 * console.log("```mermaid\n" + renderMermaid(run.graph) + "```")
 */
export const renderMermaid = (graph: FlowGraph): string => {
  const builder: Builder = { lines: ["flowchart TD"], next: 0 }
  drawNodes(builder, graph.nodes)
  return builder.lines.join("\n") + "\n"
}
