/**
 * Walks the flow's AST: steps in sequence, split branches concurrently, foreach bodies concurrently (one
 * body per element, up to the foreach's `concurrency`), each closed by its join. Every scope tracks which
 * artifacts it wrote, for the join's merge rules.
 */
import type * as t from "io-ts"
import type { FlowNode, ForeachNode, JoinSpec, SplitNode, StepNode, UseNode } from "../dsl/ast.js"
import { FlowDefinitionError, ResourceLimitError } from "../errors.js"
import { foreachMissing, foreachNotArray, subflowNeeds } from "../types/messages.js"
import type { BranchOutcome } from "./join.js"
import { failBetweenTasks } from "./between.js"
import { runChoose } from "./choose.js"
import { runLoop } from "./loop.js"
import { inForeach, taskIdOf } from "./Position.js"
import type { Position } from "./Position.js"
import { RunStopped } from "./RunEnv.js"
import type { RunEnv } from "./RunEnv.js"
import { settleInOrder } from "./pool.js"
import { deriveSnapshot } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"
import { runTask } from "./task.js"
import type { TaskResult, TaskSpec } from "./task.js"
import { compactEnd } from "./TaskEnd.js"
import type { TaskEnd } from "./TaskEnd.js"
import { valueOf } from "./values.js"

/** Where a scope is: its snapshot, what it wrote so far, and where it runs. */
export interface ScopeState {
  readonly snapshot: Snapshot
  readonly written: ReadonlySet<string>
  readonly position: Position
  /** In a resumed run: every task so far was reused, so the next one may be too. */
  readonly reused: boolean
  /**
   * A choose ran in this scope: what it wrote depends on the case taken, so a join around it accepts rules for
   * artifacts that turn out not to be conflicts (the compiler asked for them, for the cases not taken).
   */
  readonly chose?: boolean
  /**
   * In a loop's second and later iterations: the artifacts the record holds only because an earlier iteration
   * of the body created them (absent before the loop). The compiler types the body against the record before
   * the loop, so a split join in the body merges as in the first iteration: see {@link withoutCarried}.
   */
  readonly carried?: ReadonlySet<string>
}

export const runNodes = async (env: RunEnv, nodes: ReadonlyArray<FlowNode>, start: ScopeState): Promise<ScopeState> => {
  let state = start
  for (const node of nodes) state = await runNode(env, node, state)
  return state
}

const runNode = (env: RunEnv, node: FlowNode, state: ScopeState): Promise<ScopeState> => {
  switch (node._tag) {
    case "Step":
      return runStep(env, node, state)
    case "Split":
      return runSplit(env, node, state)
    case "Foreach":
      return runForeach(env, node, state)
    case "Use":
      return runUse(env, node, state)
    case "Choose":
      return runChoose(env, node, state, runNodes)
    case "Loop":
      return runLoop(env, node, state, runNodes)
  }
}

/** The state after a step or join named `name` ended with `result`. */
const advance = (state: ScopeState, name: string, result: TaskResult): ScopeState => ({
  snapshot: result.snapshot,
  written: new Set([...state.written, ...result.written]),
  position: { ...state.position, previous: name },
  reused: state.reused && result.reused,
  ...(state.chose === true && { chose: true }),
  ...(state.carried !== undefined && { carried: state.carried })
})

export const runStep = async (env: RunEnv, node: StepNode, state: ScopeState): Promise<ScopeState> => {
  const spec = { name: node.name, options: node.options, position: state.position, base: state.snapshot }
  const result = await runTask(env, spec, { kind: "step", node }, state.reused)
  return advance(state, node.name, result)
}

/** A join runs as a task that starts from the snapshot before its split or foreach. */
const joinTask = (join: JoinSpec, before: ScopeState): TaskSpec => ({
  name: join.name,
  options: join.options,
  position: before.position,
  base: before.snapshot
})

/** Runs a split's join on the branches' ends (`before`: the scope as the split found it). */
export const joinSplit = (
  env: RunEnv,
  join: JoinSpec,
  before: ScopeState,
  branches: ReadonlyArray<BranchOutcome>,
  reuse: boolean
): Promise<TaskResult> => runTask(env, joinTask(join, before), { kind: "split-join", join, branches }, reuse)

/** Runs a foreach's join on its tasks' ends, in index order. */
export const joinForeach = (
  env: RunEnv,
  join: JoinSpec,
  before: ScopeState,
  ends: ReadonlyArray<TaskEnd>,
  reuse: boolean
): Promise<TaskResult> => runTask(env, joinTask(join, before), { kind: "foreach-join", join, ends }, reuse)

/** Runs every branch (or body) to the end, then throws the first failure once all have settled. */
const settleAll = async <T>(env: RunEnv, work: ReadonlyArray<Promise<T>>): Promise<ReadonlyArray<T>> =>
  valuesOrFailure(env, await Promise.allSettled(work))

const valuesOrFailure = <T>(env: RunEnv, settled: ReadonlyArray<PromiseSettledResult<T>>): ReadonlyArray<T> => {
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected")
  if (rejected !== undefined) {
    if (!(rejected.reason instanceof RunStopped)) {
      env.fail({ step: "(run)", taskId: "-", cause: rejected.reason })
    }
    throw new RunStopped()
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value)
}

