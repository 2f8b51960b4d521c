/** `Flow/run/step/task` paths as `show`, `dump` and `report` take them. */
import { UsageError } from "./errors.js"

/** What a path names: a flow, and optionally a run, a step of it and a task of that step. */
export interface Target {
  readonly flow: string
  readonly runId?: string
  readonly step?: string
  readonly taskId?: string
}

/**
 * Splits a path into its parts, allowing at most `depth` of them (2: `Flow[/run]`, 4: down to the task).
 *
 * @example
 * parseTarget("Train/20260101-120000-000-abc123/fit/2", 4, "dump")
 * // { flow: "Train", runId: "20260101-120000-000-abc123", step: "fit", taskId: "2" }
 */
export const parseTarget = (path: string, depth: 2 | 4, command: string): Target => {
  const parts = path.split("/")
  const shape = depth === 2 ? "<Flow>[/<run>]" : "<Flow>[/<run>[/<step>[/<task>]]]"
  if (parts.length > depth || parts.some((part) => part === "")) {
    throw new UsageError(`artiflow: ${command} takes ${shape}, not '${path}'`, command)
  }
  const [flow, runId, step, taskId] = parts as [string, string?, string?, string?]
  return {
    flow,
    ...(runId !== undefined && { runId }),
    ...(step !== undefined && { step }),
    ...(taskId !== undefined && { taskId })
  }
}
