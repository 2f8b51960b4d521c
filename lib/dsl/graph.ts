/**
 * A flow's graph without its functions: stored with every run, drawn by the CLI and the report.
 * This is the second interpreter of the AST (the first runs it), which keeps the AST honest.
 */
import type { FlowGraph, GraphJoin, GraphNode } from "../datastore/Manifest.js"
import type { FlowDefinition, FlowNode, JoinSpec } from "./ast.js"

export const describeFlow = (flow: FlowDefinition): FlowGraph => ({ nodes: describeNodes(flow.nodes) })

const describeNodes = (nodes: ReadonlyArray<FlowNode>): ReadonlyArray<GraphNode> => nodes.flatMap(describeNode)

const describeNode = (node: FlowNode): ReadonlyArray<GraphNode> => {
  switch (node._tag) {
    case "Step":
      return [{ kind: "step", name: node.name, options: { ...node.options } }]
    case "Use":
      return describeNodes(node.nodes)
    case "Split":
      return [
        {
          kind: "split",
          branches: node.branches.map((branch) => ({ name: branch.name, nodes: describeNodes(branch.nodes) })),
          join: describeJoin(node.join)
        }
      ]
    case "Foreach":
      return [
        {
          kind: "foreach",
          artifact: node.artifact,
          ...(node.concurrency !== undefined && { concurrency: node.concurrency }),
          body: describeNodes(node.body),
          join: describeJoin(node.join)
        }
      ]
  }
}

const describeJoin = (join: JoinSpec | undefined): GraphJoin => {
  if (join === undefined) return { name: "", hasFunction: false }
  const { resolve, take, exclude, equal, retry, timeout } = join.options
  return {
    name: join.name,
    ...(resolve !== undefined && { resolve: Object.keys(resolve) }),
    ...(take !== undefined && { take: { ...take } }),
    ...(exclude !== undefined && { exclude: [...exclude] }),
    ...(equal !== undefined && { equal: [...equal] }),
    ...(retry !== undefined && { retry }),
    ...(join.options.catch !== undefined && { catch: join.options.catch }),
    ...(timeout !== undefined && { timeout }),
    hasFunction: join.fn !== undefined
  }
}
