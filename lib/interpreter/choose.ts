/**
 * A choose at run time (DESIGN.md §8): the scheduler reads the selector's value from the record, picks the
 * case keyed by it, records the decision in the run (the choose's record: `choose:<id>`, its snapshot the
 * record the case starts from; committed while the case runs) and runs the case in the same scope. A value the rules forbid (a missing
 * selector, a value that is not a string, number or boolean, a value without a case) fails the run with the
 * compiler's message, charged to the step before the choose.
 */
import type { ChooseDecision, TaskManifest } from "../datastore/Manifest.js"
import type { ChooseNode, FlowNode } from "../dsl/ast.js"
import { chooseIds, chooseRecordName } from "../dsl/chooseIds.js"
import { listNames } from "../listing.js"
import { chooseMissing, chooseWide, noCaseFor } from "../types/messages.js"
import { failAt, failBetweenTasks } from "./between.js"
import { storedFrames, storedLoops, taskIdOf } from "./Position.js"
import type { RunEnv } from "./RunEnv.js"
import { valueOf } from "./values.js"
import type { ScopeState } from "./walk.js"

type RunNodes = (env: RunEnv, nodes: ReadonlyArray<FlowNode>, start: ScopeState) => Promise<ScopeState>

const isSelectorValue = (value: unknown): value is string | number | boolean =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean"

/** The selector's value, as the rules allow it. */
const selectorValue = async (env: RunEnv, node: ChooseNode, state: ScopeState): Promise<string | number | boolean> => {
  if (!state.snapshot.entries.has(node.selector)) return failBetweenTasks(env, state, chooseMissing(node.selector))
  // With an executor that runs attempts elsewhere, the scheduler holds the selector's entry, not its value.
  const value = await valueOf(env, state.snapshot, node.selector).catch((error: unknown) => failBetweenTasks(env, state, error as Error))
  return isSelectorValue(value) ? value : failBetweenTasks(env, state, chooseWide(node.selector))
}

/** The choose's record: what it decided, on the snapshot the case starts from. */
const decisionRecord = (env: RunEnv, node: ChooseNode, state: ScopeState, decision: ChooseDecision): TaskManifest => {
  const at = Date.now()
  const loopStack = storedLoops(state.position)
  return {
    step: chooseRecordName(chooseIds(env.flow.nodes).get(node) ?? node.selector),
    taskId: taskIdOf(state.position),
    attempt: 0,
    foreachStack: storedFrames(state.position),
    ...(loopStack !== undefined && { loopStack }),
    status: "succeeded",
    startedAt: at,
    finishedAt: at,
    ...(state.snapshot.ref !== undefined && { base: state.snapshot.ref }),
    artifacts: {},
    decision
  }
}

export const runChoose = async (env: RunEnv, node: ChooseNode, state: ScopeState, runNodes: RunNodes): Promise<ScopeState> => {
  env.checkRunning()
  const value = await selectorValue(env, node, state)
  const key = String(value)
  const chosen = node.cases.find((choice) => choice.name === key)
  if (chosen === undefined) {
    return failBetweenTasks(env, state, noCaseFor(node.selector, key, listNames(node.cases.map((choice) => choice.name))))
  }
  const decision: ChooseDecision = { kind: "choose", value, case: chosen.name }
  const record = decisionRecord(env, node, state, decision)
  // The case does not read the record: it runs while the record commits (a choose in a 10,000-item foreach
  // would otherwise wait for a commit before each body). A crash in between leaves the case's tasks without
  // the record, which readers and resume handle as a choose that has not decided yet.
  const committed = env.commit(record).then(
    () => undefined,
    (error: unknown) => error as Error
  )
  let end: ScopeState
  try {
    end = await runNodes(env, chosen.nodes, state)
  } finally {
    await committed
  }
  const failed = await committed
  if (failed !== undefined) return failAt(env, record.step, record.taskId, failed)
  env.emit({ type: "task-finished", step: record.step, taskId: record.taskId, attempt: 0, status: "succeeded", durationMs: 0, decision })
  return { ...end, chose: true }
}
