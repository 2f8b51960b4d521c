/** What a step of a run came to, from its tasks: the read side's one definition, shared by the CLI and the report. */
import type { TaskHandle } from "./TaskHandle.js"

/**
 * How a step ended: "skipped" is a step of a choose's case that was not taken (it has no tasks, and never will
 * in that run); "not run" a step without tasks otherwise.
 */
export type StepState = "succeeded" | "failed" | "running" | "not run" | "skipped" | "cloned"

/**
 * The state of a step from its tasks (each at its latest attempt): "not run" without tasks, "failed" if any
 * task's latest attempt failed, "cloned" if a resumed run reused every task from its origin, else "succeeded".
 * ("skipped" needs the run's choices: see `StepHandle#status`.)
 *
 * @example
 * stepState([]) // "not run"
 */
export const stepState = (tasks: ReadonlyArray<Pick<TaskHandle, "status" | "originTaskId">>): StepState => {
  if (tasks.length === 0) return "not run"
  if (tasks.some((task) => task.status === "failed")) return "failed"
  if (tasks.every((task) => task.originTaskId !== undefined)) return "cloned"
  return "succeeded"
}
