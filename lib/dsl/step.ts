import type { Flow, Stage } from "../types/flow.js"
import type { ContextOf } from "../types/context.js"
import type { AnyState, OutputOf, RecordOf } from "../types/state.js"
import type { AfterStepWith, CheckStep } from "../types/step.js"
import type { AnyStepFunction, StepOptions } from "./ast.js"
import { appendNode, asFlow } from "./FlowValue.js"
import {
  assertCatchNotParam,
  assertFunction,
  assertName,
  assertNewStep,
  assertNotAfterOpen,
  checkStepOptions
} from "./validate.js"

/**
 * A step: `fn(a, ctx)` reads the record `a` and returns (or resolves to) the artifacts it writes. A returned
 * key adds an artifact or replaces one (with its type); keys starting with `_` are ephemeral.
 *
 * The compiler checks, on the step's name: no step directly after an open split or foreach, no duplicate
 * name, no write to a parameter, only storable values. The same rules are checked at run time.
 *
 * @example
 * import { pipe } from "fp-ts/lib/function.js"
 * import { flow, run, step } from "artiflow"
 *
 * const Hello = pipe(
 *   flow("Hello"),
 *   step("start", () => ({ greeting: "hello" })),
 *   step("end", async (a, ctx) => ({ message: `${a.greeting} from ${ctx.step}` }))
 * )
 * const { artifacts } = await run(Hello) // artifacts.message: string
 */
export function step<
  S extends AnyState,
  Name extends string,
  Returned extends object | void,
  const Options extends StepOptions = {}
>(
  name: CheckStep<S, Name, OutputOf<Returned>, Options["catch"]>,
  fn: (a: RecordOf<S>, ctx: ContextOf<S["stack"]>) => Returned | PromiseLike<Returned>,
  options?: Options
): Stage<S, AfterStepWith<S, Name, Returned, Options["catch"]>>
export function step(name: string, fn: AnyStepFunction, options?: StepOptions): (flow: Flow) => Flow {
  assertName("step", name)
  assertFunction(name, "fn", fn)
  const checked = checkStepOptions(name, options)
  return (input) => {
    const flow = asFlow(input, `step '${name}'`)
    assertNotAfterOpen(flow, `step '${name}'`)
    assertNewStep(flow, name)
    assertCatchNotParam(flow, name, checked)
    return appendNode(flow, { _tag: "Step", name, fn, options: checked }) as Flow
  }
}
