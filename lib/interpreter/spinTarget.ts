/**
 * Where a step or join sits in a flow, and which tasks' snapshots a task of it started from: the snapshot
 * before it (the end of the node before it, or the start of its scope), the arrays its foreach frames iterate,
 * and, for a join, the ends of the branches or bodies it joins. Pure: no I/O, only names and depths that the
 * past run's task ids are built from.
 */
import type { FlowNode, ForeachNode, JoinSpec, SplitNode, StepNode } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { stepNames } from "../dsl/FlowValue.js"
import { FlowDefinitionError, NotFoundError } from "../errors.js"
import { listNames } from "../listing.js"

/** One level of a node's place: the node list it is in, its index there, and whether that list is a foreach body. */
interface Level {
  readonly nodes: ReadonlyArray<FlowNode>
  readonly index: number
  /** The list is a foreach body: its tasks are one foreach level deeper than the level above. */
  readonly body: boolean
}

/** A step or join, with its place in the flow (outermost level first). */
export type SpinTarget =
  | { readonly kind: "step"; readonly name: string; readonly node: StepNode; readonly path: ReadonlyArray<Level> }
  | {
      readonly kind: "join"
      readonly name: string
      readonly node: SplitNode | ForeachNode
      readonly join: JoinSpec
      readonly path: ReadonlyArray<Level>
    }

/**
 * A task of a past run, as a step name and how many foreach indices of the task being spun its id keeps:
 * the task of `step` at depth 2 for task "3.1.4" is `step/3.1`.
 */
export interface TaskAt {
  readonly step: string
  readonly depth: number
}

const find = (
  nodes: ReadonlyArray<FlowNode>,
  name: string,
  above: ReadonlyArray<Level>,
  body: boolean
): SpinTarget | undefined => {
  for (const [index, node] of nodes.entries()) {
    const path = [...above, { nodes, index, body }]
    switch (node._tag) {
      case "Step":
        if (node.name === name) return { kind: "step", name, node, path }
        break
      case "Use": {
        const found = find(node.nodes, name, path, false)
        if (found !== undefined) return found
        break
      }
      case "Split": {
        for (const branch of node.branches) {
          const found = find(branch.nodes, name, path, false)
          if (found !== undefined) return found
        }
        if (node.join?.name === name) return { kind: "join", name, node, join: node.join, path }
        break
      }
      case "Foreach": {
        const found = find(node.body, name, path, true)
        if (found !== undefined) return found
        if (node.join?.name === name) return { kind: "join", name, node, join: node.join, path }
        break
      }
      case "Loop":
        if (node.name === name || stepNames(node.body).includes(name)) {
          throw new FlowDefinitionError(
            `artiflow: spin: '${name}' ${node.name === name ? "is" : "is inside"} loop '${node.name}': spin runs one task of a step outside loops; run the loop again with resume(flow, { from: '${node.name}' })`
          )
        }
        break
      case "Choose":
        if (node.cases.some((choice) => stepNames(choice.nodes).includes(name))) {
          throw new FlowDefinitionError(
            `artiflow: spin: step '${name}' is in a case of choose on '${node.selector}': spin runs steps outside chooses; run it again with resume(flow, { from: '${name}' })`
          )
        }
        break
    }
  }
  return undefined
}

/** Finds a step or join of `flow`; a name the flow does not have is a NotFoundError listing the names it has. */
export const locate = (flow: FlowValue, name: string): SpinTarget => {
  const found = find(flow.nodes, name, [], false)
  if (found !== undefined) return found
  throw new NotFoundError(
    `artiflow: spin: flow '${flow.name}' has no step or join '${name}' (steps: ${listNames(stepNames(flow.nodes), 50)})`
  )
}

/** How many foreach bodies enclose the nodes of `path[level]`. */
const depthAt = (path: ReadonlyArray<Level>, level: number): number =>
  path.slice(0, level + 1).filter((entry) => entry.body).length

/** The foreach depth of a target's tasks (0 outside any foreach). */
export const targetDepth = (target: SpinTarget): number => depthAt(target.path, target.path.length - 1)

/** The task whose snapshot a node ends with, when it ran at `depth`; undefined for a subflow with no nodes. */
const endOf = (node: FlowNode, depth: number): TaskAt | undefined => {
  switch (node._tag) {
    case "Step":
      return { step: node.name, depth }
    case "Split":
    case "Foreach":
      return node.join === undefined ? undefined : { step: node.join.name, depth }
    case "Use":
      return endOfList(node.nodes, depth)
    case "Loop":
      // The loop's record holds the record after the loop (its base is the last iteration's end).
      return { step: node.name, depth }
    case "Choose":
      // Which case ran, and so which task ends it, is only known from the run: spin cannot start after it.
      throw new FlowDefinitionError(
        `artiflow: spin: the step spun starts from the record after choose on '${node.selector}', which depends on the case a run took: spin runs steps that no choose precedes in their scope; use resume(flow, { from: step }) instead`
      )
  }
}

/** The task a list of nodes ends with, or undefined when the list ends where it started (no task). */
export const endOfList = (nodes: ReadonlyArray<FlowNode>, depth: number): TaskAt | undefined => {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const end = endOf(nodes[i] as FlowNode, depth)
    if (end !== undefined) return end
  }
  return undefined
}

/**
 * The task whose snapshot the node at `path[level]` starts from: the end of a node before it in its list,
 * else the start of the node that opened the list (a branch starts where its split does, a foreach body
 * where its foreach does). Undefined means the run's parameters: the flow's first node starts from them.
 */
export const startOf = (path: ReadonlyArray<Level>, level: number): TaskAt | undefined => {
  const { nodes, index } = path[level] as Level
  const depth = depthAt(path, level)
  for (let i = index - 1; i >= 0; i--) {
    const end = endOf(nodes[i] as FlowNode, depth)
    if (end !== undefined) return end
  }
  return level === 0 ? undefined : startOf(path, level - 1)
}

/** The levels whose node is a foreach the target's tasks run inside, outermost first. */
export const enclosingForeaches = (target: SpinTarget): ReadonlyArray<number> =>
  target.path.flatMap((entry, level) => (level + 1 < target.path.length && target.path[level + 1]?.body ? [level] : []))

/** The tasks of a list's top-level nodes: what they wrote is what the list's scope wrote (a subflow's nodes count). */
export const scopeTasks = (nodes: ReadonlyArray<FlowNode>, depth: number): ReadonlyArray<TaskAt> =>
  nodes.flatMap((node): ReadonlyArray<TaskAt> => {
    if (node._tag === "Use") return scopeTasks(node.nodes, depth)
    const end = endOf(node, depth)
    return end === undefined ? [] : [end]
  })
