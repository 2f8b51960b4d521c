/**
 * The error classes artiflow throws at its public edge. Inside the library errors travel as values
 * (`Either`, tagged results); they become one of these classes where a promise rejects or a builder throws.
 * Every message starts with `artiflow:` and names what was wrong and how to fix it.
 */

/** Base class of every error artiflow raises; `_tag` tells them apart without `instanceof`. */
export abstract class ArtiflowError extends Error {
  abstract readonly _tag: string
  override get name(): string {
    return this._tag
  }
}

/**
 * A flow breaks a rule of the DSL (the runtime twin of a compile error), e.g. a duplicate step name; or an
 * option given to `run`, `resume` or the client breaks its rule, e.g. a tag with a control character.
 */
export class FlowDefinitionError extends ArtiflowError {
  readonly _tag = "FlowDefinitionError"
}

/** A parameter or included file is missing or does not decode; no run was created. */
export class ParamError extends ArtiflowError {
  readonly _tag = "ParamError"
  constructor(
    readonly param: string,
    message: string
  ) {
    super(message)
  }
}

/**
 * A value cannot be stored: the codec rejects it. The message names the step and the artifact (the same text
 * the compiler shows); `path` says where inside the value the culprit is ("" for the value itself).
 */
export class NotStorableError extends ArtiflowError {
  readonly _tag = "NotStorableError"
  constructor(
    message: string,
    readonly step: string,
    readonly artifact: string,
    readonly path: string
  ) {
    super(message)
  }
}

/**
 * A task changed an inherited artifact in place (typed arrays, ArrayBuffers and a few other objects cannot be
 * frozen), so the record in memory no longer matches the store. Raised by the `verify` run option.
 */
export class MutatedArtifactError extends ArtiflowError {
  readonly _tag = "MutatedArtifactError"
  constructor(
    message: string,
    readonly step: string,
    readonly artifact: string
  ) {
    super(message)
  }
}

/** Stored bytes do not match their content hash, or a stored record cannot be parsed. */
export class IntegrityError extends ArtiflowError {
  readonly _tag = "IntegrityError"
}

/** A flow, run, step, task, attempt or artifact asked for does not exist; the message lists what does. */
export class NotFoundError extends ArtiflowError {
  readonly _tag = "NotFoundError"
}

/** The datastore could not read or write (permissions, disk full, a broken directory). */
export class StorageError extends ArtiflowError {
  readonly _tag = "StorageError"
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options)
  }
}

/** A step's attempt ran past its `timeout` (its `ctx.signal` was aborted). Retried like any failure. */
export class StepTimeoutError extends ArtiflowError {
  readonly _tag = "StepTimeoutError"
}

/**
 * Work larger than a limit the run guards against (a foreach wider than `maxForeachItems`, a value too large to
 * encode), refused before anything of it is stored. The message says which limit and how to raise or avoid it.
 */
export class ResourceLimitError extends ArtiflowError {
  readonly _tag = "ResourceLimitError"
}

/**
 * The executor could not run a task: a worker refused it (it has another version of the flow, or cannot load
 * the flow's module), the task kept killing its workers, or the executor lost its connection (Redis). The run
 * fails with it and stays resumable.
 */
export class ExecutorError extends ArtiflowError {
  readonly _tag = "ExecutorError"
}

/** The run was cancelled through its `signal`. */
export class RunAbortedError extends ArtiflowError {
  readonly _tag = "RunAbortedError"
}

/**
 * A run stopped because a task failed for good (after its retries, without `catch`). The run and every
 * task committed before the failure stay readable; `resume` picks the run up from there.
 */
export class RunFailedError extends ArtiflowError {
  readonly _tag = "RunFailedError"
  constructor(
    readonly flow: string,
    readonly runId: string,
    readonly step: string,
    readonly taskId: string,
    override readonly cause: unknown
  ) {
    super(`artiflow: run '${runId}' of flow '${flow}' failed in step '${step}' (task ${taskId}): ${messageOf(cause)}`, {
      cause
    })
  }
}

/**
 * A step or join function that `spin` ran again threw (or returned something a run would refuse). `cause` is
 * what it threw; `runId` is the run the spin was persisted as (`persist: true`), which records the failure.
 */
export class SpinFailedError extends ArtiflowError {
  readonly _tag = "SpinFailedError"
  constructor(
    readonly flow: string,
    readonly step: string,
    readonly taskId: string,
    /** The past run whose task was spun. */
    readonly originRunId: string,
    readonly runId: string | undefined,
    override readonly cause: unknown
  ) {
    const persisted = runId === undefined ? "" : ` (recorded as run '${runId}')`
    super(
      `artiflow: spin of step '${step}' (task ${taskId} of run '${originRunId}' of flow '${flow}') failed${persisted}: ${messageOf(cause)}`,
      { cause }
    )
  }
}

/** The message of anything thrown (users can throw strings, objects, undefined). */
export const messageOf = (thrown: unknown): string => {
  if (thrown instanceof Error) return thrown.message
  if (typeof thrown === "string") return thrown
  try {
    return JSON.stringify(thrown) ?? String(thrown)
  } catch {
    return String(thrown)
  }
}

/** A loop's `until` threw: the run fails naming the loop and the iteration after which it was called. */
export class UntilError extends ArtiflowError {
  readonly _tag = "UntilError"
  constructor(
    message: string,
    readonly loop: string,
    readonly iteration: number,
    options: { readonly cause: unknown }
  ) {
    super(message, options)
  }
}
