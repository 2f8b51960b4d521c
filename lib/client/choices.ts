/**
 * What the chooses of a run decided, read from their records: how often each case was taken, and the steps
 * that are skipped because their case was not (DESIGN.md §8: the client reports them as "skipped").
 */
import type { ChooseDecision, FlowGraph, GraphNode } from "../datastore/Manifest.js"
import { chooseRecordName } from "../dsl/chooseIds.js"
import { graphSteps } from "./graphSteps.js"

export interface Choices {
  /** By choose id: how many times each case was taken (a choose in a foreach body or a loop decides often). */
  readonly taken: ReadonlyMap<string, ReadonlyMap<string, number>>
  /**
   * Steps, joins, loops and choose records (`choose:<id>`) in cases that were not taken (or inside a choose
   * that never ran for that reason).
   */
  readonly skipped: ReadonlySet<string>
}

/** The decisions a choose's records hold (their latest attempts), by choose id. */
export type DecisionsOf = (id: string) => Promise<ReadonlyArray<ChooseDecision>>

/**
 * Walks the graph: a case is skipped when its choose decided at least once and never took it, or when the
 * choose itself sits in a skipped case. A choose that has not decided yet skips nothing.
 *
 * @example
 * const choices = await runChoices(run.graph, async (id) => decisions.get(id) ?? [])
 * choices.skipped.has("inline") // true when every decision took another case
 */
export const runChoices = async (graph: FlowGraph, decisionsOf: DecisionsOf): Promise<Choices> => {
  const taken = new Map<string, ReadonlyMap<string, number>>()
  const skipped = new Set<string>()
  const visit = async (nodes: ReadonlyArray<GraphNode>, inSkipped: boolean): Promise<void> => {
    for (const node of nodes) {
      if (node.kind === "step") {
        if (inSkipped) skipped.add(node.name)
      } else if (node.kind === "split") {
        for (const branch of node.branches) await visit(branch.nodes, inSkipped)
        if (inSkipped) skipped.add(node.join.name)
      } else if (node.kind === "foreach") {
        await visit(node.body, inSkipped)
        if (inSkipped) skipped.add(node.join.name)
      } else if (node.kind === "loop") {
        await visit(node.body, inSkipped)
        if (inSkipped) skipped.add(node.name)
      } else {
        if (inSkipped) skipped.add(chooseRecordName(node.id))
        const counts = inSkipped ? new Map<string, number>() : countCases(await decisionsOf(node.id))
        taken.set(node.id, counts)
        for (const choice of node.cases) {
          const notTaken = inSkipped || (counts.size > 0 && !counts.has(choice.name))
          if (notTaken) for (const step of graphSteps({ nodes: choice.nodes })) skipped.add(step.name)
          await visit(choice.nodes, notTaken)
        }
      }
    }
  }
  await visit(graph.nodes, false)
  return { taken, skipped }
}

const countCases = (decisions: ReadonlyArray<ChooseDecision>): ReadonlyMap<string, number> => {
  const counts = new Map<string, number>()
  for (const decision of decisions) counts.set(decision.case, (counts.get(decision.case) ?? 0) + 1)
  return counts
}
