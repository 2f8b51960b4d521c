/**
 * Child process of the crash harness: runs (or resumes) the {@link Crash} flow on a local store, and may be
 * killed with SIGKILL while it does.
 *
 *     node killable.js '<JSON of KillableJob>'
 *
 * It prints `ready` once everything is loaded and the run is about to start (the parent times its kills from
 * there), and, if nobody killed it, one line of JSON ({@link KillableResult}) when the run has succeeded.
 *
 * With `selfKill`, the child sends itself SIGKILL at its `point`-th persistence call (blob write, run
 * creation or update, manifest commit), `turns` turns of the event loop after starting it (0: just before):
 * the kill then lands at an exact place inside persistence (between a temp file's write and its rename,
 * say), where a timer in the parent lands wherever the run happens to be. The kernel delivers a SIGKILL the
 * same way whoever sends it: no handler runs, no buffer is flushed, threads doing I/O die with the process.
 */
import { localStore, resume, run } from "../../../lib/index.js"
import type { BlobInfo, Datastore, RunMeta, TagChange, TaskManifest } from "../../../lib/index.js"
import { Crash } from "./crashFlow.js"

/** What the parent asks a child to do. */
export interface KillableJob {
  readonly store: string
  readonly runId: string
  /** Resume this run; without it, start a new run. */
  readonly origin?: string
  readonly selfKill?: { readonly point: number; readonly turns: number }
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

  constructor(
    private readonly inner: Datastore,
    private readonly plan: KillableJob["selfKill"]
  ) {}

  get description(): string {
    return this.inner.description
  }

  private writing<T>(call: () => Promise<T>): Promise<T> {
    this.calls++
    if (this.plan === undefined || this.calls !== this.plan.point) return call()
    if (this.plan.turns === 0) die()
    const pending = call()
    afterTurns(this.plan.turns, die)
    return pending
  }

  writeBlob(bytes: Uint8Array): Promise<BlobInfo> {
    return this.writing(() => this.inner.writeBlob(bytes))
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
const store = new KillSwitch(localStore(job.store), job.selfKill)
const quiet = (): void => {}

process.stdout.write("ready\n")
const started = performance.now()
const result =
  job.origin === undefined
    ? await run(Crash, { store, runId: job.runId, log: quiet })
    : await resume(Crash, { store, origin: job.origin, runId: job.runId, log: quiet })
const report: KillableResult = { runId: result.runId, persistCalls: store.calls, runMs: performance.now() - started }
process.stdout.write(`${JSON.stringify(report)}\n`)
