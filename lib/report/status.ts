/**
 * What a step of a run came to, for drawing: one state, a task count and a wall-clock span. Computed from
 * the read side (`RunHandle`) once, then handed to the pure renderers.
 */
import type { RunHandle } from "../client/RunHandle.js"
import type { TaskHandle } from "../client/TaskHandle.js"

/** How a step ended, as the graph colours it. */
export type StepState = "succeeded" | "failed" | "running" | "not run" | "cloned"

/** Every state, in legend order. */
export const STEP_STATES: ReadonlyArray<StepState> = ["succeeded", "failed", "running", "not run", "cloned"]

/** A step's outcome in one run: its state, how many tasks it has, and how long it took (first start to last end). */
export interface StepStatus {
  readonly state: StepState
  readonly tasks: number
  readonly durationMs?: number
}

/**
 * The state of a step from its tasks (each at its latest attempt): "not run" without tasks, "failed" if any
 * task's latest attempt failed, "cloned" if a resumed run reused every task from its origin, else "succeeded".
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

/** From the first attempt's start to the last attempt's end, over every task; undefined without tasks. */
const spanOf = (tasks: ReadonlyArray<TaskHandle>): number | undefined => {
  const attempts = tasks.flatMap((task) => task.attempts())
  if (attempts.length === 0) return undefined
  const start = Math.min(...attempts.map((attempt) => attempt.startedAt))
  const end = Math.max(...attempts.map((attempt) => attempt.finishedAt))
  return Math.max(0, end - start)
}

/**
 * The status of one step from its tasks (see {@link stepState}).
 *
 * @example
 * const status = stepStatus(await run.step("fit").tasks()) // { state: "succeeded", tasks: 3, durationMs: 12 }
 */
export const stepStatus = (tasks: ReadonlyArray<TaskHandle>): StepStatus => {
  const durationMs = spanOf(tasks)
  return { state: stepState(tasks), tasks: tasks.length, ...(durationMs !== undefined && { durationMs }) }
}

/**
 * The status of every step and join of a run, keyed by step name, in flow order: what `renderGraphSvg`
 * and `renderGraphText` take.
 *
 * @example
 * import { Client } from "artiflow"
 *
 * const run = await Client.open().run("Train")
 * console.log(renderGraphText(run.graph, await runStepStatus(run)))
 */
export const runStepStatus = async (run: RunHandle): Promise<ReadonlyMap<string, StepStatus>> => {
  const entries = await Promise.all(
    run.steps().map(async (step) => [step.name, stepStatus(await step.tasks())] as const)
  )
  return new Map(entries)
}
