import type * as t from "io-ts"
import { isCodec } from "./codec.js"
import { FlowDefinitionError } from "../errors.js"
import type { Flow, Stage } from "../types/flow.js"
import { subflowOpen } from "../types/messages.js"
import type { AnyState } from "../types/state.js"
import type { AfterUse, CheckUse, Subflow, SubflowStart } from "../types/subflow.js"
import type { FlowNode } from "./ast.js"
import { appendNode, applyStage, asFlow, openKind, startScope } from "./FlowValue.js"
import { assertNotAfterOpen, fail, readOnlyWrite } from "./validate.js"

/**
 * A reusable fragment typed against the artifacts it needs. Two forms: `subflow<Needs>()(build)` checks
 * only at compile time; `subflow({ name: codec }, build)` also checks the needed artifacts' values at run
 * time with io-ts. Insert it with `use(fragment)`; its step names must be unique in the flow using it.
 *
 * @example
 * import * as t from "io-ts"
 * import { pipe } from "fp-ts/lib/function.js"
 * import { flow, run, step, subflow, use } from "artiflow"
 *
 * const normalize = subflow({ xs: t.array(t.number) }, (f) =>
 *   pipe(f, step("normalize", (a) => ({ xs: a.xs.map((x) => x / Math.max(...a.xs)) })))
 * )
 * const F = pipe(flow("F"), step("start", () => ({ xs: [1, 2, 4] })), use(normalize))
 * const { artifacts } = await run(F) // artifacts.xs: [0.25, 0.5, 1]
 */
export function subflow<Needs extends object>(): <End extends AnyState>(
  build: Stage<SubflowStart<Needs>, End>
) => Subflow<Needs, End>
export function subflow<Props extends t.Props, End extends AnyState>(
  needs: Props,
  build: Stage<SubflowStart<t.TypeOfProps<Props>>, End>
): Subflow<t.TypeOfProps<Props>, End>
export function subflow(needs?: t.Props, build?: unknown): unknown {
  if (needs === undefined) return (later: unknown) => makeSubflow(undefined, later)
  if (typeof needs !== "object" || needs === null || !Object.values(needs).every(isCodec)) {
    throw new FlowDefinitionError("artiflow: subflow needs an object of io-ts codecs: subflow({ name: t.number }, build)")
  }
  return makeSubflow(Object.freeze({ ...needs }), build)
}

const makeSubflow = (needs: t.Props | undefined, build: unknown): Subflow => {
  if (typeof build !== "function") {
    throw new FlowDefinitionError("artiflow: subflow needs a build function: (f) => pipe(f, step(...), ...)")
  }
  return Object.freeze({ _tag: "Subflow", needs, build: build as Subflow["build"] })
}

const isSubflow = (value: unknown): value is Subflow =>
  typeof value === "object" && value !== null && (value as Partial<Subflow>)._tag === "Subflow"

/**
 * Inserts a fragment built with `subflow`. The compiler checks, on the argument, that the flow has every
 * artifact the fragment needs with a compatible type, and that no step name is taken twice.
 */
export function use<S extends AnyState, Needs extends object, End extends AnyState>(
  fragment: CheckUse<S, Needs, End>
): Stage<S, AfterUse<S, End>>
export function use(fragment: unknown): (flow: Flow) => Flow {
  if (!isSubflow(fragment)) {
    throw new FlowDefinitionError("artiflow: use needs a fragment built with subflow(...)")
  }
  return (input) => {
    const flow = asFlow(input, "use of a subflow")
    assertNotAfterOpen(flow, "use of a subflow")
    const start = startScope(flow, "subflow", flow.scope.foreachDepth)
    const end = applyStage(fragment.build, start, "a subflow's build function")
    const open = openKind(end.nodes)
    if (open !== undefined) fail(subflowOpen(open))
    // The fragment was built without the flow's parameters and configs (see startScope); its steps are checked here.
    for (const name of catchNames(end.nodes)) {
      const message = readOnlyWrite(flow, "(in a subflow)", name)
      if (message !== undefined) fail(message)
    }
    return appendNode(flow, { _tag: "Use", needs: fragment.needs, nodes: end.nodes }) as Flow
  }
}

/** The artifacts the fragment's `catch` options write, depth first. */
const catchNames = (nodes: ReadonlyArray<FlowNode>): ReadonlyArray<string> =>
  nodes.flatMap((node): ReadonlyArray<string> => {
    switch (node._tag) {
      case "Step":
        return node.options.catch === undefined ? [] : [node.options.catch]
      case "Use":
        return catchNames(node.nodes)
      case "Split":
        return [...node.branches.flatMap((branch) => catchNames(branch.nodes)), ...joinCatch(node.join)]
      case "Foreach":
        return [...catchNames(node.body), ...joinCatch(node.join)]
      case "Choose":
        return node.cases.flatMap((choice) => catchNames(choice.nodes))
      case "Loop":
        return catchNames(node.body)
    }
  })

const joinCatch = (join: { readonly options: { readonly catch?: string } } | undefined): ReadonlyArray<string> =>
  join?.options.catch === undefined ? [] : [join.options.catch]
