/**
 * One task, as the scheduler runs it: its attempts (`retry`), each handed to the run's executor, every attempt
 * committed as a manifest here (readers see the latest), and `catch` turning a final failure into an artifact.
 * Rule violations (a parameter written, a value that cannot be stored...) are not retried or caught: the flow
 * itself is wrong, and the run fails at once. An executor that lost an attempt (a worker killed mid-task) runs
 * it again as a new attempt on its own: that costs no `retry`, and the lost try is never committed.
 */
import type { StoredError, TaskManifest } from "../datastore/Manifest.js"
import { storeValue } from "../datastore/artifacts.js"
import type { StepOptions } from "../dsl/ast.js"
import {
  FlowDefinitionError,
  MutatedArtifactError,
  NotStorableError,
  ResourceLimitError,
  RunAbortedError
} from "../errors.js"
import type { AttemptFailed, AttemptOutcome, AttemptSucceeded, AttemptWork } from "../executor/Executor.js"
import { commitCached, recordInCache } from "./cachedTask.js"
import { cloneTask } from "./clone.js"
import { lineageOf } from "./joinReads.js"
import type { Position } from "./Position.js"
import { storedFrames, storedLoops, taskIdOf } from "./Position.js"
import { RunStopped } from "./RunEnv.js"
import type { RunEnv } from "./RunEnv.js"
import { deriveSnapshot, freezeValue, snapshotAfter } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"
import type { Changes } from "./output.js"
import { userStack } from "./stack.js"

export interface TaskSpec {
  readonly name: string
  readonly options: StepOptions
  readonly position: Position
  /** What the task starts from: its manifest's base, and what `catch` adds the error to. */
  readonly base: Snapshot
}

export interface TaskResult {
  readonly snapshot: Snapshot
  readonly written: ReadonlyArray<string>
  /** Reused from the origin run by `resume`, not run. */
  readonly reused: boolean
}

/** The flow's code is wrong: running it again would not help, and `catch` must not hide it. */
const isRuleViolation = (error: unknown): boolean =>
  error instanceof FlowDefinitionError ||
  error instanceof NotStorableError ||
  error instanceof MutatedArtifactError ||
  error instanceof ResourceLimitError

const storedError = (error: unknown): StoredError => {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...(error.stack !== undefined && { stack: error.stack }) }
  }
  return { name: "Error", message: String(error) }
}

/** The manifest of an attempt the executor ran, with the fields of how it ended. */
const manifestOf = (
  spec: TaskSpec,
  outcome: AttemptOutcome,
  fields: Pick<TaskManifest, "status" | "artifacts"> &
    Partial<Pick<TaskManifest, "error" | "removed" | "rewritten" | "reads" | "inputReads" | "foreachReads" | "cachedFrom">>
): TaskManifest => {
  const { removed, rewritten, ...rest } = fields
  const loopStack = storedLoops(spec.position)
  return {
    step: spec.name,
    taskId: taskIdOf(spec.position),
    attempt: outcome.attempt,
    foreachStack: storedFrames(spec.position),
    ...(loopStack !== undefined && { loopStack }),
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    ...(spec.base.ref !== undefined && { base: spec.base.ref }),
    ...(outcome.logs.length > 0 && { logs: outcome.logs }),
    ...rest,
    ...(removed !== undefined && removed.length > 0 && { removed }),
    ...(rewritten !== undefined && rewritten.length > 0 && { rewritten }),
    worker: outcome.worker
  }
}

/** The error a `catch` stores, as an artifact value (its stack the same on every executor: stack.ts). */
const caughtValue = (error: unknown): { name: string; message: string; stack: string | undefined } => {
  const { name, message, stack } = storedError(error)
  return { name, message, stack: stack === undefined ? undefined : userStack(stack) }
}

const finished = (env: RunEnv, spec: TaskSpec, outcome: AttemptOutcome, status: "succeeded" | "failed"): void => {
  const taskId = taskIdOf(spec.position)
  env.emit({ type: "task-finished", step: spec.name, taskId, attempt: outcome.attempt, status, durationMs: Date.now() - outcome.startedAt, worker: outcome.worker })
}

const commitCaught = async (env: RunEnv, spec: TaskSpec, catchAs: string, outcome: AttemptFailed, error: unknown): Promise<TaskResult> => {
  const value = freezeValue(caughtValue(error))
  const stored = await storeValue(env.store, value)
  // A { name, message, stack } of strings is always storable.
  if (stored._tag === "Left") throw new Error(`artiflow: cannot store the error of step '${spec.name}'`)
  const changes: Changes = new Map([[catchAs, { value, entry: stored.right }]])
  const ref = { runId: env.runId, step: spec.name, taskId: taskIdOf(spec.position), attempt: outcome.attempt }
  const manifest = manifestOf(spec, outcome, {
    status: "succeeded",
    error: storedError(error),
    artifacts: { [catchAs]: stored.right }
  })
  await env.commit(manifest)
  finished(env, spec, outcome, "succeeded")
  return { snapshot: deriveSnapshot(spec.base, changes, [], ref), written: [catchAs], reused: false }
}

