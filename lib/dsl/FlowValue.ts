/**
 * The runtime flow value: a frozen description plus `pipe`. Every combinator returns a new value; nothing
 * is ever mutated, so a flow can be shared, extended in two directions and run concurrently.
 */
import { FlowDefinitionError } from "../errors.js"
import type { ConfigDef, FlowDefinition, FlowNode, ParamSpec, Scope } from "./ast.js"

type AnyStage = (flow: FlowValue) => unknown

export class FlowValue implements FlowDefinition {
  readonly _tag = "Flow" as const

  constructor(
    readonly name: string,
    readonly description: string | undefined,
    readonly params: Readonly<Record<string, ParamSpec>>,
    readonly configs: Readonly<Record<string, ConfigDef>>,
    readonly nodes: ReadonlyArray<FlowNode>,
    readonly scope: Scope,
    readonly sourceFile: string | undefined
  ) {
    Object.freeze(nodes)
    Object.freeze(this)
  }

  pipe(...stages: ReadonlyArray<AnyStage>): FlowValue {
    return stages.reduce<FlowValue>((flow, stage, i) => applyStage(stage, flow, `pipe argument ${i + 1}`), this)
  }
}

/** Applies a user-supplied stage and checks that it returned a flow built from the one it was given. */
export const applyStage = (stage: unknown, flow: FlowValue, where: string): FlowValue => {
  if (typeof stage !== "function") {
    throw new FlowDefinitionError(
      `artiflow: ${where} is not a stage: pass a combinator such as step(...), or (f) => pipe(f, ...)`
    )
  }
  const result: unknown = stage(flow)
  if (!(result instanceof FlowValue) || result.scope !== flow.scope) {
    throw new FlowDefinitionError(
      `artiflow: ${where} did not return the flow it was given: a stage must extend its input, e.g. (f) => pipe(f, step(...))`
    )
  }
  return result
}

/** Checks that a stage's input is a flow (plain JavaScript callers can pass anything). */
export const asFlow = (value: unknown, where: string): FlowValue => {
  if (value instanceof FlowValue) return value
  throw new FlowDefinitionError(`artiflow: ${where} was applied to something that is not a flow: start with flow(name)`)
}

export const appendNode = (flow: FlowValue, node: FlowNode): FlowValue =>
  new FlowValue(
    flow.name,
    flow.description,
    flow.params,
    flow.configs,
    [...flow.nodes, Object.freeze(node)],
    flow.scope,
    flow.sourceFile
  )

export const replaceLastNode = (flow: FlowValue, node: FlowNode): FlowValue =>
  new FlowValue(
    flow.name,
    flow.description,
    flow.params,
    flow.configs,
    [...flow.nodes.slice(0, -1), Object.freeze(node)],
    flow.scope,
    flow.sourceFile
  )

const noParams: Readonly<Record<string, ParamSpec>> = Object.freeze(Object.create(null))
const noConfigs: Readonly<Record<string, ConfigDef>> = Object.freeze(Object.create(null))

/**
 * An empty flow for building a branch, a foreach body, a case, a loop body or a subflow inside `flow`. A
 * subflow is built against only what it needs, so it sees no parameters nor configs (as in its types); `use`
 * checks it against the flow's. `taken` are names the scope may not use either (a loop's own name).
 */
export const startScope = (
  flow: FlowValue,
  kind: Scope["kind"],
  foreachDepth: number,
  taken: ReadonlyArray<string> = []
): FlowValue =>
  new FlowValue(
    flow.name,
    flow.description,
    kind === "subflow" ? noParams : flow.params,
    kind === "subflow" ? noConfigs : flow.configs,
    [],
    Object.freeze({
      kind,
      outerSteps: Object.freeze([...flow.scope.outerSteps, ...stepNames(flow.nodes), ...taken]),
      foreachDepth
    }),
    flow.sourceFile
  )

/** Every step, join and loop name in a list of nodes, depth first (a loop's after its body, like a join). */
export const stepNames = (nodes: ReadonlyArray<FlowNode>): ReadonlyArray<string> => nodes.flatMap(namesIn)

const namesIn = (node: FlowNode): ReadonlyArray<string> => {
  switch (node._tag) {
    case "Step":
      return [node.name]
    case "Split":
      return [...node.branches.flatMap((branch) => stepNames(branch.nodes)), ...(node.join ? [node.join.name] : [])]
    case "Foreach":
      return [...stepNames(node.body), ...(node.join ? [node.join.name] : [])]
    case "Use":
      return stepNames(node.nodes)
    case "Choose":
      return node.cases.flatMap((choice) => stepNames(choice.nodes))
    case "Loop":
      return [...stepNames(node.body), node.name]
  }
}

/** "split" or "foreach" when the last node waits for its join. */
export const openKind = (nodes: ReadonlyArray<FlowNode>): "split" | "foreach" | undefined => {
  const last = nodes.at(-1)
  if (last?._tag === "Split" && last.join === undefined) return "split"
  if (last?._tag === "Foreach" && last.join === undefined) return "foreach"
  return undefined
}
