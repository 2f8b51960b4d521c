import type { Flow, Stage } from "../types/flow.js"
import type { AfterChoose, CaseStages, CheckChoose } from "../types/choose.js"
import { caseOpen, chooseStage, describeValue, emptyChoose } from "../types/messages.js"
import type { AnyState } from "../types/state.js"
import type { Case } from "./ast.js"
import { appendNode, applyStage, asFlow, openKind, startScope } from "./FlowValue.js"
import type { FlowValue } from "./FlowValue.js"
import { isValidArtifactName } from "./names.js"
import { assertNoDuplicateAcrossLanes, assertNotAfterOpen, fail } from "./validate.js"

/**
 * Runs exactly one of `cases`, picked by the value of the artifact `selector` (Metaflow's switch). The
 * selector's type must be a union of string, number or boolean literals; cases are keyed by the value (a
 * number's string form, "true"/"false" for booleans), and every value needs a case. A case is a stage, like a
 * split branch (`(f) => f` does nothing); it starts from the record before the choose. No join follows: after
 * the choose, the record holds the artifacts present at the end of every case, each typed as the union of its
 * types across the cases (at run time, what the case taken wrote).
 *
 * The compiler checks, on the selector: that it is an artifact with a literal type, that every value has a
 * case and every case a value, that no step name is used twice across the cases, that no case ends open. At
 * run time a value without a case fails the run naming the value and the cases.
 *
 * @example
 * import { pipe } from "fp-ts/lib/function.js"
 * import { choose, flow, run, step } from "artiflow"
 *
 * const Route = pipe(
 *   flow("Route"),
 *   step("start", () => ({ size: Math.random() > 0.5 ? ("big" as const) : ("small" as const) })),
 *   choose("size", {
 *     big: (f) => pipe(f, step("shard", () => ({ parts: 8 })), step("plan", (a) => ({ plan: `x${a.parts}` }))),
 *     small: step("inline", () => ({ plan: "inline" }))
 *   }),
 *   step("end", (a) => ({ summary: a.plan })) // a.plan: string; a.parts is not in the record
 * )
 * const { artifacts } = await run(Route) // artifacts.summary: "x8" or "inline"
 */
export function choose<S extends AnyState, Selector extends string, const Cases extends CaseStages<S>>(
  selector: CheckChoose<S, Selector, Cases>,
  cases: Cases
): Stage<S, AfterChoose<S, Selector, Cases>>
export function choose(selector: string, cases: unknown): (flow: Flow) => Flow {
  if (!isValidArtifactName(selector)) {
    fail(`artiflow: choose needs the name of the artifact to choose on (received ${describeValue(selector)})`)
  }
  if (typeof cases !== "object" || cases === null || Array.isArray(cases)) {
    fail(`artiflow: ${chooseStage(selector)} takes an object of cases: choose("${selector}", { value: stage, ... })`)
  }
  const stages = Object.entries(cases as object)
  if (stages.length === 0) fail(emptyChoose(selector))
  return (input) => {
    const flow = asFlow(input, chooseStage(selector))
    assertNotAfterOpen(flow, chooseStage(selector))
    const built = Object.freeze(stages.map(([name, stage]) => buildCase(flow, selector, name, stage)))
    assertNoDuplicateAcrossLanes(built)
    return appendNode(flow, { _tag: "Choose", selector, cases: built }) as Flow
  }
}

const buildCase = (flow: FlowValue, selector: string, name: string, stage: unknown): Case => {
  const end = applyStage(stage, startScope(flow, "case", flow.scope.foreachDepth), `${chooseStage(selector)}: case '${name}'`)
  const open = openKind(end.nodes)
  if (open !== undefined) fail(caseOpen(selector, name, open))
  return Object.freeze({ name, nodes: end.nodes })
}
