/**
 * Every choose of a flow gets an id, which names the records it leaves in a run (`choose:<id>`) and links
 * them to the choose in the stored graph: its selector, then "#2", "#3"... for the second and later chooses
 * on the same selector, counted depth first in flow order (subflows included, where they are used). Both the
 * graph and the interpreter take ids from here, so they always agree.
 */
import type { ChooseNode, FlowNode } from "./ast.js"

const computed = new WeakMap<ReadonlyArray<FlowNode>, ReadonlyMap<ChooseNode, string>>()

/** The id of every choose in `nodes` (a flow's top-level nodes), computed once per flow. */
export const chooseIds = (nodes: ReadonlyArray<FlowNode>): ReadonlyMap<ChooseNode, string> => {
  const known = computed.get(nodes)
  if (known !== undefined) return known
  const ids = new Map<ChooseNode, string>()
  const seen = new Map<string, number>()
  const visit = (list: ReadonlyArray<FlowNode>): void => {
    for (const node of list) {
      switch (node._tag) {
        case "Step":
          break
        case "Split":
          for (const branch of node.branches) visit(branch.nodes)
          break
        case "Foreach":
          visit(node.body)
          break
        case "Use":
          visit(node.nodes)
          break
        case "Loop":
          visit(node.body)
          break
        case "Choose": {
          const count = (seen.get(node.selector) ?? 0) + 1
          seen.set(node.selector, count)
          ids.set(node, count === 1 ? node.selector : `${node.selector}#${count}`)
          for (const choice of node.cases) visit(choice.nodes)
        }
      }
    }
  }
  visit(nodes)
  computed.set(nodes, ids)
  return ids
}

/** The step name of a choose's records in the manifests of a run. */
export const chooseRecordName = (id: string): string => `choose:${id}`