/** Commits a succeeded attempt; the task's snapshot is the executor's (values held) or rebuilt from the entries. */
const commitSucceeded = async (env: RunEnv, spec: TaskSpec, work: AttemptWork, outcome: AttemptSucceeded): Promise<TaskResult> => {
  const { artifacts, removed, rewritten } = outcome
  await env.commit(manifestOf(spec, outcome, { status: "succeeded", artifacts, removed, rewritten, ...lineageOf(work, outcome) }))
  finished(env, spec, outcome, "succeeded")
  const ref = { runId: env.runId, step: spec.name, taskId: taskIdOf(spec.position), attempt: outcome.attempt }
  const next = outcome.next ?? snapshotAfter(spec.base, artifacts, removed)
  return { snapshot: { ...next, ref }, written: outcome.written, reused: false }
}

/** Why an attempt failed, as the run reports it (a cancelled run beats the error it caused). */
const failureOf = (env: RunEnv, thrown: unknown): unknown =>
  env.signal.aborted && env.signal.reason instanceof RunAbortedError ? env.signal.reason : thrown

/**
 * The error a failed attempt records. An attempt stopped by another task's failure (the run's signal carries
 * that task's error) says so, instead of claiming the other task's error as its own.
 */
const attemptError = (env: RunEnv, thrown: unknown, error: unknown): StoredError => {
  const failure = env.failure
  if (failure === undefined || error instanceof RunAbortedError || thrown !== env.signal.reason) {
    return storedError(error)
  }
  const message = `artiflow: interrupted: the run stopped when step '${failure.step}' (task ${failure.taskId}) failed`
  return { name: "RunStopped", message }
}

/**
 * An attempt whose manifest could not be committed failed too (a full or read-only disk): its outputs are not
 * visible, and whether to try again is decided like for any failure.
 */
const asFailure = (outcome: AttemptSucceeded, error: unknown): AttemptFailed => {
  const { attempt, startedAt, logs, worker } = outcome
  return { status: "failed", attempt, startedAt, finishedAt: Date.now(), logs, worker, error }
}

/** An attempt by the run's executor; an executor that broke down (its workers or connection gone) fails the run. */
const attemptOn = async (env: RunEnv, spec: TaskSpec, work: AttemptWork, taskId: string, number: number): Promise<AttemptOutcome> => {
  try {
    return await env.session.runAttempt({
      work,
      step: spec.name,
      taskId,
      number,
      position: spec.position,
      base: spec.base,
      timeout: spec.options.timeout
    }, env.signal)
  } catch (error) {
    env.fail({ step: spec.name, taskId, cause: error })
    throw new RunStopped()
  }
}

/**
 * Runs a task, or, in a resumed run whose inputs so far were all reused (`reuse`), clones it from the origin
 * run when it succeeded there. Only the attempts take one of the run's workers (`maxWorkers`): committing a
 * manifest, cloning a task and answering it from the step cache wait for the store, not for a worker, so
 * that other tasks run meanwhile and their manifests join the same group commit.
 */
export const runTask = async (env: RunEnv, spec: TaskSpec, work: AttemptWork, reuse = false): Promise<TaskResult> => {
  const taskId = taskIdOf(spec.position)
  const origin = reuse ? env.reuse?.reusable(spec.name, taskId) : undefined
  if (origin !== undefined && env.reuse !== undefined) return cloneTask(env, spec, origin, env.reuse)
  if (work.kind === "step") {
    env.checkRunning()
    const hit = await env.cache.lookup({ node: work.node, position: spec.position, base: spec.base })
    const answered = hit === undefined ? undefined : await commitCached(env, spec, hit)
    if (answered !== undefined) return answered
  }
  const attempts = (spec.options.retry ?? 0) + 1
  // `failures` counts against `retry`; `number` is the next attempt number, past any the executor used up.
  for (let failures = 0, number = 0; ; number++) {
    env.checkRunning()
    let outcome = await env.workers.with(() => attemptOn(env, spec, work, taskId, number))
    number = outcome.attempt
    if (outcome.status === "succeeded") {
      const succeeded = outcome
      const committed = await commitSucceeded(env, spec, work, succeeded).catch((error: unknown) => asFailure(succeeded, error))
      if (!("status" in committed)) {
        await recordInCache(env, spec, work, succeeded)
        return committed
      }
      outcome = committed
    }
    failures++
    const thrown = outcome.error
    const error = failureOf(env, thrown)
    // The run failed (another task, or cancellation) while this attempt ran: the attempt was interrupted,
    // not failed on its own, so it is neither retried nor caught (a catch would store another task's error).
    const interrupted = env.failure !== undefined
    const final = failures >= attempts || isRuleViolation(error) || interrupted
    const catchAs = spec.options.catch
    if (final && catchAs !== undefined && !isRuleViolation(error) && !interrupted) {
      return await commitCaught(env, spec, catchAs, outcome, error)
    }
    const stored = attemptError(env, thrown, error)
    // When even the failed attempt cannot be recorded (a full or read-only disk), the run still fails on
    // this task's error, not on the storage error of a bookkeeping write charged to no step.
    const recorded = await env
      .commit(manifestOf(spec, outcome, { status: "failed", artifacts: {}, error: stored }))
      .then(() => true, () => false)
    finished(env, spec, outcome, "failed")
    if (final || !recorded) {
      env.fail({ step: spec.name, taskId, cause: error })
      throw new RunStopped()
    }
  }
}