const runSplit = async (env: RunEnv, node: SplitNode, state: ScopeState): Promise<ScopeState> => {
  const join = node.join
  if (join === undefined) throw new FlowDefinitionError(`artiflow: a split was not closed by a join`)
  const branchStart: ScopeState = { ...state, written: new Set(), chose: false }
  const ended = await settleAll(
    env,
    node.branches.map(async (branch): Promise<BranchOutcome> => {
      const end = await runNodes(env, branch.nodes, branchStart)
      return { name: branch.name, snapshot: end.snapshot, written: end.written, reused: end.reused, chose: end.chose === true }
    })
  )
  const outcomes = withoutCarried(ended, state.carried)
  const result = await joinSplit(env, join, state, outcomes, state.reused && outcomes.every((b) => b.reused))
  return advance(state, join.name, result)
}

/**
 * A branch that did not write an artifact carried from an earlier loop iteration, while another branch did,
 * ends without it: in the first iteration the artifact did not exist before the split, so the writing branch's
 * value passed through the join, and the compiler typed the join that way. Without this, the second iteration
 * would find a conflict the compiler never asked the join to handle.
 */
const withoutCarried = (branches: ReadonlyArray<BranchOutcome>, carried: ReadonlySet<string> | undefined): ReadonlyArray<BranchOutcome> => {
  if (carried === undefined || carried.size === 0) return branches
  return branches.map((branch) => {
    const drop = [...carried].filter((name) => !branch.written.has(name) && branches.some((other) => other.written.has(name)))
    return drop.length === 0 ? branch : { ...branch, snapshot: deriveSnapshot(branch.snapshot, new Map(), drop, branch.snapshot.ref) }
  })
}

const foreachTooWide = (artifact: string, step: string, items: number, limit: number): string =>
  `artiflow: foreach over '${artifact}' after step '${step}' has ${items.toLocaleString("en-US")} items, more than ` +
  `maxForeachItems (${limit.toLocaleString("en-US")}); no task was started. Each item is a task that keeps about 1 KB ` +
  `in memory until the join: raise the limit with run(flow, { maxForeachItems: ${items} }) if the machine has the ` +
  "memory, or iterate over batches of items instead"

const arrayToIterate = async (env: RunEnv, node: ForeachNode, state: ScopeState): Promise<ReadonlyArray<unknown>> => {
  if (!state.snapshot.entries.has(node.artifact)) return failBetweenTasks(env, state, foreachMissing(node.artifact))
  const value = await valueOf(env, state.snapshot, node.artifact)
  if (!Array.isArray(value)) return failBetweenTasks(env, state, foreachNotArray(node.artifact))
  if (value.length > env.maxForeachItems) {
    return failBetweenTasks(env, state, new ResourceLimitError(foreachTooWide(node.artifact, state.position.previous, value.length, env.maxForeachItems)))
  }
  return value
}

const runForeach = async (env: RunEnv, node: ForeachNode, state: ScopeState): Promise<ScopeState> => {
  const join = node.join
  if (join === undefined) throw new FlowDefinitionError(`artiflow: foreach over '${node.artifact}' was not closed by a join`)
  const items = await arrayToIterate(env, node, state)
  const arrays = [...(state.position.arrays ?? []), state.snapshot.entries.get(node.artifact)]
  // Bodies in flight: the foreach's own limit, and never many more than can hold a worker. Tasks waiting for a
  // worker hold memory and gain nothing; twice the workers keeps every worker busy between commits.
  const width = Math.min(node.concurrency ?? Number.POSITIVE_INFINITY, env.workers.limit * 2)
  const progress = { artifact: node.artifact, taskId: taskIdOf(state.position), total: items.length }
  let done = 0
  env.emit({ type: "foreach-progress", ...progress, done })
  const settled = await settleInOrder(items.length, width, async (index): Promise<TaskEnd> => {
    env.checkRunning()
    const input = items[index]
    const frame = { step: state.position.previous, artifact: node.artifact, index, count: items.length, input }
    const position = inForeach(state.position, Object.freeze(frame), arrays)
    const end = await runNodes(env, node.body, { ...state, written: new Set(), position, chose: false })
    env.emit({ type: "foreach-progress", ...progress, done: ++done })
    return compactEnd(state.snapshot, end)
  })
  const ends = valuesOrFailure(env, settled)
  const result = await joinForeach(env, join, state, ends, state.reused && ends.every((end) => end.reused))
  return advance(state, join.name, result)
}

/** A subflow declared with codecs checks that the flow provides what it needs, before its first step. */
const runUse = async (env: RunEnv, node: UseNode, state: ScopeState): Promise<ScopeState> => {
  for (const [name, codec] of Object.entries(node.needs ?? {})) {
    const present = state.snapshot.entries.has(name)
    if (!present || !(codec as t.Mixed).is(await valueOf(env, state.snapshot, name))) {
      failBetweenTasks(env, state, subflowNeeds(name))
    }
  }
  return runNodes(env, node.nodes, state)
}
