/**
 * The worker's half of an attempt: rebuild what the scheduler sent (snapshots as lazy records over their
 * entries, foreach frames whose element loads on first use, the ends a join joins), run the attempt exactly
 * as in process (interpreter/attempt.ts) and send back what its manifest must say. Shared by worker threads
 * and BullMQ workers.
 */
import type { Datastore } from "../datastore/Datastore.js"
import { loadValueSync } from "../datastore/loadSync.js"
import { locationIn } from "../datastore/load.js"
import type { SyncBlobReader } from "../datastore/loadSync.js"
import type { ArtifactEntry, SnapshotRef } from "../datastore/Manifest.js"
import type { FlowNode, JoinSpec, StepNode } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { FlowDefinitionError } from "../errors.js"
import { performAttempt } from "../interpreter/attempt.js"
import type { AttemptEnv } from "../interpreter/attempt.js"
import type { BranchOutcome } from "../interpreter/join.js"
import { lazyRecord, NOT_HELD } from "../interpreter/lazyRecord.js"
import type { SyncLoad } from "../interpreter/lazyRecord.js"
import type { Position } from "../interpreter/Position.js"
import { deriveSnapshot, freezeValue } from "../interpreter/Snapshot.js"
import type { Snapshot } from "../interpreter/Snapshot.js"
import type { TaskEnd } from "../interpreter/TaskEnd.js"
import type { ForeachFrame } from "../types/context.js"
import type { AttemptWork, WorkerIdentity } from "./Executor.js"
import type { ValueCache } from "./valueCache.js"
import type { WireAttempt, WireEnd, WireEntries, WireOutcome } from "./wire.js"
import { outcomeToWire } from "./wire.js"

/** What a worker brings to every attempt it runs. */
export interface WorkerSide {
  readonly store: Datastore
  /** Reads blobs synchronously from the same store, for values loaded when a step reads them. */
  readonly reader: SyncBlobReader
  readonly cache: ValueCache
  readonly worker: WorkerIdentity
}

type Task = { readonly kind: "step"; readonly node: StepNode } | { readonly kind: "join"; readonly join: JoinSpec }

const findIn = (nodes: ReadonlyArray<FlowNode>, name: string): Task | undefined => {
  for (const node of nodes) {
    const found = findNode(node, name)
    if (found !== undefined) return found
  }
  return undefined
}

const findNode = (node: FlowNode, name: string): Task | undefined => {
  switch (node._tag) {
    case "Step":
      return node.name === name ? { kind: "step", node } : undefined
    case "Use":
      return findIn(node.nodes, name)
    case "Split":
      if (node.join?.name === name) return { kind: "join", join: node.join }
      for (const branch of node.branches) {
        const found = findIn(branch.nodes, name)
        if (found !== undefined) return found
      }
      return undefined
    case "Foreach":
      if (node.join?.name === name) return { kind: "join", join: node.join }
      return findIn(node.body, name)
    case "Loop":
      return findIn(node.body, name)
    case "Choose":
      for (const choice of node.cases) {
        const found = findIn(choice.nodes, name)
        if (found !== undefined) return found
      }
      return undefined
  }
}

const mapOf = (entries: WireEntries): Map<string, ArtifactEntry> => new Map(entries)

const notHeld = (entries: WireEntries): Map<string, { readonly value: unknown; readonly entry: ArtifactEntry }> =>
  new Map(entries.map(([name, entry]) => [name, { value: NOT_HELD, entry }]))

/** What a task's frame holds: the element loads (with its whole array, kept in the cache) on first use. */
const frameOf = (load: SyncLoad, frame: WireAttempt["frames"][number]): ForeachFrame => {
  const { step, artifact, index, count, array } = frame
  return Object.freeze({
    step,
    artifact,
    index,
    count,
    get input(): unknown {
      return (load(array, artifact) as ReadonlyArray<unknown>)[index]
    }
  })
}

const endOf = (end: WireEnd): TaskEnd => ({
  changed: notHeld(end.changed),
  removed: new Set(end.removed),
  written: new Set(end.written),
  reused: false,
  ...(end.chose === true && { chose: true })
})

const workOf = (task: Task, request: WireAttempt, base: Snapshot): AttemptWork => {
  const join = request.join
  if (task.kind === "step" && join === null) return { kind: "step", node: task.node }
  if (task.kind === "join" && join?.kind === "split") {
    const branches = join.branches.map(
      (branch): BranchOutcome => ({
        name: branch.name,
        snapshot: deriveSnapshot(base, notHeld(branch.changed), branch.removed, undefined),
        written: new Set(branch.written),
        reused: false,
        ...(branch.chose === true && { chose: true })
      })
    )
    return { kind: "split-join", join: task.join, branches }
  }
  if (task.kind === "join" && join?.kind === "foreach") return { kind: "foreach-join", join: task.join, ends: join.ends.map(endOf) }
  throw new FlowDefinitionError(
    `artiflow: this worker's flow '${request.flow.name}' has '${request.step}' as a ${task.kind}, the scheduler's does not: the versions differ`
  )
}

/** The synchronous loader of one attempt's values: verified, frozen, and kept in the worker's cache. */
const loaderFor = (side: WorkerSide, request: WireAttempt, ref: SnapshotRef | null): SyncLoad => (entry, name) =>
  side.cache.get(entry, () => freezeValue(loadValueSync(side.reader, entry, locationIn(request.flow.name, request.runId, ref, name))))

/**
 * Runs an attempt the scheduler sent, with `flow` (the worker's copy, already checked to be the same version),
 * and resolves to its outcome; never rejects for what the step did. `signal` cancels it.
 */
export const runRemote = async (
  side: WorkerSide,
  flow: FlowValue,
  request: WireAttempt,
  signal: AbortSignal
): Promise<WireOutcome> => {
  const task = findIn(flow.nodes, request.step)
  if (task === undefined) {
    throw new FlowDefinitionError(
      `artiflow: this worker's flow '${flow.name}' has no step or join '${request.step}', the scheduler's has: the versions differ`
    )
  }
  const load = loaderFor(side, request, request.base.ref)
  const entries = mapOf(request.base.entries)
  const base: Snapshot = { values: lazyRecord(entries, load), entries, ref: request.base.ref ?? undefined }
  const position: Position = {
    frames: request.frames.map((frame) => frameOf(load, frame)),
    arrays: request.frames.map((frame) => frame.array),
    ...(request.loops.length > 0 && { loops: request.loops.map((frame) => Object.freeze({ ...frame })) }),
    previous: request.previous
  }
  const env: AttemptEnv = {
    flow,
    store: side.store,
    runId: request.runId,
    originRunId: request.originRunId ?? undefined,
    params: new Set(Object.keys(flow.params)),
    configs: new Set(Object.keys(flow.configs)),
    verify: request.verify,
    // Lines reach the scheduler with the outcome (the manifest's `logs`).
    log: () => {}
  }
  const attempt = {
    work: workOf(task, request, base),
    step: request.step,
    taskId: request.taskId,
    number: request.attempt,
    position,
    base,
    timeout: request.timeout ?? undefined
  }
  return outcomeToWire(await performAttempt(env, attempt, signal, side.worker))
}
