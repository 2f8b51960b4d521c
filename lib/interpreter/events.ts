/**
 * What a run tells a listener as it goes (`run(flow, { onEvent })`): enough for a progress display or a
 * live dashboard. Events describe what was committed; they are not a second source of truth.
 */

import type { ChooseDecision, LoopDecision } from "../datastore/Manifest.js"

/**
 * A task's end: committed as succeeded or failed, cloned from the origin run by `resume`, or answered by the
 * step cache ("cached": its function did not run). A choose's and a loop's records end like tasks too (`step`
 * is `choose:<id>` or the loop's name), with what they decided.
 */
export interface TaskFinished {
  readonly type: "task-finished"
  readonly step: string
  readonly taskId: string
  readonly attempt: number
  readonly status: "succeeded" | "failed" | "cloned" | "cached"
  readonly durationMs: number
  /** On a choose's or a loop's record: the case taken, or the iterations and `until`'s results. */
  readonly decision?: ChooseDecision | LoopDecision
  /** The process that ran the attempt (absent for a task `resume` cloned: it did not run). */
  readonly worker?: { readonly host: string; readonly pid: number }
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
