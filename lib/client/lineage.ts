/**
 * Lineage on the read side (DESIGN.md §9): what a task read, which task produced each value it read, and the
 * tree of producers behind an artifact. A manifest records its reads as name -> hash; the producer of a read
 * is found by walking the reader's base chain (across runs, for resumed and cached tasks) to the nearest
 * manifest that wrote that name. A name no manifest wrote is a parameter (or config): its producer is the
 * run's `_parameters` pseudo-step (no real step name starts with `_`), as in Metaflow.
 */
import type { SnapshotRef, TaskManifest } from "../datastore/Manifest.js"
import { NotFoundError } from "../errors.js"
import { listNames } from "../listing.js"
import type { Snapshots } from "./Snapshots.js"

/** The step name that stands for a run's parameters and configs as the producer of their values. */
export const PARAMETERS_STEP = "_parameters"

/** The task that produced a value: its run, step and task id. */
export interface Producer {
  readonly runId: string
  readonly step: string
  readonly taskId: string
}

/** One artifact a task's function read. */
export interface ArtifactRead {
  readonly name: string
  /** sha256 of the value's encoding, as in `task.info(name).hash`. */
  readonly hash: string
  /** The task that wrote the value read (`step: "_parameters"` for a parameter or config). */
  readonly producer: Producer
  /** For a join: the input it was read from (a split branch's name, a foreach task's index); absent for its own record. */
  readonly input?: string
}

/** A read in a lineage tree: the read, and the lineage of the value read (absent past the depth, and for parameters). */
export interface LineageRead extends ArtifactRead {
  readonly lineage?: LineageNode
}

/** A task that produced an artifact, and what it read to produce it: a node of `task.lineage(name)`'s tree. */
export interface LineageNode extends Producer {
  /** The artifact this node explains. */
  readonly artifact: string
  readonly hash: string
  /** Set when the step cache answered the task: where the value was computed. */
  readonly cachedFrom?: { readonly runId: string; readonly taskId: string }
  /** What the task read (for a parameter: nothing). */
  readonly reads: ReadonlyArray<LineageRead>
}

/** Options of `task.lineage`. */
export interface LineageOptions {
  /** How many levels of producing tasks the tree holds, the root included (default 3; at least 1). */
  readonly depth?: number
}

/** The default depth of `task.lineage`. */
export const DEFAULT_LINEAGE_DEPTH = 3

/** A committed attempt and where it is. */
interface Located {
  readonly ref: SnapshotRef
  readonly manifest: TaskManifest
}

const producerOf = (ref: SnapshotRef): Producer => ({ runId: ref.runId, step: ref.step, taskId: ref.taskId })

/**
 * The attempt that wrote `name` in the snapshot of `start` (itself included), or the run whose parameters hold
 * it (`ref` undefined), walking base refs down.
 */
const findProducer = async (
  snapshots: Snapshots,
  start: Located,
  name: string
): Promise<{ readonly located: Located | undefined; readonly runId: string }> => {
  const seen = new Set<string>()
  let current: Located | undefined = start
  let runId = start.ref.runId
  while (current !== undefined) {
    if (Object.hasOwn(current.manifest.artifacts, name)) return { located: current, runId }
    const key = `${current.ref.runId}\u0000${current.ref.step}\u0000${current.ref.taskId}\u0000${current.ref.attempt}`
    // A crafted store can make a chain loop: stop, and let the entry resolution (Snapshots) report it.
    if (seen.has(key)) break
    seen.add(key)
    runId = current.ref.runId
    const base: SnapshotRef | undefined = current.manifest.base
    current = base === undefined ? undefined : { ref: base, manifest: await snapshots.manifest(base) }
  }
  return { located: undefined, runId }
}

const parameters = (runId: string): Producer => ({ runId, step: PARAMETERS_STEP, taskId: "0" })

/** Where a read came from: the input's snapshot for a join's input read, else the reader's base. */
const readOrigin = async (
  snapshots: Snapshots,
  reader: Located,
  from: SnapshotRef | undefined
): Promise<Located | undefined> => {
  const ref = from ?? reader.manifest.base
  return ref === undefined ? undefined : { ref, manifest: await snapshots.manifest(ref) }
}

/** What was read from one record: the reader's own, or one join input's (`from`: its snapshot). */
interface ReadGroup {
  readonly input?: string
  readonly from?: SnapshotRef
  /** name -> hash; a hash undefined is looked up in `from`'s snapshot (compact foreach join reads). */
  readonly reads: Readonly<Record<string, string | undefined>>
}

/** A foreach join's compact reads (StoredForeachReads) as one group per input, in index order. */
const foreachGroups = (manifest: TaskManifest): ReadonlyArray<ReadGroup> => {
  const compact = manifest.foreachReads
  if (compact === undefined) return []
  const groups: Array<ReadGroup & { readonly index: number }> = []
  for (const group of compact.groups) {
    const reads = Object.fromEntries(group.names.map((name) => [name, undefined]))
    for (const [index, attempt] of group.inputs) {
      const from = { runId: compact.runId, step: compact.step, taskId: `${compact.prefix}${index}`, attempt }
      groups.push({ index, input: String(index), from, reads })
    }
  }
  return groups.sort((a, b) => a.index - b.index)
}

