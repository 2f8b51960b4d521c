/**
 * The `ctx` a step function receives: where it runs (flow, run, step, task, attempt), a cancellation signal,
 * a logger, inside foreach bodies only the element it works on, and inside loop bodies only the iteration.
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

/** One level of loop nesting as a task sees it, outermost first in `ctx.loopStack`. */
export interface LoopFrame<Loop extends string = string> {
  /** The loop's name. */
  readonly loop: Loop
  /** 0 in the first run of the body, then 1, 2... */
  readonly iteration: number
}

/**
 * What the compiler knows about where a stage is: the enclosing foreach and loop frames, outermost first, in
 * one list (their order makes the task id: "i2.5" is item 5 of a foreach inside iteration 2 of a loop).
 */
export type Frame = ForeachFrame | LoopFrame

/** What every step, join and foreach task knows about where it runs. */
export interface RunContext {
  readonly flow: string
  readonly runId: string
  readonly step: string
  /**
   * Where the task is, outermost first, joined with ".": each foreach adds its index, each loop "i" and its
   * iteration ("3", "3.1", "i2", "i2.5"); "0" outside any foreach and loop.
   */
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

/** The context of a task inside a loop body and no foreach body: the iteration and the loop frames. */
export interface LoopContext<Loops extends ReadonlyArray<LoopFrame>> extends RunContext {
  readonly foreachStack: readonly []
  /** The innermost loop's iteration: 0 in the first run of the body. */
  readonly iteration: number
  readonly loopStack: Loops
}

/** The context of a task inside both a foreach body and a loop body. */
export interface ForeachLoopContext<Input, Stack extends ReadonlyArray<ForeachFrame>, Loops extends ReadonlyArray<LoopFrame>>
  extends ForeachContext<Input, Stack> {
  /** The innermost loop's iteration: 0 in the first run of the body. */
  readonly iteration: number
  readonly loopStack: Loops
}

type InnermostInput<Stack> = Stack extends readonly [...ReadonlyArray<unknown>, infer Last]
  ? Last extends ForeachFrame
    ? Last["input"]
    : never
  : never

/** The foreach frames of a mixed stack, in order. */
type ForeachFramesOf<Stack> = Stack extends readonly [infer First, ...infer Rest]
  ? First extends ForeachFrame
    ? readonly [First, ...ForeachFramesOf<Rest>]
    : ForeachFramesOf<Rest>
  : readonly []

/** The loop frames of a mixed stack, in order. */
type LoopFramesOf<Stack> = Stack extends readonly [infer First, ...infer Rest]
  ? First extends LoopFrame
    ? readonly [First, ...LoopFramesOf<Rest>]
    : LoopFramesOf<Rest>
  : readonly []

type ContextWithLoops<Foreach extends ReadonlyArray<ForeachFrame>, Loops extends ReadonlyArray<LoopFrame>> = Foreach extends readonly []
  ? LoopContext<Loops>
  : ForeachLoopContext<InnermostInput<Foreach>, Foreach, Loops>

/**
 * The context type for a given stack of foreach and loop frames. Outside loops (the common case) the stack
 * holds foreach frames only and is used as it is.
 */
export type ContextOf<Stack extends ReadonlyArray<Frame>> = Stack extends readonly []
  ? StepContext
  : Stack extends ReadonlyArray<ForeachFrame>
    ? ForeachContext<InnermostInput<Stack>, Stack>
    : ContextWithLoops<ForeachFramesOf<Stack>, LoopFramesOf<Stack>>

/** What `catch: "name"` stores when a step's last attempt fails (`undefined` when the step succeeded). */
export interface CaughtError {
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
}
