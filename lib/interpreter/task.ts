/**
 * One task: its attempts (`retry`), each under the run's signal and the step's `timeout`, every attempt
 * committed as a manifest (readers see the latest), and `catch` turning a final failure into an artifact.
 * Rule violations (a parameter written, a value that cannot be stored...) are not retried or caught: the
 * flow itself is wrong, and the run fails at once.
 */
import type { ArtifactEntry, StoredError, TaskManifest } from "../datastore/Manifest.js"
import { storeValue } from "../datastore/artifacts.js"
import type { StepOptions } from "../dsl/ast.js"
import {
  FlowDefinitionError,
  MutatedArtifactError,
  NotStorableError,
  ResourceLimitError,
  RunAbortedError,
  StepTimeoutError
} from "../errors.js"
import type { RunContext } from "../types/context.js"
import { cloneTask } from "./clone.js"
import { createContext } from "./context.js"
import type { Position } from "./Position.js"
import { storedFrames, storedLoops, taskIdOf } from "./Position.js"
import { RunStopped } from "./RunEnv.js"
import type { RunEnv } from "./RunEnv.js"
import { deriveSnapshot, freezeValue } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"
import type { Changes } from "./output.js"
import { verifyInherited } from "./verify.js"

export interface TaskSpec {
  readonly name: string
  readonly options: StepOptions
  readonly position: Position
  /** What the task starts from: its manifest's base, and what `catch` adds the error to. */
  readonly base: Snapshot
}

/** What an attempt produced: the snapshot it ends with (relative to the spec's base) and the names it wrote. */
export interface AttemptResult {
  readonly next: Snapshot
  readonly written: ReadonlyArray<string>
  readonly artifacts: Readonly<Record<string, ArtifactEntry>>
  readonly removed: ReadonlyArray<string>
  readonly rewritten: ReadonlyArray<string>
}

/**
 * Calls user code (a step, join or resolve function) for an attempt: settles with its result, or rejects as
 * soon as the attempt's signal aborts (timeout, cancellation, another task's failure). Only user code is cut
 * short: once it returned, storing its output and committing the attempt go to the end, so work that was
 * done is kept (and a resumed run can reuse it).
 */
export type UserCode = <T>(call: () => T | PromiseLike<T>) => Promise<T>

export type AttemptBody = (
  ctx: RunContext & { readonly foreachStack: ReadonlyArray<unknown> },
  userCode: UserCode
) => Promise<AttemptResult>

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

/** An attempt's signal: aborted by the run, or by the timeout (with a StepTimeoutError as reason). */
const attemptSignal = (env: RunEnv, spec: TaskSpec, attempt: number): { signal: AbortSignal; dispose: () => void } => {
  const timeout = spec.options.timeout
  if (timeout === undefined) return { signal: env.signal, dispose: () => {} }
  const controller = new AbortController()
  const timer = setTimeout(
    () =>
      controller.abort(
        new StepTimeoutError(`artiflow: step '${spec.name}' timed out after ${timeout} ms (attempt ${attempt})`)
      ),
    timeout
  )
  return { signal: AbortSignal.any([env.signal, controller.signal]), dispose: () => clearTimeout(timer) }
}

/** Settles with the work, or rejects with the signal's reason as soon as it aborts. */
const untilAborted = <T>(work: Promise<T>, signal: AbortSignal): Promise<T> => {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener("abort", onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort)
        reject(error)
      }
    )
  })
}

const manifestOf = (
  spec: TaskSpec,
  attempt: number,
  startedAt: number,
  logs: ReadonlyArray<string>,
  fields: Pick<TaskManifest, "status" | "artifacts"> & Partial<Pick<TaskManifest, "error" | "removed" | "rewritten">>
): TaskManifest => {
  const { removed, rewritten, ...rest } = fields
  const loopStack = storedLoops(spec.position)
  return {
    step: spec.name,
    taskId: taskIdOf(spec.position),
    attempt,
    foreachStack: storedFrames(spec.position),
    ...(loopStack !== undefined && { loopStack }),
    startedAt,
    finishedAt: Date.now(),
    ...(spec.base.ref !== undefined && { base: spec.base.ref }),
    ...(logs.length > 0 && { logs }),
    ...rest,
    ...(removed !== undefined && removed.length > 0 && { removed }),
    ...(rewritten !== undefined && rewritten.length > 0 && { rewritten })
  }
}