/** The reads of a task (its own record's, then each join input's), each with the attempt that produced it. */
const resolveReads = async (
  snapshots: Snapshots,
  reader: Located
): Promise<ReadonlyArray<ArtifactRead & { readonly located: Located | undefined }>> => {
  const groups: Array<ReadGroup> = [
    { reads: reader.manifest.reads ?? {} },
    ...(reader.manifest.inputReads ?? []).map((group) => ({ input: group.input, from: group.from, reads: group.reads })),
    ...foreachGroups(reader.manifest)
  ]
  const out: Array<ArtifactRead & { readonly located: Located | undefined }> = []
  for (const group of groups) {
    const origin = await readOrigin(snapshots, reader, group.from)
    const lookUp = origin !== undefined && Object.values(group.reads).some((hash) => hash === undefined)
    const entries = lookUp ? await snapshots.entries(origin.ref.runId, origin.manifest) : undefined
    for (const name of Object.keys(group.reads).sort()) {
      const hash = group.reads[name] ?? entries?.get(name)?.hash
      if (hash === undefined) continue
      const found = origin === undefined ? { located: undefined, runId: reader.ref.runId } : await findProducer(snapshots, origin, name)
      const producer = found.located === undefined ? parameters(found.runId) : producerOf(found.located.ref)
      out.push({ name, hash, producer, ...(group.input !== undefined && { input: group.input }), located: found.located })
    }
  }
  return out
}

/** A task a resumed run cloned stands for its origin's attempt (its base): that one's function ran. */
const ranAt = async (snapshots: Snapshots, task: Located): Promise<Located> => {
  const base = task.manifest.base
  if (task.manifest.originTaskId === undefined || base === undefined) return task
  return { ref: base, manifest: await snapshots.manifest(base) }
}

/** `task.reads()`: what the task's function read, with producers (a cloned task: what its origin read). */
export const readsOf = async (snapshots: Snapshots, reader: Located): Promise<ReadonlyArray<ArtifactRead>> =>
  (await resolveReads(snapshots, await ranAt(snapshots, reader))).map(({ located: _located, ...read }) => read)

/** The lineage node of `artifact` as produced by `producer`, `depth` levels deep. */
const nodeOf = async (
  snapshots: Snapshots,
  producer: Located,
  artifact: string,
  hash: string,
  depth: number,
  memo: Map<string, Promise<LineageNode>>
): Promise<LineageNode> => {
  const key = `${producer.ref.runId}\u0000${producer.ref.step}\u0000${producer.ref.taskId}\u0000${producer.ref.attempt}\u0000${artifact}\u0000${depth}`
  const known = memo.get(key)
  if (known !== undefined) return known
  const building = (async (): Promise<LineageNode> => {
    const reads: Array<LineageRead> = []
    for (const { located, ...read } of await resolveReads(snapshots, producer)) {
      const lineage = depth > 1 && located !== undefined ? await nodeOf(snapshots, located, read.name, read.hash, depth - 1, memo) : undefined
      reads.push(lineage === undefined ? read : { ...read, lineage })
    }
    const cachedFrom = producer.manifest.cachedFrom
    return {
      ...producerOf(producer.ref),
      artifact,
      hash,
      ...(cachedFrom !== undefined && { cachedFrom: { runId: cachedFrom.runId, taskId: cachedFrom.taskId } }),
      reads
    }
  })()
  memo.set(key, building)
  return building
}

/**
 * `task.lineage(name)`: the tree rooted at the task that produced `name` as `task` sees it (the task itself,
 * or the earlier task it inherited the value from).
 */
export const lineageOf = async (
  snapshots: Snapshots,
  task: Located,
  name: string,
  options: LineageOptions = {}
): Promise<LineageNode> => {
  const depth = options.depth ?? DEFAULT_LINEAGE_DEPTH
  if (!Number.isInteger(depth) || depth < 1) {
    throw new RangeError(`artiflow: lineage option 'depth' must be a whole number of at least 1, not ${String(depth)}`)
  }
  const entries = await snapshots.entries(task.ref.runId, task.manifest)
  const entry = entries.get(name)
  if (entry === undefined) {
    throw new NotFoundError(
      `artiflow: task '${task.ref.step}/${task.ref.taskId}' of run '${task.ref.runId}' has no artifact '${name}' (artifacts: ${listNames([...entries.keys()].sort())})`
    )
  }
  const found = await findProducer(snapshots, task, name)
  if (found.located === undefined) return { ...parameters(found.runId), artifact: name, hash: entry.hash, reads: [] }
  return nodeOf(snapshots, found.located, name, entry.hash, depth, new Map())
}
