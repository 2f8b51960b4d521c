/**
 * A task of a past run, as a reader sees it: its latest committed attempt (or another one with
 * `attemptAt(n)`), its status and error, and its artifacts, loaded one at a time and verified.
 */
import type { ArtifactEntry, Compression, Encoding, StoredError, StoredFrame, TaskManifest } from "../datastore/Manifest.js"
import { loadValue } from "../datastore/load.js"
import type { Datastore, ManifestRecord } from "../datastore/Datastore.js"
import { NotFoundError } from "../errors.js"
import { listNames } from "../listing.js"
import { lineageOf, readsOf } from "./lineage.js"
import type { ArtifactRead, LineageNode, LineageOptions } from "./lineage.js"
import type { Snapshots } from "./Snapshots.js"

/** How an artifact is stored. */
export interface ArtifactInfo {
  /** sha256 of the encoded bytes, before any compression: equal values have equal hashes. */
  readonly hash: string
  /** Size of the encoded bytes, before any compression. */
  readonly size: number
  readonly type: string
  readonly encoding: Encoding
  /** Set when the store holds the bytes compressed: how many bytes it holds, and how they were compressed. */
  readonly stored?: { readonly size: number; readonly compression: Compression }
}

export class TaskHandle {
  /** @internal */
  constructor(
    private readonly store: Datastore,
    private readonly snapshots: Snapshots,
    private readonly runId: string,
    private readonly record: ManifestRecord,
    private readonly committed: ReadonlyArray<ManifestRecord>
  ) {}

  /** Decoded on first use: listing a step's 10,000 tasks decodes none of their manifests. */
  private get manifest(): TaskManifest {
    return this.record.manifest()
  }

  /** The foreach index path joined with "." ("3", "3.1"), or "0" outside any foreach. */
  get id(): string {
    return this.record.taskId
  }

  get step(): string {
    return this.record.step
  }

  /** The task's index in its (innermost) foreach, or `undefined` outside any foreach. */
  get index(): number | undefined {
    return this.manifest.foreachStack.at(-1)?.index
  }

  get foreachStack(): ReadonlyArray<StoredFrame> {
    return this.manifest.foreachStack
  }

  get status(): TaskManifest["status"] {
    return this.manifest.status
  }

  /** This handle's attempt number (0 for the first try). */
  get attempt(): number {
    return this.record.attempt
  }

  /** The attempt's error: why it failed, or what `catch` caught. */
  get error(): StoredError | undefined {
    return this.manifest.error
  }

  /** For a task cloned by a resumed run: the task id in the origin run. */
  get originTaskId(): string | undefined {
    return this.manifest.originTaskId
  }

  /**
   * Set when the step cache answered this task (its function did not run): the run and task that computed
   * its outputs, through any chain of cache hits.
   */
  get cachedFrom(): { readonly runId: string; readonly taskId: string } | undefined {
    const from = this.manifest.cachedFrom
    return from === undefined ? undefined : { runId: from.runId, taskId: from.taskId }
  }

  get startedAt(): number {
    return this.manifest.startedAt
  }

  get finishedAt(): number {
    return this.manifest.finishedAt
  }

  /**
   * The process that ran this attempt (`{ host, pid }`): the one that called `run` in process, or a worker's
   * (worker threads run in the calling process). Undefined for a task a resumed run reused, and for runs
   * stored before it was recorded.
   */
  get worker(): { readonly host: string; readonly pid: number } | undefined {
    const worker = this.manifest.worker
    return worker === undefined ? undefined : { host: worker.host, pid: worker.pid }
  }

  /** Lines the attempt wrote with `ctx.log`. */
  get logs(): ReadonlyArray<string> {
    return this.manifest.logs ?? []
  }

  /** The artifacts of this attempt's snapshot, by name (a failed attempt has its base's artifacts). */
  private entries(): Promise<ReadonlyMap<string, ArtifactEntry>> {
    return this.snapshots.entries(this.runId, this.manifest)
  }

  private async entry(name: string): Promise<ArtifactEntry> {
    const entries = await this.entries()
    const entry = entries.get(name)
    if (entry === undefined) {
      throw new NotFoundError(
        `artiflow: task '${this.step}/${this.id}' of run '${this.runId}' has no artifact '${name}' (artifacts: ${listNames([...entries.keys()].sort())})`
      )
    }
    return entry
  }

  /** Loads one artifact, verifying its hash. */
  async artifact(name: string): Promise<unknown> {
    const entry = await this.entry(name)
    return loadValue(this.store, entry, {
      flow: this.snapshots.flow,
      runId: this.runId,
      step: this.step,
      taskId: this.id,
      artifact: name
    })
  }

  /** The names of the task's artifacts, sorted. */
  async artifactNames(): Promise<ReadonlyArray<string>> {
    return [...(await this.entries()).keys()].sort()
  }

  /** How an artifact is stored, without loading it. */
  async info(name: string): Promise<ArtifactInfo> {
    const { hash, size, type, encoding, stored } = await this.entry(name)
    const compressed = stored === undefined ? {} : { stored: { size: stored.size, compression: stored.compression } }
    return { hash, size, type, encoding, ...compressed }
  }

  private located(): { ref: { runId: string; step: string; taskId: string; attempt: number }; manifest: TaskManifest } {
    return { ref: { runId: this.runId, step: this.step, taskId: this.id, attempt: this.attempt }, manifest: this.manifest }
  }

  /**
   * What this attempt's function read (DESIGN.md §9), sorted by name (a join's own record first, then each
   * input it read from): each artifact's name, hash, and the task that produced the value read (`step:
   * "_parameters"` for a parameter or config). Empty for a failed attempt and for runs stored before reads
   * were recorded.
   *
   * @example
   * const [read] = await (await client.run("Train")).step("fit").task("0").then((t) => t.reads())
   * read // { name: "seed", hash: "9f2c…", producer: { runId: "1733…", step: "start", taskId: "0" } }
   */
  reads(): Promise<ReadonlyArray<ArtifactRead>> {
    return readsOf(this.snapshots, this.located())
  }

  /**
   * The tree of tasks behind artifact `name` of this task's record: rooted at the task that produced it (this
   * task, or the earlier one it inherited the value from), each node listing what its task read and, for each
   * read, the lineage of the value read, `depth` levels of tasks deep (default 3).
   *
   * @example
   * const tree = await task.lineage("best", { depth: 2 })
   * tree.step            // "pick"
   * tree.reads[0]        // { name: "score", hash, producer: { step: "fit", ... }, input: "0", lineage: { ... } }
   */
  lineage(name: string, options?: LineageOptions): Promise<LineageNode> {
    return lineageOf(this.snapshots, this.located(), name, options)
  }

  /**
   * Attempt `n` of this task (0 for the first try). DESIGN.md names both the attempt number and this method
   * `attempt`; a property cannot be both, so the number is `attempt` and the method is `attemptAt`.
   */
  attemptAt(n: number): TaskHandle {
    const found = this.committed.find((m) => m.attempt === n)
    if (found === undefined) {
      throw new NotFoundError(
        `artiflow: task '${this.step}/${this.id}' of run '${this.runId}' has no attempt ${n} (attempts: ${this.committed.map((m) => m.attempt).join(", ")})`
      )
    }
    return new TaskHandle(this.store, this.snapshots, this.runId, found, this.committed)
  }

  /** Every committed attempt of this task, first to last. */
  attempts(): ReadonlyArray<TaskHandle> {
    return this.committed.map((m) => new TaskHandle(this.store, this.snapshots, this.runId, m, this.committed))
  }
}
