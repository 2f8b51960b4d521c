/**
 * A past run as `spin` reads it: its tasks by step (the manifests are indexed once and each decoded only when
 * used, so spinning one task of a 10,000-task run decodes a handful), the snapshot any of its tasks ended or
 * started with, and artifact values, loaded once per content and frozen as a run would hand them to a step.
 */
import { Snapshots } from "../client/Snapshots.js"
import type { Datastore, ManifestRecord } from "../datastore/Datastore.js"
import { loadValue } from "../datastore/load.js"
import type { ArtifactEntry, RunMeta, SnapshotRef, TaskManifest } from "../datastore/Manifest.js"
import { IntegrityError } from "../errors.js"
import { setOwnProperty } from "../ownProperty.js"
import { freezeValue } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"
import type { TaskAt } from "./spinTarget.js"

/** A task attempt's manifest and the run that holds it. */
export interface SourceManifest {
  readonly manifest: TaskManifest
  readonly runId: string
}

/** The id of the task of `at` that the task `taskId` ran under: "3.1.4" at depth 2 is "3.1", at depth 0 "0". */
export const taskIdAt = (taskId: string, depth: number): string =>
  depth === 0 ? "0" : taskId.split(".").slice(0, depth).join(".")

const NO_TASKS: ReadonlyMap<string, ReadonlyArray<ManifestRecord>> = new Map()

export class PastRun {
  private constructor(
    readonly store: Datastore,
    readonly meta: RunMeta,
    private readonly snapshots: Snapshots,
    private readonly values: Map<string, Promise<unknown>>
  ) {}

  /** A past run of a flow in `store`. */
  static open(store: Datastore, meta: RunMeta): PastRun {
    return new PastRun(store, meta, new Snapshots(store, meta.flow, meta), new Map())
  }

  /**
   * Another run of the same flow, sharing what was read and loaded: the run a task's record comes from when
   * the task was reused from it by a resumed run, or spun from it by a persisted spin.
   */
  async other(runId: string): Promise<PastRun> {
    if (runId === this.meta.runId) return this
    const { meta } = await this.snapshots.run(runId)
    return new PastRun(this.store, meta, this.snapshots, this.values)
  }

  get runId(): string {
    return this.meta.runId
  }

  /** A step's committed attempts, by task id. */
  async tasksOf(step: string): Promise<ReadonlyMap<string, ReadonlyArray<ManifestRecord>>> {
    const index = await this.snapshots.run(this.meta.runId, this.meta)
    return index.tasks.get(step) ?? NO_TASKS
  }

  /** Every step with at least one committed attempt. */
  async stepsThatRan(): Promise<ReadonlyArray<string>> {
    return [...(await this.snapshots.run(this.meta.runId, this.meta)).tasks.keys()]
  }

  /** The latest committed attempt of a task, as a reference. */
  async latest(at: TaskAt, taskId: string): Promise<SnapshotRef> {
    const id = taskIdAt(taskId, at.depth)
    const attempts = (await this.tasksOf(at.step)).get(id)
    const record = attempts?.at(-1)
    if (record === undefined) {
      throw new IntegrityError(
        `artiflow: run '${this.runId}' of flow '${this.meta.flow}' has no task '${at.step}/${id}', which task '${taskId}' ran after: the run is incomplete or damaged`
      )
    }
    return { runId: this.runId, step: record.step, taskId: record.taskId, attempt: record.attempt }
  }

  /**
   * The attempt that really ran a task: the task itself, or, for a task a resumed run reused, the attempt in
   * the earlier run it refers to (its own manifest only points there).
   */
  async source(ref: SnapshotRef): Promise<SourceManifest> {
    let current: SourceManifest = { manifest: await this.snapshots.manifest(ref), runId: ref.runId }
    const seen = new Set<string>()
    while (current.manifest.originTaskId !== undefined && current.manifest.base !== undefined) {
      const base: SnapshotRef = current.manifest.base
      const key = `${base.runId}\u0000${base.step}\u0000${base.taskId}\u0000${base.attempt}`
      if (seen.has(key)) {
        throw new IntegrityError(`artiflow: flow '${this.meta.flow}': reused task '${base.step}/${base.taskId}' refers to itself`)
      }
      seen.add(key)
      current = { manifest: await this.snapshots.manifest(base), runId: base.runId }
    }
    return current
  }

  /** How each artifact of a snapshot is stored: a task attempt's, or, without a ref, the parameters of `rootRunId`. */
  async entries(ref: SnapshotRef | undefined, rootRunId: string): Promise<ReadonlyMap<string, ArtifactEntry>> {
    if (ref === undefined) return new Map(Object.entries((await this.snapshots.run(rootRunId)).meta.params))
    return this.snapshots.entries(ref.runId, await this.snapshots.manifest(ref))
  }

  /** A snapshot with every value loaded and frozen, as a run holds it in memory. */
  async snapshot(ref: SnapshotRef | undefined, rootRunId: string): Promise<Snapshot> {
    const entries = await this.entries(ref, rootRunId)
    const values: Record<string, unknown> = {}
    for (const [name, entry] of entries) setOwnProperty(values, name, await this.value(entry, ref, name))
    return { values: Object.freeze(values), entries, ref }
  }

  /** One artifact value, loaded (and its hash verified) once per content, frozen. */
  value(entry: ArtifactEntry, ref: SnapshotRef | undefined, artifact: string): Promise<unknown> {
    const key = `${entry.hash}\u0000${entry.encoding}\u0000${entry.type}`
    const known = this.values.get(key)
    if (known !== undefined) return known
    const task = ref ?? { runId: this.runId, step: "(params)", taskId: "-" }
    const where = { flow: this.meta.flow, runId: task.runId, step: task.step, taskId: task.taskId, artifact }
    const loading = loadValue(this.store, entry, where).then(freezeValue)
    this.values.set(key, loading)
    return loading
  }
}
