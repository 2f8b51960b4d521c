/**
 * A flow's graph without its functions: stored with every run, drawn by the CLI and the report.
 * This is the second interpreter of the AST (the first runs it), which keeps the AST honest.
 */
import type { FlowGraph, GraphJoin, GraphNode } from "../datastore/Manifest.js"
import type { ChooseNode, FlowDefinition, FlowNode, JoinSpec } from "./ast.js"
import { chooseIds } from "./chooseIds.js"

type Ids = ReadonlyMap<ChooseNode, string>

export const describeFlow = (flow: FlowDefinition): FlowGraph => ({ nodes: describeNodes(flow.nodes, chooseIds(flow.nodes)) })

const describeNodes = (nodes: ReadonlyArray<FlowNode>, ids: Ids): ReadonlyArray<GraphNode> =>
  nodes.flatMap((node) => describeNode(node, ids))

const describeNode = (node: FlowNode, ids: Ids): ReadonlyArray<GraphNode> => {
  switch (node._tag) {
    case "Step":
      return [{ kind: "step", name: node.name, options: { ...node.options } }]
    case "Use":
      return describeNodes(node.nodes, ids)
    case "Split":
      return [
        {
          kind: "split",
          branches: node.branches.map((branch) => ({ name: branch.name, nodes: describeNodes(branch.nodes, ids) })),
          join: describeJoin(node.join)
        }
      ]
    case "Foreach":
      return [
        {
          kind: "foreach",
          artifact: node.artifact,
          ...(node.concurrency !== undefined && { concurrency: node.concurrency }),
          body: describeNodes(node.body, ids),
          join: describeJoin(node.join)
        }
      ]
    case "Choose":
      return [
        {
          kind: "choose",
          id: ids.get(node) ?? node.selector,
          selector: node.selector,
          cases: node.cases.map((choice) => ({ name: choice.name, nodes: describeNodes(choice.nodes, ids) }))
        }
      ]
    case "Loop":
      return [{ kind: "loop", name: node.name, maxIterations: node.maxIterations, body: describeNodes(node.body, ids) }]
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
