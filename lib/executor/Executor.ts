/**
 * The Executor port: where the attempts of a run's tasks execute. The interpreter (the scheduler) decides what
 * runs next, retries, `catch` and when the run ends; an executor only runs one attempt of a step or join it is
 * handed and reports how it ended. It never commits manifests: the scheduler commits the attempts it accepts,
 * so an attempt an executor lost, ran twice or finished after the run stopped never becomes visible.
 *
 * Adapters: `inProcess()` (the default: attempts run on the values the scheduler holds), `workerThreads()` and
 * `bullmqExecutor()` (attempts run elsewhere and load what they read from the shared store). Every adapter
 * passes one conformance suite (spec/executor/contract.ts): the same flow gives the same artifact hashes on all.
 * The port speaks artiflow's words only: no thread, queue or job type crosses it.
 */
import type { Datastore } from "../datastore/Datastore.js"
import type { ArtifactEntry } from "../datastore/Manifest.js"
import type { JoinSpec, StepNode } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import type { BranchOutcome } from "../interpreter/join.js"
import type { Position } from "../interpreter/Position.js"
import type { LogLine } from "../interpreter/RunEnv.js"
import type { Snapshot } from "../interpreter/Snapshot.js"
import type { TaskEnd } from "../interpreter/TaskEnd.js"
import type { InputReads, ReadHashes } from "../interpreter/reads.js"

/** The process that ran an attempt (recorded in its manifest as `worker`). */
export interface WorkerIdentity {
  readonly host: string
  readonly pid: number
}

/** What an executor is told about a run when it starts serving it. */
export interface ExecutorRun {
  readonly flow: FlowValue
  readonly store: Datastore
  readonly runId: string
  readonly originRunId: string | undefined
  /** The `verify` run option: attempts re-hash inherited binary artifacts they may have changed in place. */
  readonly verify: boolean
  /** Where `ctx.log` lines go (an executor running attempts elsewhere delivers them when the attempt ends). */
  readonly log: (line: LogLine) => void
}

/** What one attempt runs: a step, or a join with the ends of the branches or foreach tasks it joins. */
export type AttemptWork =
  | { readonly kind: "step"; readonly node: StepNode }
  | { readonly kind: "split-join"; readonly join: JoinSpec; readonly branches: ReadonlyArray<BranchOutcome> }
  | { readonly kind: "foreach-join"; readonly join: JoinSpec; readonly ends: ReadonlyArray<TaskEnd> }

/** One attempt of one task, as the scheduler hands it over. */
export interface Attempt {
  readonly work: AttemptWork
  /** The step or join's name (also `work`'s). */
  readonly step: string
  readonly taskId: string
  /**
   * The attempt number to record. An executor that runs the attempt again after losing it (a worker killed
   * mid-task) records a higher one, so that the lost try never shares a number with a recorded one.
   */
  readonly number: number
  readonly position: Position
  /** The snapshot the task starts from (a join: the one before its split or foreach). */
  readonly base: Snapshot
  /** Milliseconds the attempt may take (the step's `timeout`). */
  readonly timeout: number | undefined
}

interface OutcomeCommon {
  /** The attempt number the executor ran it as (`Attempt.number`, or higher after a lost try). */
  readonly attempt: number
  /** Epoch milliseconds. */
  readonly startedAt: number
  readonly finishedAt: number
  /** The lines written with `ctx.log` (the first 1,000, as the manifest keeps them). */
  readonly logs: ReadonlyArray<string>
  readonly worker: WorkerIdentity
}

/** An attempt that stored its outputs: what its manifest must say, and what its scope wrote. */
export interface AttemptSucceeded extends OutcomeCommon {
  readonly status: "succeeded"
  /** Artifacts whose entry differs from the base's (new, or another value). */
  readonly artifacts: Readonly<Record<string, ArtifactEntry>>
  /** Names of the base that are not in the task's snapshot. */
  readonly removed: ReadonlyArray<string>
  /** Names written without being changed (the task returned the value it was given). */
  readonly rewritten: ReadonlyArray<string>
  /** Everything the task's scope wrote, for the merge rules of the joins around it. */
  readonly written: ReadonlyArray<string>
  /** The artifacts the function read from its record (lineage), name -> hash. */
  readonly reads: ReadHashes
  /** A join's: what its function read from each input (split branches by name, foreach tasks by index). */
  readonly inputReads?: ReadonlyArray<InputReads>
  /** Set when the function read `ctx.index`, `ctx.taskId` or `ctx.foreachStack` (the step cache keys on the position then). */
  readonly positional?: boolean
  /** The snapshot the attempt ends with, values included, from an executor that runs on the scheduler's values. */
  readonly next?: Snapshot
}

/** An attempt whose function threw (or returned what cannot be stored, or ran out of time). */
export interface AttemptFailed extends OutcomeCommon {
  readonly status: "failed"
  /** What the attempt threw: the value itself in process, an equivalent error (same class, message, stack) otherwise. */
  readonly error: unknown
}

export type AttemptOutcome = AttemptSucceeded | AttemptFailed

/** One run's use of an executor, from `start` to `close`. */
export interface ExecutorSession {
  /**
   * Whether attempts run on the values the scheduler holds. When false, the scheduler holds entries only and
   * loads a value from the store where it needs one (a foreach's array, the run's final artifacts).
   */
  readonly holdsValues: boolean
  /** How many tasks to keep in flight by default (the run takes the largest of this, the store's and CPU count x 4). */
  readonly preferredConcurrency?: number
  /**
   * Runs one attempt and resolves to how it ended. `signal` is the run's: once it aborts, the attempt's
   * `ctx.signal` aborts too (in process), or the attempt is no longer waited for, and the outcome is a failure
   * with the signal's reason. Rejects only when the executor itself fails (its workers or its connection are
   * gone), with an error that says so; the run then fails with it.
   */
  runAttempt(attempt: Attempt, signal: AbortSignal): Promise<AttemptOutcome>
  /** Ends the session: releases what `start` took (connections, the hold on threads). */
  close(): Promise<void>
}

/** Where the attempts of a run execute (see the module comment). */
export interface Executor {
  /** How messages name it: "in-process", "2 worker threads", "BullMQ queue 'artiflow' at redis://…". */
  readonly description: string
  /**
   * Starts serving a run. Rejects, before any task starts, when the executor cannot run it: a flow its workers
   * cannot import, a store they cannot open.
   */
  start(run: ExecutorRun): Promise<ExecutorSession>
}
