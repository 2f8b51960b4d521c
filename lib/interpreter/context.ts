/**
 * The `ctx` object a step function receives. Outside foreach bodies `input` and `index` are getters that
 * throw the same message the compiler shows, so plain JavaScript flows learn the rule too.
 */
import { format } from "node:util"
import { FlowDefinitionError } from "../errors.js"
import { inputOutsideForeach } from "../types/messages.js"
import type { RunContext } from "../types/context.js"
import type { AttemptEnv } from "./attempt.js"
import type { Position } from "./Position.js"

/** At most this many `ctx.log` lines of one attempt are kept in its manifest. */
export const MAX_LOG_LINES = 1000

export interface AttemptInfo {
  readonly step: string
  readonly taskId: string
  readonly attempt: number
  readonly signal: AbortSignal
}

/**
 * What a function used of its context that the step cache must know: whether it looked at where the task is
 * (`ctx.index`, `ctx.taskId`, `ctx.foreachStack`), which makes its outputs depend on the position and not only
 * on its element.
 */
export interface ContextUsage {
  positional: boolean
}

export const createContext = (
  env: Pick<AttemptEnv, "flow" | "runId" | "originRunId" | "log">,
  position: Position,
  info: AttemptInfo,
  logs: Array<string>,
  usage: ContextUsage = { positional: false }
): RunContext & { readonly foreachStack: ReadonlyArray<unknown> } => {
  const log = (...values: ReadonlyArray<unknown>): void => {
    const text = format(...values)
    if (logs.length < MAX_LOG_LINES) logs.push(text)
    env.log({ flow: env.flow.name, runId: env.runId, step: info.step, taskId: info.taskId, attempt: info.attempt, text })
  }
  const innermost = position.frames.at(-1)
  const context = {
    flow: env.flow.name,
    runId: env.runId,
    step: info.step,
    get taskId(): string {
      usage.positional = true
      return info.taskId
    },
    attempt: info.attempt,
    originRunId: env.originRunId,
    signal: info.signal,
    log,
    get foreachStack(): ReadonlyArray<unknown> {
      usage.positional = true
      return position.frames
    },
    get input(): unknown {
      if (innermost === undefined) throw new FlowDefinitionError(inputOutsideForeach(info.step, "input"))
      return innermost.input
    },
    get index(): number {
      if (innermost === undefined) throw new FlowDefinitionError(inputOutsideForeach(info.step, "index"))
      usage.positional = true
      return innermost.index
    }
  }
  return Object.freeze(context)
}
