/**
 * What a step of a run came to, for drawing: one state, a task count and a wall-clock span. Computed from
 * the read side (`RunHandle`) once, then handed to the pure renderers.
 */
import { graphChooses } from "../client/graphSteps.js"
import type { RunHandle } from "../client/RunHandle.js"
import { chooseRecordName } from "../dsl/chooseIds.js"
import { stepState } from "../client/stepState.js"
import type { StepState } from "../client/stepState.js"
import type { TaskHandle } from "../client/TaskHandle.js"

export { stepState }
export type { StepState }

/** Every state, in legend order. */
export const STEP_STATES: ReadonlyArray<StepState> = ["succeeded", "failed", "running", "not run", "skipped", "cloned"]

/** A step's outcome in one run: its state, how many tasks it has, and how long it took (first start to last end). */
export interface StepStatus {
  readonly state: StepState
  readonly tasks: number
  readonly durationMs?: number
  /** For a loop's record: how many iterations ran, over every time the loop ran. */
  readonly iterations?: number
  /** For a choose's record (`choose:<id>`): how many times each case was taken. */
  readonly cases?: ReadonlyMap<string, number>
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

const iterationsOf = (tasks: ReadonlyArray<TaskHandle>): number | undefined => {
  const decisions = tasks.flatMap((task) => (task.decision?.kind === "loop" ? [task.decision.iterations] : []))
  return decisions.length === 0 ? undefined : decisions.reduce((sum, n) => sum + n, 0)
}

/**
 * The status of every step, join and loop of a run, and of every choose's records (keyed `choose:<id>`, with
 * how often each case was taken), in flow order: what `renderGraphSvg` and `renderGraphText` take. Steps in a
 * case that was not taken are "skipped".
 *
 * @example
 * import { Client } from "artiflow"
 *
 * const run = await Client.open().run("Train")
 * console.log(renderGraphText(run.graph, await runStepStatus(run)))
 */
export const runStepStatus = async (run: RunHandle): Promise<ReadonlyMap<string, StepStatus>> => {
  const choices = await run.choices()
  const records = [
    ...run.steps().map((step) => ({ step, chooseId: undefined })),
    ...graphChooses(run.graph.nodes).map((node) => ({ step: run.step(chooseRecordName(node.id)), chooseId: node.id }))
  ]
  const entries = await Promise.all(
    records.map(async ({ step, chooseId }): Promise<readonly [string, StepStatus]> => {
      const tasks = await step.tasks()
      const status = stepStatus(tasks)
      const skipped = status.tasks === 0 && choices.skipped.has(step.name)
      const iterations = step.kind === "loop" ? iterationsOf(tasks) : undefined
      const cases = chooseId === undefined ? undefined : choices.taken.get(chooseId)
      return [
        step.name,
        {
          ...status,
          ...(skipped && { state: "skipped" as const }),
          ...(iterations !== undefined && { iterations }),
          ...(cases !== undefined && { cases })
        }
      ]
    })
  )
  return new Map(entries)
}
