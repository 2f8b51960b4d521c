/**
 * The `ctx` a step function receives: where it runs (flow, run, step, task, attempt), a cancellation signal,
 * a logger and, inside foreach bodies only, the element it works on.
 */

/** One level of foreach nesting as a task sees it, outermost first in `ctx.foreachStack`. */
export interface ForeachFrame<Artifact extends string = string, Input = unknown> {
  /** The node the fan-out happens after: the previous step or join, or the flow's name at the start of a flow. */
  readonly step: string
  /** The array artifact the foreach iterates. */
  readonly artifact: Artifact
  /** This task's position in the array. */
  readonly index: number
  /** Length of the array. */
  readonly count: number
  /** The element: `artifact[index]`. */
  readonly input: Input
}

/** What every step, join and foreach task knows about where it runs. */
export interface RunContext {
  readonly flow: string
  readonly runId: string
  readonly step: string
  /** The foreach index path joined with "." ("3", "3.1"), or "0" outside any foreach. */
  readonly taskId: string
  /** 0 on the first try, then 1, 2... for each retry. */
  readonly attempt: number
  /** The run this one resumes, when it is a resumed run. */
  readonly originRunId: string | undefined
  /** Aborted when the run is cancelled or the step's timeout expires: pass it to fetch, streams, child processes. */
  readonly signal: AbortSignal
  /** Writes a line to the run's log, prefixed with the step and task. */
  readonly log: (...values: ReadonlyArray<unknown>) => void
}

/** The context of a step outside any foreach body: no `input`, no `index`. */
export interface StepContext extends RunContext {
  readonly foreachStack: readonly []
}

/** The context of a task inside a foreach body: `input` is the element, typed from the array artifact. */
export interface ForeachContext<Input, Stack extends ReadonlyArray<ForeachFrame>> extends RunContext {
  readonly input: Input
  readonly index: number
  readonly foreachStack: Stack
}

type InnermostInput<Stack> = Stack extends readonly [...ReadonlyArray<unknown>, infer Last]
  ? Last extends ForeachFrame
    ? Last["input"]
    : never
  : never

/** The context type for a given foreach stack. */
export type ContextOf<Stack extends ReadonlyArray<ForeachFrame>> = Stack extends readonly []
  ? StepContext
  : ForeachContext<InnermostInput<Stack>, Stack>

/** What `catch: "name"` stores when a step's last attempt fails (`undefined` when the step succeeded). */
export interface CaughtError {
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
}
