/**
 * What a run tells a listener as it goes (`run(flow, { onEvent })`): enough for a progress display or a
 * live dashboard. Events describe what was committed; they are not a second source of truth.
 */

/**
 * A task's end: committed as succeeded or failed, cloned from the origin run by `resume`, or answered by the
 * step cache ("cached": its function did not run).
 */
export interface TaskFinished {
  readonly type: "task-finished"
  readonly step: string
  readonly taskId: string
  readonly attempt: number
  readonly status: "succeeded" | "failed" | "cloned" | "cached"
  readonly durationMs: number
}

/** A foreach fanned out (`done: 0`), a body finished (`done` counts them), or all bodies did. */
export interface ForeachProgress {
  readonly type: "foreach-progress"
  /** The array artifact the foreach iterates. */
  readonly artifact: string
  /** The task id of the scope the foreach runs in ("0" at the top level). */
  readonly taskId: string
  readonly done: number
  readonly total: number
}

export interface RunStarted {
  readonly type: "run-started"
  readonly flow: string
  readonly runId: string
  readonly originRunId: string | undefined
}

export interface RunFinished {
  readonly type: "run-finished"
  readonly flow: string
  readonly runId: string
  readonly status: "succeeded" | "failed"
}

export type RunEvent = RunStarted | TaskFinished | ForeachProgress | RunFinished
