/**
 * What every task of one run shares: the flow, the store, the run id, the worker pool, the cancellation
 * signal and the first failure. The first task to fail for good records itself and aborts the run's
 * signal; tasks not yet started then stop before their first attempt, running ones see `ctx.signal` abort.
 */
import { setMaxListeners } from "node:events"
import type { Datastore } from "../datastore/Datastore.js"
import type { TaskManifest } from "../datastore/Manifest.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { RunAbortedError } from "../errors.js"
import type { ExecutorSession } from "../executor/Executor.js"
import type { RunEvent } from "./events.js"
import type { ReusePlan } from "./reuse.js"
import type { Semaphore } from "./Semaphore.js"
import { StepCache } from "./stepCache.js"
import type { CacheMode } from "../dsl/cacheMode.js"

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

/** What a run is given to start with. */
export interface RunEnvConfig {
  readonly flow: FlowValue
  readonly store: Datastore
  readonly runId: string
  readonly workers: Semaphore
  /** Where the run's attempts execute (the executor's session for this run). */
  readonly session: ExecutorSession
  readonly log: (line: LogLine) => void
  readonly onEvent: (event: RunEvent) => void
  readonly signal: AbortSignal | undefined
  /** For a resumed run: which tasks of the origin run it reuses. */
  readonly reuse: ReusePlan | undefined
  /** Re-hash inherited artifacts that freezing cannot protect when each task commits (see verify.ts). */
  readonly verify: boolean
  /** A foreach over more items fails before its first task. */
  readonly maxForeachItems: number
  /** `ctx.originRunId` when there is no reuse plan to take it from (a spin). */
  readonly originRunId?: string | undefined
  /** How the run uses the step cache (default "use"). */
  readonly cacheMode?: CacheMode
}

export class RunEnv {
  private readonly controller = new AbortController()
  private firstFailure: TaskFailure | undefined
  readonly flow: FlowValue
  readonly store: Datastore
  readonly runId: string
  readonly workers: Semaphore
  readonly session: ExecutorSession
  readonly log: (line: LogLine) => void
  readonly reuse: ReusePlan | undefined
  readonly verify: boolean
  readonly maxForeachItems: number
  /** Names of the flow's parameters and included files (read-only artifacts). */
  readonly params: ReadonlySet<string>
  /** Names of the flow's configs (read-only artifacts too). */
  readonly configs: ReadonlySet<string>
  /** The run's step cache. */
  readonly cache: StepCache
  /** How many tasks the step cache answered so far. */
  cachedTasks = 0
  private readonly onEvent: (event: RunEvent) => void
  private readonly givenOriginRunId: string | undefined

  constructor(config: RunEnvConfig) {
    ;({ flow: this.flow, store: this.store, runId: this.runId, workers: this.workers, session: this.session, log: this.log } = config)
    this.reuse = config.reuse
    this.verify = config.verify
    this.maxForeachItems = config.maxForeachItems
    this.onEvent = config.onEvent
    this.givenOriginRunId = config.originRunId
    this.params = new Set(Object.keys(config.flow.params))
    this.configs = new Set(Object.keys(config.flow.configs))
    this.cache = new StepCache(config.store, config.flow.name, config.cacheMode ?? "use")
    // Every running task listens to the run's signal: with many in flight (64 on S3), more than Node's default
    // of 10 listeners is normal, not a leak.
    setMaxListeners(0, this.controller.signal)
    const userSignal = config.signal
    if (userSignal !== undefined) {
      const onAbort = (): void =>
        this.fail({ step: "(run)", taskId: "-", cause: new RunAbortedError(`artiflow: run '${this.runId}' was aborted`) })
      if (userSignal.aborted) onAbort()
      else userSignal.addEventListener("abort", onAbort, { once: true })
    }
  }

  /** The run this one resumes (or spins a task of). */
  get originRunId(): string | undefined {
    return this.reuse?.originRunId ?? this.givenOriginRunId
  }

  /** Tells the run's listener; a listener that throws is ignored (it must not break the run). */
  emit(event: RunEvent): void {
    try {
      this.onEvent(event)
    } catch {
      // A progress display failing is no reason to fail the user's run.
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
