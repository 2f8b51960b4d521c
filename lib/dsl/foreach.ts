import type { Flow, Stage } from "../types/flow.js"
import type { AfterForeach, BodyStart, CheckForeach } from "../types/foreach.js"
import { bodyOpen, invalidOption } from "../types/messages.js"
import type { AnyState } from "../types/state.js"
import { appendNode, applyStage, asFlow, openKind, startScope } from "./FlowValue.js"
import { isValidArtifactName } from "./names.js"
import { assertNotAfterOpen, fail } from "./validate.js"

/** Options of `foreach`. */
export interface ForeachOptions {
  /** At most this many body tasks of this foreach run at once (the run's `maxWorkers` still applies). */
  readonly concurrency?: number
}

/**
 * Runs `body` once per element of the array artifact `artifact`, concurrently. In the body `ctx.input` is
 * the element (typed from the array), `ctx.index` its index and `ctx.foreachStack` the enclosing frames;
 * artifacts from before the foreach are visible in every task, and tasks cannot see each other's writes.
 * Close it with `join`, whose function receives every task's record in index order.
 *
 * @example
 * import { pipe } from "fp-ts/lib/function.js"
 * import { flow, foreach, join, run, step } from "artiflow"
 *
 * const Squares = pipe(
 *   flow("Squares"),
 *   step("start", () => ({ xs: [1, 2, 3] })),
 *   foreach("xs", step("square", (a, ctx) => ({ y: ctx.input * ctx.input }))),
 *   join("sum", (inputs) => ({ total: inputs.reduce((s, i) => s + i.y, 0) }))
 * )
 * const { artifacts } = await run(Squares) // artifacts.total === 14
 */
export function foreach<S extends AnyState, Artifact extends string, Body extends AnyState>(
  artifact: CheckForeach<S, Artifact, Body>,
  body: Stage<BodyStart<S, Artifact>, Body>,
  options?: ForeachOptions
): Stage<S, AfterForeach<S, Artifact, Body>>
export function foreach(artifact: string, body: unknown, options?: ForeachOptions): (flow: Flow) => Flow {
  if (!isValidArtifactName(artifact)) fail(`artiflow: foreach needs the name of an array artifact (received ${String(artifact)})`)
  const concurrency = options?.concurrency
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    fail(invalidOption(`foreach over '${artifact}'`, "concurrency", "an integer > 0", concurrency))
  }
  return (input) => {
    const flow = asFlow(input, `foreach over '${artifact}'`)
    assertNotAfterOpen(flow, `foreach over '${artifact}'`)
    const end = applyStage(body, startScope(flow, "body", flow.scope.foreachDepth + 1), `foreach over '${artifact}'`)
    const open = openKind(end.nodes)
    if (open !== undefined) fail(bodyOpen(artifact, open))
    return appendNode(flow, { _tag: "Foreach", artifact, body: end.nodes, concurrency, join: undefined }) as Flow
  }
}
