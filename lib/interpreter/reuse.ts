/**
 * What a resumed run reuses from its origin: every task that succeeded there, whose step is not the one
 * resumed `from` (or after it), and whose inputs did not change. The walk asks the plan for each task whose
 * inputs are all reused too; a reused task is committed in the new run as a reference to the origin's
 * snapshot (no blob is copied), with `originTaskId` set.
 */
import type { Datastore } from "../datastore/Datastore.js"
import type { FlowGraph, GraphJoin, GraphNode, TaskManifest } from "../datastore/Manifest.js"
import { sha256Hex } from "../codec/hash.js"
import { chooseRecordName } from "../dsl/chooseIds.js"
import { IntegrityError } from "../errors.js"

/** For each step of a graph: a hash of everything upstream of it, and the names of the steps it depends on. */
export interface StepLineage {
  readonly signature: string
  readonly ancestors: ReadonlySet<string>
}

interface Walked {
  readonly signature: string
  readonly upstream: ReadonlySet<string>
}

const joinDescriptor = (join: GraphJoin): string =>
  JSON.stringify([join.name, join.resolve ?? [], join.take ?? {}, join.exclude ?? [], join.equal ?? [], join.hasFunction])

const walk = (
  nodes: ReadonlyArray<GraphNode>,
  start: Walked,
  lineage: Map<string, StepLineage>
): Walked => {
  let at = start
  const record = (name: string, descriptor: string, upstream: ReadonlySet<string>, from: string): void => {
    const signature = sha256Hex(`${from}|${descriptor}`)
    lineage.set(name, { signature, ancestors: upstream })
    at = { signature, upstream: new Set([...upstream, name]) }
  }
  for (const node of nodes) {
    switch (node.kind) {
      case "step":
        record(node.name, `step:${node.name}`, at.upstream, at.signature)
        break
      case "split": {
        const ends = node.branches.map((branch) =>
          walk(branch.nodes, { signature: sha256Hex(`${at.signature}|branch:${branch.name}`), upstream: at.upstream }, lineage)
        )
        const upstream = new Set(ends.flatMap((end) => [...end.upstream]))
        record(node.join.name, `join:${joinDescriptor(node.join)}`, upstream, ends.map((end) => end.signature).join(","))
        break
      }
      case "foreach": {
        const body = walk(node.body, { signature: sha256Hex(`${at.signature}|foreach:${node.artifact}`), upstream: at.upstream }, lineage)
        record(node.join.name, `join:${joinDescriptor(node.join)}`, body.upstream, body.signature)
        break
      }
      case "choose": {
        // The choose's record depends on the selector's record; what follows it, on every case.
        record(chooseRecordName(node.id), `choose:${JSON.stringify([node.selector, node.cases.map((c) => c.name)])}`, at.upstream, at.signature)
        const decided = at
        const ends = node.cases.map((choice) =>
          walk(choice.nodes, { signature: sha256Hex(`${decided.signature}|case:${choice.name}`), upstream: decided.upstream }, lineage)
        )
        const upstream = new Set([...decided.upstream, ...ends.flatMap((end) => [...end.upstream])])
        at = { signature: sha256Hex(`${decided.signature}|cases:${ends.map((end) => end.signature).join(",")}`), upstream }
        break
      }
      case "loop": {
        const body = walk(node.body, { signature: sha256Hex(`${at.signature}|loop:${node.name}`), upstream: at.upstream }, lineage)
        record(node.name, `loop:${JSON.stringify([node.name, node.maxIterations])}`, body.upstream, body.signature)
      }
    }
  }
  return at
}

/** The lineage of every step and join of a graph. */
export const lineageOf = (graph: FlowGraph): ReadonlyMap<string, StepLineage> => {
  const lineage = new Map<string, StepLineage>()
  walk(graph.nodes, { signature: "", upstream: new Set() }, lineage)
  return lineage
}

/** Decides, task by task, what a resumed run reuses. */
export class ReusePlan {
  /** step -> taskId -> the origin's latest attempt. */
  private readonly latest = new Map<string, Map<string, TaskManifest>>()

  /** Manifests of earlier runs a reused task refers to (resuming a resumed run), by run id. */
  private readonly earlier = new Map<string, Promise<ReadonlyArray<TaskManifest>>>()

  constructor(
    private readonly store: Datastore,
    private readonly flow: string,
    readonly originRunId: string,
    manifests: ReadonlyArray<TaskManifest>,
    /** Steps that must run again: the one resumed from and every step after it. */
    private readonly rerun: ReadonlySet<string>
  ) {
    for (const manifest of manifests) {
      const byTask = this.latest.get(manifest.step) ?? new Map<string, TaskManifest>()
      this.latest.set(manifest.step, byTask)
      const known = byTask.get(manifest.taskId)
      if (known === undefined || known.attempt <= manifest.attempt) byTask.set(manifest.taskId, manifest)
    }
  }

  /** The origin's attempt to reuse for this task, when it succeeded and the step need not run again. */
  reusable(step: string, taskId: string): TaskManifest | undefined {
    if (this.rerun.has(step)) return undefined
    const manifest = this.latest.get(step)?.get(taskId)
    return manifest?.status === "succeeded" ? manifest : undefined
  }

  /**
   * The attempt that holds a reused task's artifacts, and its run: the origin's own attempt, or, when the
   * origin reused it in turn (a resumed run resumed again), the attempt it refers to.
   */
  async source(manifest: TaskManifest): Promise<{ readonly manifest: TaskManifest; readonly runId: string }> {
    let current = { manifest, runId: this.originRunId }
    while (current.manifest.originTaskId !== undefined && current.manifest.base !== undefined) {
      const ref: NonNullable<TaskManifest["base"]> = current.manifest.base
      const manifests = await this.manifestsOf(ref.runId)
      const found = manifests.find((m) => m.step === ref.step && m.taskId === ref.taskId && m.attempt === ref.attempt)
      if (found === undefined) {
        throw new IntegrityError(
          `artiflow: run '${current.runId}' reuses task '${ref.step}/${ref.taskId}' of run '${ref.runId}', which is not committed`
        )
      }
      current = { manifest: found, runId: ref.runId }
    }
    return current
  }

  private manifestsOf(runId: string): Promise<ReadonlyArray<TaskManifest>> {
    const known = this.earlier.get(runId) ?? this.store.readManifests(this.flow, runId)
    this.earlier.set(runId, known)
    return known
  }

  /** Steps with at least one task the origin run finished successfully. */
  succeededSteps(): ReadonlyArray<string> {
    return [...this.latest].filter(([, tasks]) => [...tasks.values()].some((m) => m.status === "succeeded")).map(([step]) => step)
  }
}
