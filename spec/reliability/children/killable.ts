/**
 * Child process of the crash harness: runs (or resumes) the {@link Crash} flow on a store, and may be killed
 * with SIGKILL while it does. The store is a location, as `storeAt` takes it: a directory (a local store) or
 * `s3://bucket/prefix` (an S3 store, reached with the AWS environment the parent gives the child).
 *
 *     node killable.js '<JSON of KillableJob>'
 *
 * It prints `ready` once everything is loaded and the run is about to start (the parent times its kills from
 * there), and, if nobody killed it, one line of JSON ({@link KillableResult}) when the run has succeeded.
 *
 * With `selfKill`, the child sends itself SIGKILL at its `point`-th persistence call (blob write, run
 * creation or update, manifest commit), `turns` turns of the event loop after starting it (0: just before),
 * or `afterMs` milliseconds after (an S3 request takes milliseconds, not turns): the kill then lands at an
 * exact place inside persistence (between a temp file's write and its rename, amid the parts of a multipart
 * upload), where a timer in the parent lands wherever the run happens to be. The kernel delivers a SIGKILL the
 * same way whoever sends it: no handler runs, no buffer is flushed, threads doing I/O die with the process.
 */
import { resume, run, storeAt } from "../../../lib/index.js"
import type { BlobInfo, Datastore, RunMeta, TagChange, TaskManifest } from "../../../lib/index.js"
import { Crash } from "./crashFlow.js"

/** Where a child kills itself. */
export interface SelfKill {
  /** The persistence call to die in: the `point`-th (of blob writes larger than `minBlobBytes`, when given). */
  readonly point: number
  readonly minBlobBytes?: number
  /** Turns of the event loop after the call starts (0: just before it)... */
  readonly turns?: number
  /** ...or milliseconds after it starts. */
  readonly afterMs?: number
}

/** What the parent asks a child to do. */
export interface KillableJob {
  /** The store's location: a directory, or `s3://bucket/prefix`. */
  readonly store: string
  readonly runId: string
  /** Resume this run; without it, start a new run. */
  readonly origin?: string
  /** Parameters of a new run (a resume takes its origin's). */
  readonly params?: { readonly bulkBytes?: number }
  readonly selfKill?: SelfKill
}

/** What a child that was not killed reports. */
export interface KillableResult {
  readonly runId: string
  /** Persistence calls the run made (the range a self-kill point is drawn from). */
  readonly persistCalls: number
  /** From `ready` to the end of the run. */
  readonly runMs: number
}

const die = (): void => {
  process.kill(process.pid, "SIGKILL")
}

const afterTurns = (turns: number, then: () => void): void => {
  if (turns <= 0) then()
  else setImmediate(() => afterTurns(turns - 1, then))
}

/** Delegates to `inner`, counting the calls that write, and dies at the planned one. */
class KillSwitch implements Datastore {
  calls = 0
  /** Calls that count towards the plan's point. */
  private counted = 0

  constructor(
    private readonly inner: Datastore,
    private readonly plan: SelfKill | undefined
  ) {}

  get description(): string {
    return this.inner.description
  }

  get preferredConcurrency(): number | undefined {
    return this.inner.preferredConcurrency
  }

  private writing<T>(call: () => Promise<T>, blobBytes?: number): Promise<T> {
    this.calls++
    const plan = this.plan
    if (plan === undefined) return call()
    if (plan.minBlobBytes !== undefined && (blobBytes === undefined || blobBytes <= plan.minBlobBytes)) return call()
    this.counted++
    if (this.counted !== plan.point) return call()
    if (plan.afterMs !== undefined) {
      const pending = call()
      setTimeout(die, plan.afterMs)
      return pending
    }
    const turns = plan.turns ?? 0
    if (turns === 0) die()
    const pending = call()
    afterTurns(turns, die)
    return pending
  }

  writeBlob(bytes: Uint8Array): Promise<BlobInfo> {
    return this.writing(() => this.inner.writeBlob(bytes), bytes.byteLength)
  }
  createRun(meta: RunMeta): Promise<void> {
    return this.writing(() => this.inner.createRun(meta))
  }
  updateRun(meta: RunMeta): Promise<void> {
    return this.writing(() => this.inner.updateRun(meta))
  }
  commitManifests(flow: string, runId: string, manifests: ReadonlyArray<TaskManifest>): Promise<void> {
    return this.writing(() => this.inner.commitManifests(flow, runId, manifests))
  }
  updateTags(flow: string, runId: string, change: TagChange): Promise<ReadonlyArray<string>> {
    return this.writing(() => this.inner.updateTags(flow, runId, change))
  }
  hasBlob(hash: string) {
    return this.inner.hasBlob(hash)
  }
  readBlob(hash: string) {
    return this.inner.readBlob(hash)
  }
  readRun(flow: string, runId: string) {
    return this.inner.readRun(flow, runId)
  }
  listRuns(flow: string) {
    return this.inner.listRuns(flow)
  }
  listFlows() {
    return this.inner.listFlows()
  }
  readManifests(flow: string, runId: string) {
    return this.inner.readManifests(flow, runId)
  }
}

const job = JSON.parse(process.argv[2] ?? "{}") as KillableJob
const store = new KillSwitch(storeAt(job.store), job.selfKill)
const quiet = (): void => {}

process.stdout.write("ready\n")
const started = performance.now()
const result =
  job.origin === undefined
    ? await run(Crash, { store, runId: job.runId, params: job.params ?? {}, log: quiet })
    : await resume(Crash, { store, origin: job.origin, runId: job.runId, log: quiet })
const report: KillableResult = { runId: result.runId, persistCalls: store.calls, runMs: performance.now() - started }
process.stdout.write(`${JSON.stringify(report)}\n`)