/** The error a `catch` stores, as an artifact value. */
const caughtValue = (error: unknown): { name: string; message: string; stack: string | undefined } => {
  const { name, message, stack } = storedError(error)
  return { name, message, stack }
}

const commitCaught = async (
  env: RunEnv,
  spec: TaskSpec,
  catchAs: string,
  attempt: number,
  startedAt: number,
  logs: ReadonlyArray<string>,
  error: unknown
): Promise<TaskResult> => {
  const value = freezeValue(caughtValue(error))
  const stored = await storeValue(env.store, value)
  // A { name, message, stack } of strings is always storable.
  if (stored._tag === "Left") throw new Error(`artiflow: cannot store the error of step '${spec.name}'`)
  const changes: Changes = new Map([[catchAs, { value, entry: stored.right }]])
  const ref = { runId: env.runId, step: spec.name, taskId: taskIdOf(spec.position), attempt }
  const manifest = manifestOf(spec, attempt, startedAt, logs, {
    status: "succeeded",
    error: storedError(error),
    artifacts: { [catchAs]: stored.right }
  })
  await env.commit(manifest)
  env.emit({ type: "task-finished", step: spec.name, taskId: ref.taskId, attempt, status: "succeeded", durationMs: Date.now() - startedAt })
  return { snapshot: deriveSnapshot(spec.base, changes, [], ref), written: [catchAs], reused: false }
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
 * Runs a task, or, in a resumed run whose inputs so far were all reused (`reuse`), clones it from the origin
 * run when it succeeded there.
 */
export const runTask = (env: RunEnv, spec: TaskSpec, body: AttemptBody, reuse = false): Promise<TaskResult> =>
  env.workers.with(async () => {
    const taskId = taskIdOf(spec.position)
    const origin = reuse ? env.reuse?.reusable(spec.name, taskId) : undefined
    if (origin !== undefined && env.reuse !== undefined) return cloneTask(env, spec, origin, env.reuse)
    const attempts = (spec.options.retry ?? 0) + 1
    for (let attempt = 0; ; attempt++) {
      env.checkRunning()
      const startedAt = Date.now()
      const logs: Array<string> = []
      const { signal, dispose } = attemptSignal(env, spec, attempt)
      try {
        const ctx = createContext(env, spec.position, { step: spec.name, taskId, attempt, signal }, logs)
        const userCode: UserCode = (call) => untilAborted(Promise.resolve().then(call), signal)
        const result = await body(ctx, userCode)
        if (env.verify) verifyInherited(spec.name, taskId, spec.base, result.next)
        const ref = { runId: env.runId, step: spec.name, taskId, attempt }
        await env.commit(
          manifestOf(spec, attempt, startedAt, logs, {
            status: "succeeded",
            artifacts: result.artifacts,
            removed: result.removed,
            rewritten: result.rewritten
          })
        )
        env.emit({ type: "task-finished", step: spec.name, taskId, attempt, status: "succeeded", durationMs: Date.now() - startedAt })
        return { snapshot: { ...result.next, ref }, written: result.written, reused: false }
      } catch (thrown) {
        if (thrown instanceof RunStopped) throw thrown
        const error = failureOf(env, thrown)
        // The run failed (another task, or cancellation) while this attempt ran: the attempt was interrupted,
        // not failed on its own, so it is neither retried nor caught (a catch would store another task's error).
        const interrupted = env.failure !== undefined
        const final = attempt + 1 >= attempts || isRuleViolation(error) || interrupted
        const catchAs = spec.options.catch
        if (final && catchAs !== undefined && !isRuleViolation(error) && !interrupted) {
          return await commitCaught(env, spec, catchAs, attempt, startedAt, logs, error)
        }
        const stored = attemptError(env, thrown, error)
        // When even the failed attempt cannot be recorded (a full or read-only disk), the run still fails on
        // this task's error, not on the storage error of a bookkeeping write charged to no step.
        const recorded = await env
          .commit(manifestOf(spec, attempt, startedAt, logs, { status: "failed", artifacts: {}, error: stored }))
          .then(() => true, () => false)
        env.emit({ type: "task-finished", step: spec.name, taskId, attempt, status: "failed", durationMs: Date.now() - startedAt })
        if (final || !recorded) {
          env.fail({ step: spec.name, taskId, cause: error })
          throw new RunStopped()
        }
      } finally {
        dispose()
      }
    }
  })
