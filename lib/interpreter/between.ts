/**
 * Rules broken between tasks (a foreach over a missing artifact, a subflow's needs, a choose's selector, a
 * loop's `until`): they fail the run at once, charged to a step, and unwind the walk.
 */
import { FlowDefinitionError } from "../errors.js"
import { taskIdOf } from "./Position.js"
import type { Position } from "./Position.js"
import { RunStopped } from "./RunEnv.js"
import type { RunEnv } from "./RunEnv.js"

/** Fails the run with `cause` (a message is a FlowDefinitionError), charged to the step whose record broke the rule. */
export const failBetweenTasks = (env: RunEnv, state: { readonly position: Position }, cause: string | Error): never =>
  failAt(env, state.position.previous, taskIdOf(state.position), cause)

/** Fails the run with `cause`, charged to `step`'s task `taskId`. */
export const failAt = (env: RunEnv, step: string, taskId: string, cause: string | Error): never => {
  const error = typeof cause === "string" ? new FlowDefinitionError(cause) : cause
  env.fail({ step, taskId, cause: error })
  throw new RunStopped()
}
