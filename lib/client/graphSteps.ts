/** The steps, joins and loops of a stored graph, in flow order (branches, cases and bodies depth first). */
import type { FlowGraph, GraphNode } from "../datastore/Manifest.js"

export interface GraphStep {
  readonly name: string
  readonly kind: "step" | "join" | "loop"
}

/** A graph node that is a choose. */
export type GraphChoose = Extract<GraphNode, { kind: "choose" }>

const stepsOf = (nodes: ReadonlyArray<GraphNode>): ReadonlyArray<GraphStep> =>
  nodes.flatMap((node): ReadonlyArray<GraphStep> => {
    switch (node.kind) {
      case "step":
        return [{ name: node.name, kind: "step" }]
      case "split":
        return [...node.branches.flatMap((branch) => stepsOf(branch.nodes)), { name: node.join.name, kind: "join" }]
      case "foreach":
        return [...stepsOf(node.body), { name: node.join.name, kind: "join" }]
      case "choose":
        return node.cases.flatMap((choice) => stepsOf(choice.nodes))
      case "loop":
        return [...stepsOf(node.body), { name: node.name, kind: "loop" }]
    }
  })

export const graphSteps = (graph: FlowGraph): ReadonlyArray<GraphStep> => stepsOf(graph.nodes)

/** Every choose of a graph, depth first. */
export const graphChooses = (nodes: ReadonlyArray<GraphNode>): ReadonlyArray<GraphChoose> =>
  nodes.flatMap((node): ReadonlyArray<GraphChoose> => {
    switch (node.kind) {
      case "step":
        return []
      case "split":
        return node.branches.flatMap((branch) => graphChooses(branch.nodes))
      case "foreach":
      case "loop":
        return graphChooses(node.body)
      case "choose":
        return [node, ...node.cases.flatMap((choice) => graphChooses(choice.nodes))]
    }
  })

/**
 * Where the record a list of nodes ends with is: the task of a step, join or loop (`step`), or, after a
 * choose, the end of the case its record says it took (`choose`). `undefined` for no nodes.
 */
export type EndNode = { readonly kind: "step"; readonly name: string } | { readonly kind: "choose"; readonly node: GraphChoose }

export const endNode = (nodes: ReadonlyArray<GraphNode>): EndNode | undefined => {
  const last = nodes.at(-1)
  if (last === undefined) return undefined
  switch (last.kind) {
    case "step":
    case "loop":
      return { kind: "step", name: last.name }
    case "split":
    case "foreach":
      return { kind: "step", name: last.join.name }
    case "choose":
      return { kind: "choose", node: last }
  }
}
