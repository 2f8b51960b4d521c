/**
 * Running one attempt, wherever it runs: in the scheduler's process (inProcess) or on a worker. The attempt
 * calls the user's function under the run's signal and the step's `timeout`, checks and stores its output,
 * and reports what the manifest must say. It commits nothing: the scheduler commits the attempts it accepts
 * (task.ts), so everything here is the same for every executor.
 */
import type { StepNode } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import type { Datastore } from "../datastore/Datastore.js"
import type { ArtifactEntry } from "../datastore/Manifest.js"
import { StepTimeoutError } from "../errors.js"
import type { Attempt, AttemptOutcome, WorkerIdentity } from "../executor/Executor.js"
import type { RunContext } from "../types/context.js"
import { createContext } from "./context.js"
import type { ContextUsage } from "./context.js"
import { foreachJoinBody, splitJoinBody } from "./join.js"
import { outputNames, storeOutput } from "./output.js"
import { ReadLog, tracked } from "./reads.js"
import type { InputReads, ReadHashes } from "./reads.js"
import type { LogLine } from "./RunEnv.js"
import { deriveSnapshot, stepDelta } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"
import { verifyInherited } from "./verify.js"

/** What an attempt needs of its run, wherever it runs. */
export interface AttemptEnv {
  readonly flow: FlowValue
  readonly store: Datastore
  readonly runId: string
  readonly originRunId: string | undefined
  /** Names of the flow's parameters and included files (read-only artifacts). */
  readonly params: ReadonlySet<string>
  /** Names of the flow's configs (read-only artifacts too). */
  readonly configs: ReadonlySet<string>
  readonly verify: boolean
  readonly log: (line: LogLine) => void
}

/** What an attempt's body produced: the snapshot it ends with (relative to the base) and the names it wrote. */
export interface AttemptResult {
  readonly next: Snapshot
  readonly written: ReadonlyArray<string>
  readonly artifacts: Readonly<Record<string, ArtifactEntry>>
  readonly removed: ReadonlyArray<string>
  readonly rewritten: ReadonlyArray<string>
  /** The artifacts the function read from its record (lineage), name -> hash. */
  readonly reads: ReadHashes
  /** A join's: what its function read from each input (branches by name, foreach tasks by index). */
  readonly inputReads?: ReadonlyArray<InputReads>
}

/**
 * Calls user code (a step, join or resolve function) for an attempt: settles with its result, or rejects as
 * soon as the attempt's signal aborts (timeout, cancellation, another task's failure). Only user code is cut
 * short: once it returned, storing its output goes to the end, so work that was done is kept.
 */
export type UserCode = <T>(call: () => T | PromiseLike<T>) => Promise<T>

export type AttemptContext = RunContext & { readonly foreachStack: ReadonlyArray<unknown> }

/** An attempt's signal: aborted by the run, or by the timeout (with a StepTimeoutError as reason). */
const attemptSignal = (runSignal: AbortSignal, attempt: Attempt): { signal: AbortSignal; dispose: () => void } => {
  const timeout = attempt.timeout
  if (timeout === undefined) return { signal: runSignal, dispose: () => {} }
  const controller = new AbortController()
  const timer = setTimeout(
    () =>
      controller.abort(
        new StepTimeoutError(`artiflow: step '${attempt.step}' timed out after ${timeout} ms (attempt ${attempt.number})`)
      ),
    timeout
  )
  return { signal: AbortSignal.any([runSignal, controller.signal]), dispose: () => clearTimeout(timer) }
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

/** A step's attempt: its function on the base record, its output stored over the base. */
const stepBody = async (env: AttemptEnv, node: StepNode, base: Snapshot, ctx: AttemptContext, userCode: UserCode): Promise<AttemptResult> => {
  const fn = node.fn as (record: unknown, ctx: unknown) => unknown
  const log = new ReadLog()
  const record = tracked(base.values, log)
  let output: unknown
  try {
    output = await userCode(() => fn(record, ctx))
  } finally {
    log.close()
  }
  const names = outputNames(env, node.name, output)
  const changes = await storeOutput(env, node.name, base, output as Readonly<Record<string, unknown>>, names)
  const next = deriveSnapshot(base, changes, [], undefined)
  return { next, written: names, ...stepDelta(base, changes), reads: log.hashes((name) => base.entries.get(name)) }
}

const runBody = (env: AttemptEnv, attempt: Attempt, ctx: AttemptContext, userCode: UserCode): Promise<AttemptResult> => {
  const work = attempt.work
  switch (work.kind) {
    case "step":
      return stepBody(env, work.node, attempt.base, ctx, userCode)
    case "split-join":
      return splitJoinBody(env, work.join, attempt.base, work.branches, ctx, userCode)
    case "foreach-join":
      return foreachJoinBody(env, work.join, attempt.base, work.ends, ctx, userCode)
  }
}

/**
 * Runs one attempt and reports how it ended; never rejects. `runSignal` aborts when the run stops: the
 * function's `ctx.signal` aborts, and the attempt fails with the signal's reason at once.
 */
export const performAttempt = async (
  env: AttemptEnv,
  attempt: Attempt,
  runSignal: AbortSignal,
  worker: WorkerIdentity
): Promise<AttemptOutcome> => {
  const startedAt = Date.now()
  const logs: Array<string> = []
  const { signal, dispose } = attemptSignal(runSignal, attempt)
  const info = { step: attempt.step, taskId: attempt.taskId, attempt: attempt.number, signal }
  const common = () => ({ attempt: attempt.number, startedAt, finishedAt: Date.now(), logs, worker })
  try {
    const usage: ContextUsage = { positional: false }
    const ctx = createContext(env, attempt.position, info, logs, usage)
    const userCode: UserCode = (call) => untilAborted(Promise.resolve().then(call), signal)
    const result = await runBody(env, attempt, ctx, userCode)
    if (env.verify) verifyInherited(attempt.step, attempt.taskId, attempt.base, result.next)
    const { next, written, artifacts, removed, rewritten, reads, inputReads } = result
    const lineage = inputReads === undefined ? { reads } : { reads, inputReads }
    const positional = usage.positional ? { positional: true } : {}
    return { status: "succeeded", ...common(), artifacts, removed, rewritten, written, ...lineage, ...positional, next }
  } catch (error) {
    return { status: "failed", ...common(), error }
  } finally {
    dispose()
  }
}
