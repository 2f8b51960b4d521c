/**
 * What every task of one run shares: the flow, the store, the run id, the worker pool, the cancellation
 * signal and the first failure. The first task to fail for good records itself and aborts the run's
 * signal; tasks not yet started then stop before their first attempt, running ones see `ctx.signal` abort.
 */
import type { Datastore } from "../datastore/Datastore.js"
import type { TaskManifest } from "../datastore/Manifest.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { RunAbortedError } from "../errors.js"
import type { Semaphore } from "./Semaphore.js"

/** A line written with `ctx.log`, with where it came from. */
export interface LogLine {
  readonly flow: string
  readonly runId: string
  readonly step: string
  readonly taskId: string
  readonly attempt: number
  readonly text: string
}

/** The task that made the run fail, and why. */
export interface TaskFailure {
  readonly step: string
  readonly taskId: string
  readonly cause: unknown
}

/** Thrown through the walk once the run has failed, so that every pending branch unwinds. */
export class RunStopped extends Error {
  constructor() {
    super("artiflow: the run stopped")
  }
}

export class RunEnv {
  private readonly controller = new AbortController()
  private firstFailure: TaskFailure | undefined

  constructor(
    readonly flow: FlowValue,
    readonly store: Datastore,
    readonly runId: string,
    readonly originRunId: string | undefined,
    readonly params: ReadonlySet<string>,
    readonly workers: Semaphore,
    readonly log: (line: LogLine) => void,
    userSignal: AbortSignal | undefined
  ) {
    if (userSignal !== undefined) {
      const onAbort = (): void =>
        this.fail({ step: "(run)", taskId: "-", cause: new RunAbortedError(`artiflow: run '${runId}' was aborted`) })
      if (userSignal.aborted) onAbort()
      else userSignal.addEventListener("abort", onAbort, { once: true })
    }
  }

  /** Aborted once the run fails or is cancelled. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  get failure(): TaskFailure | undefined {
    return this.firstFailure
  }

  /** Records the first failure and stops the run. */
  fail(failure: TaskFailure): void {
    if (this.firstFailure !== undefined) return
    this.firstFailure = failure
    this.controller.abort(failure.cause)
  }

  /** Throws `RunStopped` when the run has already failed: call before starting work. */
  checkRunning(): void {
    if (this.firstFailure !== undefined) throw new RunStopped()
  }

  commit(manifest: TaskManifest): Promise<void> {
    return this.store.commitManifests(this.flow.name, this.runId, [manifest])
  }
}
