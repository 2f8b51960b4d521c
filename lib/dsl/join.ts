import type { Flow, Stage } from "../types/flow.js"
import type { AfterJoin, CheckJoin, GivenOptions, JoinFunction, JoinOptionsFor, NoFunction, NoOptions } from "../types/join.js"
import { joinWithoutOpen, splitOptionInForeachJoin, unknownBranch } from "../types/messages.js"
import type { AnyState } from "../types/state.js"
import type { AnyJoinFunction, JoinOptions, SplitNode } from "./ast.js"
import { asFlow, replaceLastNode } from "./FlowValue.js"
import { isValidArtifactName } from "./names.js"
import { assertCatchNotParam, assertFunction, assertName, assertNewStep, checkStepOptions, fail } from "./validate.js"

/**
 * Closes the innermost open split or foreach and merges it into one record.
 *
 * After a split: artifacts written in no branch, or in exactly one branch and absent before the split, pass
 * through. An artifact written in a branch and present in another branch's output is a conflict the join
 * must handle: `resolve` (compute it from every branch's value), `take` (keep one branch's), `exclude`
 * (drop it), `equal` (every branch holds the same content, checked at run time), or return it from `fn`.
 * `fn(inputs, a, ctx)` gets each branch's record by name and the merged record.
 *
 * After a foreach: artifacts from before the foreach pass through; the body's artifacts are reachable
 * through `inputs` (every task's record, in index order), unless listed in `equal` or returned by `fn`.
 *
 * Unhandled conflicts, and handling something that is not a conflict, are compile errors on the join's
 * name, and run-time errors with the same text.
 *
 * @example
 * import { pipe } from "fp-ts/lib/function.js"
 * import { flow, join, run, split, step } from "artiflow"
 *
 * const Merge = pipe(
 *   flow("Merge"),
 *   step("start", () => ({ x: 1 })),
 *   split({ a: step("a", (a) => ({ x: a.x + 1 })), b: step("b", (a) => ({ x: a.x + 2 })) }),
 *   join("merge", { resolve: { x: (xs) => Math.max(xs.a, xs.b) } })
 * )
 * const { artifacts } = await run(Merge) // artifacts.x === 3
 */
export function join<S extends AnyState, Name extends string>(
  name: CheckJoin<S, Name, {}, {}>
): Stage<S, AfterJoin<S, Name, {}, {}>>
export function join<
  S extends AnyState,
  Name extends string,
  const Options extends JoinOptionsFor<S> | NoOptions,
  Returned extends object | void = NoFunction
>(
  name: CheckJoin<S, Name, Options, Returned, OutputKnown<Options, Returned>>,
  optionsOrFn: Options | JoinFunction<S, {}, Returned>
): Stage<S, AfterJoin<S, Name, Options, Returned>>
export function join<
  S extends AnyState,
  Name extends string,
  const Options extends JoinOptionsFor<S> | NoOptions,
  Returned extends object | void = NoFunction
>(
  name: CheckJoin<S, Name, Options, Returned, [Returned] extends [NoFunction] ? false : true>,
  options: Options,
  fn: JoinFunction<S, GivenOptions<Options>, Returned>
): Stage<S, AfterJoin<S, Name, Options, Returned>>
export function join(name: string, second?: unknown, third?: unknown): (flow: Flow) => Flow {
  assertName("step", name)
  const [rawOptions, fn] = typeof second === "function" ? [undefined, second] : [second, third]
  if (fn !== undefined) assertFunction(name, "fn", fn)
  const options = checkJoinOptions(name, rawOptions)
  return (input) => {
    const flow = asFlow(input, `join '${name}'`)
    const open = flow.nodes.at(-1)
    if (!(open?._tag === "Split" || open?._tag === "Foreach") || open.join !== undefined) return fail(joinWithoutOpen(name))
    assertNewStep(flow, name)
    if (open._tag === "Foreach") assertNoSplitOptions(name, options)
    else assertKnownBranches(name, open, options)
    assertCatchNotParam(flow, name, options)
    const spec = Object.freeze({ name, options, fn: fn as AnyJoinFunction | undefined })
    return replaceLastNode(flow, { ...open, join: spec }) as Flow
  }
}

/**
 * Whether the two-argument form's output is known. One signature per arity, with a union for the second
 * argument, not one overload for options and one for a function: the compiler types a function argument
 * from the first overload it tries and never retypes it for the next one. With both placeholders still in
 * place the compiler is in its first pass, before it looks at function arguments.
 */
type OutputKnown<Options, Returned> = [NoOptions] extends [Options]
  ? [Returned] extends [NoFunction]
    ? false
    : true
  : true

const checkJoinOptions = (name: string, options: unknown): JoinOptions => {
  const stepOptions = checkStepOptions(name, options, "join")
  if (options === undefined) return stepOptions
  const { resolve, take, exclude, equal } = options as JoinOptions
  if (resolve !== undefined) checkRecordOf(name, "resolve", resolve, "function")
  if (take !== undefined) checkRecordOf(name, "take", take, "string")
  if (exclude !== undefined) checkNameList(name, "exclude", exclude)
  if (equal !== undefined) checkNameList(name, "equal", equal)
  return Object.freeze({
    ...stepOptions,
    ...(resolve !== undefined && { resolve: nullPrototypeCopy(resolve) }),
    ...(take !== undefined && { take: nullPrototypeCopy(take) }),
    ...(exclude !== undefined && { exclude: Object.freeze([...exclude]) }),
    ...(equal !== undefined && { equal: Object.freeze([...equal]) })
  })
}

/**
 * A frozen copy without a prototype. The interpreter looks artifact names up in `resolve` and `take`: with
 * Object.prototype behind them, an artifact named "constructor" or "toString" would find Object's own
 * function there (and `resolve` would call `Object` as the resolver, `take` would drop the artifact).
 */
const nullPrototypeCopy = <T extends object>(record: T): T => Object.freeze(Object.assign(Object.create(null) as T, record))

const checkRecordOf = (name: string, option: string, value: unknown, kind: "function" | "string"): void => {
  const valid =
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.entries(value).every(([key, v]) => isValidArtifactName(key) && typeof v === kind)
  if (!valid) fail(`artiflow: join '${name}': ${option} must map artifact names to ${kind}s`)
}

const checkNameList = (name: string, option: string, value: unknown): void => {
  if (!(Array.isArray(value) && value.every(isValidArtifactName))) {
    fail(`artiflow: join '${name}': ${option} must be an array of artifact names`)
  }
}

const assertNoSplitOptions = (name: string, options: JoinOptions): void => {
  for (const option of ["resolve", "take", "exclude"] as const) {
    if (options[option] !== undefined) fail(splitOptionInForeachJoin(name, option))
  }
}

const assertKnownBranches = (name: string, split: SplitNode, options: JoinOptions): void => {
  for (const [key, branch] of Object.entries(options.take ?? {})) {
    if (!split.branches.some((b) => b.name === branch)) fail(unknownBranch(name, key, branch))
  }
}
