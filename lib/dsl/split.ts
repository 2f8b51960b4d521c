import { FlowDefinitionError } from "../errors.js"
import type { Flow, Stage } from "../types/flow.js"
import { branchOpen, emptySplit } from "../types/messages.js"
import type { AfterSplit, BranchStages } from "../types/split.js"
import type { AnyState } from "../types/state.js"
import type { Branch } from "./ast.js"
import { appendNode, applyStage, asFlow, openKind, startScope } from "./FlowValue.js"
import type { FlowValue } from "./FlowValue.js"
import { assertName, assertNoDuplicateAcrossLanes, assertNotAfterOpen, fail } from "./validate.js"

/**
 * Static parallel branches. Each branch is a stage (a combinator, or `(f) => pipe(f, ...)`) that starts from
 * the record before the split; the branches run concurrently and `join` merges them. Artifacts written in
 * one branch are invisible to the others. What the compiler finds wrong with the split itself (a step name
 * used in two branches, a branch left open) is reported on the name of the join that closes it.
 *
 * @example
 * import { pipe } from "fp-ts/lib/function.js"
 * import { flow, join, run, split, step } from "artiflow"
 *
 * const Stats = pipe(
 *   flow("Stats"),
 *   step("start", () => ({ xs: [3, 1, 2] })),
 *   split({
 *     low: step("min", (a) => ({ min: Math.min(...a.xs) })),
 *     high: step("max", (a) => ({ max: Math.max(...a.xs) }))
 *   }),
 *   join("both"),
 *   step("end", (a) => ({ range: a.max - a.min }))
 * )
 * const { artifacts } = await run(Stats) // artifacts.range === 2
 */
export function split<S extends AnyState, const Stages extends BranchStages<S>>(
  branches: Stages
): Stage<S, AfterSplit<S, Stages>>
export function split(branches: unknown): (flow: Flow) => Flow {
  if (typeof branches !== "object" || branches === null || Array.isArray(branches)) {
    throw new FlowDefinitionError("artiflow: split takes an object of branches: split({ name: stage, ... })")
  }
  const stages = Object.entries(branches)
  if (stages.length === 0) fail(emptySplit())
  for (const [name] of stages) assertName("branch", name)
  return (input) => {
    const flow = asFlow(input, "split")
    assertNotAfterOpen(flow, "split")
    const built = Object.freeze(stages.map(([name, stage]) => buildBranch(flow, name, stage)))
    assertNoDuplicateAcrossLanes(built)
    return appendNode(flow, { _tag: "Split", branches: built, join: undefined }) as Flow
  }
}

const buildBranch = (flow: FlowValue, name: string, stage: unknown): Branch => {
  const end = applyStage(stage, startScope(flow, "branch", flow.scope.foreachDepth), `split branch '${name}'`)
  const open = openKind(end.nodes)
  if (open !== undefined) fail(branchOpen(name, open))
  return Object.freeze({ name, nodes: end.nodes })
}
