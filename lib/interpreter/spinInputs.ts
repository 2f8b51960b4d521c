/**
 * What a past task was given, rebuilt from the store for `spin`: the snapshot it started from (parameters
 * included), its foreach frames with their elements (`ctx.input`, `ctx.index`, `ctx.foreachStack`), and, for a
 * join, the records of the branches or foreach tasks it joined with what each of them wrote (the merge rules
 * depend on it), exactly as the run's walk handed them over.
 */
import type { StoredFrame } from "../datastore/Manifest.js"
import type { ForeachNode, SplitNode } from "../dsl/ast.js"
import { FlowDefinitionError, IntegrityError } from "../errors.js"
import type { ForeachFrame } from "../types/context.js"
import type { BranchOutcome } from "./join.js"
import type { PastRun, SourceManifest } from "./pastRun.js"
import type { Position } from "./Position.js"
import type { Snapshot } from "./Snapshot.js"
import { endOfList, enclosingForeaches, scopeTasks, startOf, targetDepth } from "./spinTarget.js"
import type { SpinTarget, TaskAt } from "./spinTarget.js"
import { compactEnd } from "./TaskEnd.js"
import type { TaskEnd } from "./TaskEnd.js"
import type { ScopeState } from "./walk.js"

/** What a join joined: its split's branches, or its foreach's tasks in index order. */
export type Joined =
  | { readonly kind: "split"; readonly branches: ReadonlyArray<BranchOutcome> }
  | { readonly kind: "foreach"; readonly ends: ReadonlyArray<TaskEnd> }

/** Everything the task saw: where it ran and what it started from, and for a join what it joined. */
export interface SpinInputs {
  readonly state: ScopeState
  readonly joined: Joined | undefined
}

/** The past task being spun: its id, and the attempt that really ran it. */
export interface ReplayedTask {
  readonly taskId: string
  readonly source: SourceManifest
}

/** The snapshot a task of `at` ended with, under the task `taskId`; `start` when there is none (an empty scope). */
const snapshotAt = async (past: PastRun, at: TaskAt | undefined, taskId: string, start: Snapshot): Promise<Snapshot> =>
  at === undefined ? start : past.snapshot(await past.latest(at, taskId), past.runId)

/** What a scope's tasks wrote, as the walk tracks it: each top-level task's written names (reused ones' too). */
const writtenIn = async (past: PastRun, tasks: ReadonlyArray<TaskAt>, taskId: string): Promise<ReadonlySet<string>> => {
  const written = new Set<string>()
  for (const at of tasks) {
    const { manifest } = await past.source(await past.latest(at, taskId))
    for (const name of Object.keys(manifest.artifacts)) written.add(name)
    for (const name of manifest.rewritten ?? []) written.add(name)
  }
  return written
}

/** The run was made by another version of the flow, whose structure the task's record cannot be rebuilt from. */
const flowChanged = (target: SpinTarget, past: PastRun, ran: number, now: number): FlowDefinitionError =>
  new FlowDefinitionError(
    `artiflow: spin of '${target.name}': in run '${past.runId}' it ran inside ${ran} foreach(es), in this version of flow '${past.meta.flow}' inside ${now}: the task's record cannot be rebuilt; spin a run of this version of the flow`
  )

/** The element of a foreach frame: the array artifact in the snapshot the foreach started from. */
const frameInput = async (
  past: PastRun,
  target: SpinTarget,
  level: number,
  frame: StoredFrame,
  taskId: string
): Promise<unknown> => {
  const start = startOf(target.path, level)
  const ref = start === undefined ? undefined : await past.latest(start, taskId)
  const entry = (await past.entries(ref, past.runId)).get(frame.artifact)
  const array = entry === undefined ? undefined : await past.value(entry, ref, frame.artifact)
  if (!Array.isArray(array) || frame.index >= array.length) {
    throw new IntegrityError(
      `artiflow: run '${past.runId}' of flow '${past.meta.flow}': task '${target.name}/${taskId}' iterated '${frame.artifact}' at index ${frame.index}, which the stored record does not hold`
    )
  }
  return array[frame.index]
}

type Frames = ReadonlyArray<ForeachFrame>

/** The task's foreach frames with their elements, outermost first. */
const framesOf = async (past: PastRun, target: SpinTarget, task: ReplayedTask): Promise<Frames> => {
  const levels = enclosingForeaches(target)
  const stored = task.source.manifest.foreachStack
  if (stored.length !== levels.length) throw flowChanged(target, past, stored.length, levels.length)
  const frames: Array<ForeachFrame> = []
  for (const [k, level] of levels.entries()) {
    const frame = stored[k] as StoredFrame
    const input = await frameInput(past, target, level, frame, task.taskId)
    const { step, artifact, index, count } = frame
    frames.push(Object.freeze({ step, artifact, index, count, input }))
  }
  return frames
}

/** The child task id of a foreach task: "3" under "0" (outside any foreach), "3.1" under "3". */
const childId = (taskId: string, depth: number, index: number): string =>
  depth === 0 ? String(index) : `${taskId}.${index}`

/** Where a join ran: the snapshot before its split or foreach, and its task's id and foreach depth. */
interface JoinAt {
  readonly before: Snapshot
  readonly depth: number
  readonly taskId: string
}

const joinedSplit = async (past: PastRun, node: SplitNode, { before, depth, taskId }: JoinAt): Promise<Joined> => {
  const branches: Array<BranchOutcome> = []
  for (const branch of node.branches) {
    const snapshot = await snapshotAt(past, endOfList(branch.nodes, depth), taskId, before)
    const written = await writtenIn(past, scopeTasks(branch.nodes, depth), taskId)
    branches.push({ name: branch.name, snapshot, written, reused: false })
  }
  return { kind: "split", branches }
}

const joinedForeach = async (past: PastRun, node: ForeachNode, { before, depth, taskId }: JoinAt): Promise<Joined> => {
  const items = before.values[node.artifact]
  if (!Array.isArray(items)) {
    throw new IntegrityError(
      `artiflow: run '${past.runId}': the record before the foreach over '${node.artifact}' holds no array '${node.artifact}'`
    )
  }
  const end = endOfList(node.body, depth + 1)
  const tasks = scopeTasks(node.body, depth + 1)
  const ends: Array<TaskEnd> = []
  for (let index = 0; index < items.length; index++) {
    const id = childId(taskId, depth, index)
    const snapshot = await snapshotAt(past, end, id, before)
    ends.push(compactEnd(before, { snapshot, written: await writtenIn(past, tasks, id), reused: false }))
  }
  return { kind: "foreach", ends }
}

/**
 * Rebuilds what the task saw in the past run. The tasks it ran after are looked up in the run its record
 * comes from: the run itself, or the run a resumed run reused the task from, or a persisted spin spun it from.
 */
export const spinInputs = async (origin: PastRun, target: SpinTarget, task: ReplayedTask): Promise<SpinInputs> => {
  const { manifest, runId } = task.source
  const past = await origin.other(manifest.base?.runId ?? runId)
  const frames = await framesOf(past, target, task)
  const snapshot = await past.snapshot(manifest.base, runId)
  const previous = startOf(target.path, target.path.length - 1)?.step ?? past.meta.flow
  const position: Position = { frames, previous }
  const state: ScopeState = { snapshot, written: new Set(), position, reused: false }
  if (target.kind === "step") return { state, joined: undefined }
  const at: JoinAt = { before: snapshot, depth: targetDepth(target), taskId: task.taskId }
  const { node } = target
  const joined = node._tag === "Split" ? await joinedSplit(past, node, at) : await joinedForeach(past, node, at)
  return { state, joined }
}
