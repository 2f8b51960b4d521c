/** The steps and joins of a stored graph, in flow order (branches and bodies depth first). */
import type { FlowGraph, GraphNode } from "../datastore/Manifest.js"

export interface GraphStep {
  readonly name: string
  readonly kind: "step" | "join"
}

const stepsOf = (nodes: ReadonlyArray<GraphNode>): ReadonlyArray<GraphStep> =>
  nodes.flatMap((node): ReadonlyArray<GraphStep> => {
    switch (node.kind) {
      case "step":
        return [{ name: node.name, kind: "step" }]
      case "split":
        return [...node.branches.flatMap((branch) => stepsOf(branch.nodes)), { name: node.join.name, kind: "join" }]
      case "foreach":
        return [...stepsOf(node.body), { name: node.join.name, kind: "join" }]
    }
  })

export const graphSteps = (graph: FlowGraph): ReadonlyArray<GraphStep> => stepsOf(graph.nodes)

/** The step or join whose snapshot is the run's final record: the flow's last top-level node. */
export const endStep = (graph: FlowGraph): string | undefined => {
  const last = graph.nodes.at(-1)
  if (last === undefined) return undefined
  return last.kind === "step" ? last.name : last.join.name
}
