/**
 * A loop at run time (DESIGN.md §8): the body runs in the same scope, each iteration at a position of its own
 * (task ids "i0", "i1"...), then the scheduler calls `until` on the body's final record. When the loop ends
 * (or `until` fails, or another iteration would pass `maxIterations`), it commits its record: the loop's name
 * as step, its iterations and `until`'s results, on the snapshot of the last iteration. One record per loop
 * run, not per iteration: an iteration costs what its body's tasks cost.
 */
import type { LoopDecision, StoredError, TaskManifest } from "../datastore/Manifest.js"
import type { FlowNode, LoopNode } from "../dsl/ast.js"
import { FlowDefinitionError, messageOf, ResourceLimitError, UntilError } from "../errors.js"
import { loopLimit, untilFailed, untilNotBoolean } from "../types/messages.js"
import { failAt } from "./between.js"
import { inLoop, storedFrames, storedLoops, taskIdOf } from "./Position.js"
import { RunStopped } from "./RunEnv.js"
import type { RunEnv } from "./RunEnv.js"
import { callUntil } from "./untilRecord.js"
import type { ScopeState } from "./walk.js"

type RunNodes = (env: RunEnv, nodes: ReadonlyArray<FlowNode>, start: ScopeState) => Promise<ScopeState>

/** The loop's record: its decisions so far, on the snapshot the last iteration ended with. */
const loopRecord = (
  node: LoopNode,
  outer: ScopeState,
  last: ScopeState,
  startedAt: number,
  decision: LoopDecision,
  error: StoredError | undefined
): TaskManifest => {
  const loopStack = storedLoops(outer.position)
  return {
    step: node.name,
    taskId: taskIdOf(outer.position),
    attempt: 0,
    foreachStack: storedFrames(outer.position),
    ...(loopStack !== undefined && { loopStack }),
    status: error === undefined ? "succeeded" : "failed",
    startedAt,
    finishedAt: Date.now(),
    ...(last.snapshot.ref !== undefined && { base: last.snapshot.ref }),
    artifacts: {},
    ...(error !== undefined && { error }),
    decision
  }
}

/** What an iteration inherits from earlier ones that was not there before the loop (see `ScopeState.carried`). */
const carriedInto = (before: ScopeState, current: ScopeState): ReadonlySet<string> | undefined => {
  if (current === before) return before.carried
  const carried = new Set(before.carried)
  for (const name of current.snapshot.entries.keys()) if (!before.snapshot.entries.has(name)) carried.add(name)
  return carried
}

/** `until` on the record the iteration ended with: true or false, or the error the run fails with. */
const decide = async (env: RunEnv, node: LoopNode, end: ScopeState, iteration: number): Promise<boolean | Error> => {
  const until = node.until as (record: unknown) => unknown
  let returned: unknown
  try {
    returned = await callUntil(env, until, end.snapshot)
  } catch (thrown) {
    return new UntilError(untilFailed(node.name, iteration, messageOf(thrown)), node.name, iteration, { cause: thrown })
  }
  return typeof returned === "boolean" ? returned : new FlowDefinitionError(untilNotBoolean(node.name, iteration, returned))
}

export const runLoop = async (env: RunEnv, node: LoopNode, state: ScopeState, runNodes: RunNodes): Promise<ScopeState> => {
  const startedAt = Date.now()
  const results: Array<boolean> = []
  let current = state
  let iterations = 0
  const commit = async (error: Error | undefined): Promise<void> => {
    const decision: LoopDecision = { kind: "loop", iterations, until: [...results] }
    const stored = error === undefined ? undefined : { name: error.name, message: error.message }
    const record = loopRecord(node, state, current, startedAt, decision, stored)
    await env.commit(record)
    const status = error === undefined ? "succeeded" : "failed"
    env.emit({ type: "task-finished", step: node.name, taskId: record.taskId, attempt: 0, status, durationMs: record.finishedAt - startedAt, decision })
  }
  const failLoop = async (error: Error): Promise<never> => {
    // The record says how far the loop got; a store that cannot take it does not hide the loop's own error.
    await commit(error).catch(() => {})
    return failAt(env, node.name, taskIdOf(state.position), error)
  }
  for (let iteration = 0; ; iteration++) {
    env.checkRunning()
    // Each iteration starts after what ran last: the step before the loop, then the previous iteration's last.
    const position = inLoop(state.position, node.name, iteration, current.position.previous)
    const end = await runNodes(env, node.body, { ...current, position, carried: carriedInto(state, current) })
    current = end
    iterations++
    const done = await decide(env, node, end, iteration)
    if (done instanceof Error) return failLoop(done)
    results.push(done)
    if (done) break
    if (results.length >= node.maxIterations) {
      return failLoop(new ResourceLimitError(loopLimit(node.name, node.maxIterations)))
    }
  }
  await commit(undefined).catch((error: unknown) => {
    if (error instanceof RunStopped) throw error
    return failAt(env, node.name, taskIdOf(state.position), error as Error)
  })
  return { ...current, position: { ...state.position, previous: node.name }, carried: state.carried }
}
