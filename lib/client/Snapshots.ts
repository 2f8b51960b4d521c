/**
 * Rebuilds task snapshots from manifests. A manifest is a delta over its `base` (another task's snapshot,
 * possibly in another run when a run was resumed), so a task's artifacts are its base's artifacts plus its
 * own. Manifests are read once per run and resolved snapshots are memoized: reading one artifact of a run
 * with 10,000 tasks reads one manifest log and walks one chain.
 */
import type { Datastore, ManifestRecord } from "../datastore/Datastore.js"
import { decodedRecord } from "../datastore/records.js"
import type { ArtifactEntry, RunMeta, SnapshotRef, TaskManifest } from "../datastore/Manifest.js"
import { IntegrityError, NotFoundError } from "../errors.js"

const keyOf = (ref: { readonly runId: string; readonly step: string; readonly taskId: string; readonly attempt: number }): string =>
  `${ref.runId}\u0000${ref.step}\u0000${ref.taskId}\u0000${ref.attempt}`

/** One run's manifests, indexed; each manifest is decoded when first used. */
export interface RunIndex {
  readonly meta: RunMeta
  /** step -> taskId -> attempts, in attempt order. */
  readonly tasks: ReadonlyMap<string, ReadonlyMap<string, ReadonlyArray<ManifestRecord>>>
}

/** A run's manifests, decoded lazily when the store can do that. */
const readRecords = async (store: Datastore, flow: string, runId: string): Promise<ReadonlyArray<ManifestRecord>> =>
  store.readManifestRecords !== undefined
    ? store.readManifestRecords(flow, runId)
    : (await store.readManifests(flow, runId)).map(decodedRecord)

/** Indexes a run's records by step and task; a task's attempts in attempt order. */
const indexRun = (meta: RunMeta, manifests: ReadonlyArray<ManifestRecord>): RunIndex => {
  const tasks = new Map<string, Map<string, Array<ManifestRecord>>>()
  // Attempts are committed in order, so sorting (10,000 calls for a wide foreach) is only for other stores.
  let unordered = false
  // Records of one step come in runs (a foreach commits its tasks together): look the step up when it changes.
  let step: string | undefined
  let byTask = new Map<string, Array<ManifestRecord>>()
  for (const manifest of manifests) {
    if (manifest.step !== step) {
      step = manifest.step
      const known = tasks.get(step)
      if (known === undefined) tasks.set(step, (byTask = new Map()))
      else byTask = known
    }
    const attempts = byTask.get(manifest.taskId)
    if (attempts === undefined) {
      byTask.set(manifest.taskId, [manifest])
    } else {
      unordered ||= (attempts.at(-1) as ManifestRecord).attempt > manifest.attempt
      attempts.push(manifest)
    }
  }
  if (unordered) {
    for (const byTask of tasks.values()) for (const attempts of byTask.values()) attempts.sort((a, b) => a.attempt - b.attempt)
  }
  return { meta, tasks }
}

export class Snapshots {
  private readonly runs = new Map<string, Promise<RunIndex>>()
  private readonly resolved = new Map<string, ReadonlyMap<string, ArtifactEntry>>()

  constructor(
    private readonly store: Datastore,
    readonly flow: string,
    /** Metadata the caller already read (a run it opened), so that indexing that run does not read it again. */
    private readonly known?: RunMeta
  ) {}

  /** A run's metadata and manifests (read once). */
  run(runId: string, meta?: RunMeta): Promise<RunIndex> {
    const cached = this.runs.get(runId)
    if (cached !== undefined) return cached
    const loading = (async () => {
      const given = meta ?? (this.known?.runId === runId ? this.known : undefined)
      const known = given ?? (await this.store.readRun(this.flow, runId))
      if (known === undefined) throw new NotFoundError(`artiflow: flow '${this.flow}' has no run '${runId}' in the ${this.store.description}`)
      return indexRun(known, await readRecords(this.store, this.flow, runId))
    })()
    this.runs.set(runId, loading)
    loading.catch(() => this.runs.delete(runId))
    return loading
  }

  /** The manifest a snapshot ref points to. */
  async manifest(ref: SnapshotRef): Promise<TaskManifest> {
    const index = await this.run(ref.runId)
    const found = index.tasks.get(ref.step)?.get(ref.taskId)?.find((m) => m.attempt === ref.attempt)?.manifest()
    if (found === undefined) {
      throw new IntegrityError(
        `artiflow: flow '${this.flow}': a snapshot refers to run '${ref.runId}', step '${ref.step}', task '${ref.taskId}', attempt ${ref.attempt}, which is not committed`
      )
    }
    return found
  }

  /** Every artifact entry of a task attempt's snapshot, by name. */
  async entries(runId: string, manifest: TaskManifest): Promise<ReadonlyMap<string, ArtifactEntry>> {
    const key = keyOf({ runId, ...manifest })
    const cached = this.resolved.get(key)
    if (cached !== undefined) return cached
    // Walk down to the root iteratively: chains are as long as the flow (1,000 steps is not a stack to recurse).
    const chain: Array<{ runId: string; manifest: TaskManifest }> = []
    let current: { runId: string; manifest: TaskManifest } | undefined = { runId, manifest }
    let start: ReadonlyMap<string, ArtifactEntry> | undefined
    const visited = new Set<string>()
    while (current !== undefined) {
      const currentKey = keyOf({ runId: current.runId, ...current.manifest })
      const hit = this.resolved.get(currentKey)
      if (hit !== undefined) {
        start = hit
        break
      }
      // A crafted or damaged store can make a base chain loop back on itself: never walk it forever.
      if (visited.has(currentKey)) {
        throw new IntegrityError(
          `artiflow: flow '${this.flow}': the snapshot of run '${current.runId}', step '${current.manifest.step}', task '${current.manifest.taskId}' is its own base (a loop in the store's manifests)`
        )
      }
      visited.add(currentKey)
      chain.push(current)
      const base: SnapshotRef | undefined = current.manifest.base
      current = base === undefined ? undefined : { runId: base.runId, manifest: await this.manifest(base) }
    }
    let entries: ReadonlyMap<string, ArtifactEntry> =
      start ?? new Map(Object.entries((await this.run(chain.at(-1)?.runId ?? runId)).meta.params))
    for (const link of chain.reverse()) {
      const next = new Map(entries)
      for (const name of link.manifest.removed ?? []) next.delete(name)
      for (const [name, entry] of Object.entries(link.manifest.artifacts)) next.set(name, entry)
      this.resolved.set(keyOf({ runId: link.runId, ...link.manifest }), next)
      entries = next
    }
    return entries
  }
}
