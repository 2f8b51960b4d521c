/** Short descriptions of graph nodes that the text, Mermaid and HTML renderers share. */
import type { GraphJoin, GraphNode } from "../datastore/Manifest.js"

type StepOptions = Extract<GraphNode, { kind: "step" }>["options"]

/**
 * What a join does with conflicting artifacts, one phrase per rule: "resolve x, y", "take z from left",
 * "exclude w", "equal v". Empty for a join without rules.
 *
 * @example
 * joinRules({ name: "merge", resolve: ["x"], hasFunction: false }) // ["resolve x"]
 */
export const joinRules = (join: GraphJoin): ReadonlyArray<string> => {
  const take = Object.entries(join.take ?? {}).map(([key, branch]) => `${key} from ${branch}`)
  return [
    join.resolve?.length ? `resolve ${join.resolve.join(", ")}` : undefined,
    take.length > 0 ? `take ${take.join(", ")}` : undefined,
    join.exclude?.length ? `exclude ${join.exclude.join(", ")}` : undefined,
    join.equal?.length ? `equal ${join.equal.join(", ")}` : undefined
  ].filter((rule) => rule !== undefined)
}

/**
 * A step's (or join's) options as phrases: "retry 2", "catch err", "timeout 5000ms", "cache", "cache v2".
 *
 * @example
 * stepOptions({ retry: 1, catch: "err" }) // ["retry 1", "catch err"]
 */
export const stepOptions = (options: StepOptions): ReadonlyArray<string> =>
  [
    options.retry === undefined ? undefined : `retry ${options.retry}`,
    options.catch === undefined ? undefined : `catch ${options.catch}`,
    options.timeout === undefined ? undefined : `timeout ${options.timeout}ms`,
    options.cache === undefined || options.cache === false
      ? undefined
      : typeof options.cache === "object" && options.cache.version !== undefined
        ? `cache v${options.cache.version}`
        : "cache"
  ].filter((option) => option !== undefined)

/**
 * The first step (or join) of a list of nodes, depth first: whose task count a foreach fan-out shows.
 *
 * @example
 * firstStepName([{ kind: "step", name: "fit", options: {} }]) // "fit"
 */
export const firstStepName = (nodes: ReadonlyArray<GraphNode>): string | undefined => {
  const first = nodes[0]
  if (first === undefined) return undefined
  if (first.kind === "step") return first.name
  if (first.kind === "split") return first.branches.map((b) => firstStepName(b.nodes)).find((n) => n !== undefined)
  return firstStepName(first.body) ?? first.join.name
}
