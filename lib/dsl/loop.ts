import type { Flow, Stage } from "../types/flow.js"
import type { AfterLoop, CheckLoop, LoopOptions, LoopRecord, LoopStart } from "../types/loop.js"
import { invalidOption, loopBodyOpen, loopStage } from "../types/messages.js"
import type { AnyState } from "../types/state.js"
import type { AnyUntilFunction } from "./ast.js"
import { appendNode, applyStage, asFlow, openKind, startScope } from "./FlowValue.js"
import { assertName, assertNewStep, assertNotAfterOpen, fail } from "./validate.js"

/** How many iterations a loop runs at most when its options do not say. */
export const DEFAULT_MAX_ITERATIONS = 100

/**
 * A do-while (Metaflow's recursive step): `body` runs, then `until(a)` is called on the body's final record;
 * while it returns false, the body runs again on that record. Each iteration runs new tasks of the body's
 * steps: in the body `ctx.iteration` is the 0-based iteration and `ctx.loopStack` the enclosing loops'
 * frames `{ loop, iteration }`, outermost first; task ids include the iteration ("i2", "i2.5").
 *
 * The body is typed against the record before the loop: an artifact from before the loop that the body writes
 * must keep a type assignable to its type before the loop (a compile error on the loop's name otherwise, with
 * both types). Artifacts the body creates are visible after the loop. Needing more than `maxIterations`
 * (default 100) iterations fails the run with a `ResourceLimitError` naming the loop and the limit.
 *
 * @example
 * import { pipe } from "fp-ts/lib/function.js"
 * import { flow, loop, run, step } from "artiflow"
 *
 * const Fit = pipe(
 *   flow("Fit"),
 *   step("start", () => ({ w: 0, loss: 1 })),
 *   loop(
 *     "fit",
 *     (f) => pipe(f, step("update", (a) => ({ w: a.w + 0.1 })), step("evaluate", (a) => ({ loss: (1 - a.w) ** 2 }))),
 *     { until: (a) => a.loss < 0.01, maxIterations: 100 }
 *   )
 * )
 * const { artifacts } = await run(Fit) // artifacts.w ≈ 0.9, after 9 iterations
 */
export function loop<S extends AnyState, Name extends string, Body extends AnyState>(
  name: CheckLoop<S, Name, Body>,
  body: Stage<LoopStart<S, Name>, Body>,
  options: LoopOptions<LoopRecord<Body>>
): Stage<S, AfterLoop<S, Body>>
export function loop(name: string, body: unknown, options: unknown): (flow: Flow) => Flow {
  assertName("loop", name)
  const { until, maxIterations } = checkLoopOptions(name, options)
  return (input) => {
    const flow = asFlow(input, loopStage(name))
    assertNotAfterOpen(flow, loopStage(name))
    assertNewStep(flow, name)
    const end = applyStage(body, startScope(flow, "loop", flow.scope.foreachDepth, [name]), loopStage(name))
    const open = openKind(end.nodes)
    if (open !== undefined) fail(loopBodyOpen(name, open))
    return appendNode(flow, { _tag: "Loop", name, body: end.nodes, until, maxIterations }) as Flow
  }
}

const checkLoopOptions = (name: string, options: unknown): { until: AnyUntilFunction; maxIterations: number } => {
  const where = loopStage(name)
  if (typeof options !== "object" || options === null) {
    return fail(invalidOption(where, "options", "an object with until: (a) => boolean", options))
  }
  const { until, maxIterations = DEFAULT_MAX_ITERATIONS } = options as Partial<LoopOptions>
  if (typeof until !== "function") return fail(invalidOption(where, "until", "a function (a) => boolean", until))
  if (!(Number.isSafeInteger(maxIterations) && maxIterations >= 1)) {
    return fail(invalidOption(where, "maxIterations", "an integer >= 1", maxIterations))
  }
  return { until: until as AnyUntilFunction, maxIterations }
}
