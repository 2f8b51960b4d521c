/**
 * A flow graph as an indented text tree for terminals (what `artiflow show` and `artiflow graph` print):
 * foreach bodies, split branches, choose cases and loop bodies are indented under their fork, joins close
 * splits and foreaches, and with a status map every step gets aligned columns: state, task count, duration;
 * each case says whether it was taken, each loop how many iterations ran.
 */
import type { FlowGraph, GraphNode } from "../datastore/Manifest.js"
import { chooseRecordName } from "../dsl/chooseIds.js"
import { caseTaken, firstStepName, joinRules, stepOptions } from "./describe.js"
import { formatDuration, plural } from "./format.js"
import type { StepStatus } from "./status.js"

interface Row {
  readonly label: string
  /** The step or join this row stands for, whose status fills the other columns. */
  readonly step?: string
}

type Status = ReadonlyMap<string, StepStatus> | undefined

type Step = Extract<GraphNode, { kind: "step" }>

const stepLabel = (node: Step): string => {
  const options = stepOptions(node.options)
  return options.length === 0 ? node.name : `${node.name} (${options.join(", ")})`
}

const joinLabel = (join: Extract<GraphNode, { kind: "split" }>["join"]): string => {
  const details = [...joinRules(join), ...stepOptions(join)]
  return details.length === 0 ? `${join.name} (join)` : `${join.name} (join: ${details.join("; ")})`
}

const isStep = (node: GraphNode): node is Step => node.kind === "step"

/** A branch of steps only fits on its header line: "right: r1 → r2" (one row per step when showing status). */
const branchRows = (
  name: string,
  nodes: ReadonlyArray<GraphNode>,
  indent: string,
  status: Status
): ReadonlyArray<Row> => {
  const head = `${indent}${name}: `
  if (nodes.length === 0) return [{ label: `${head}(empty)` }]
  if (!nodes.every(isStep)) return [{ label: `${indent}${name}:` }, ...rowsOf(nodes, `${indent}  `, status)]
  if (status === undefined) return [{ label: head + nodes.map(stepLabel).join(" → ") }]
  return nodes.map((node, i) => ({
    label: (i === 0 ? head : " ".repeat(head.length)) + stepLabel(node),
    step: node.name
  }))
}

const rowsOf = (nodes: ReadonlyArray<GraphNode>, indent: string, status: Status): ReadonlyArray<Row> =>
  nodes.flatMap((node): ReadonlyArray<Row> => {
    switch (node.kind) {
      case "step":
        return [{ label: indent + stepLabel(node), step: node.name }]
      case "foreach": {
        const first = firstStepName(node.body)
        const count = first === undefined ? undefined : status?.get(first)?.tasks
        return [
          { label: `${indent}foreach ${node.artifact}${count === undefined ? "" : ` ×${count}`}` },
          ...rowsOf(node.body, `${indent}  `, status),
          { label: indent + joinLabel(node.join), step: node.join.name }
        ]
      }
      case "split":
        return [
          { label: `${indent}split` },
          ...node.branches.flatMap((branch) => branchRows(branch.name, branch.nodes, `${indent}  `, status)),
          { label: indent + joinLabel(node.join), step: node.join.name }
        ]
      case "choose": {
        const record = chooseRecordName(node.id)
        const cases = status?.get(record)?.cases
        const caseName = (name: string): string => (cases === undefined ? name : `${name} (${caseTaken(cases, name)})`)
        return [
          { label: `${indent}choose on ${node.selector}`, step: record },
          ...node.cases.flatMap((choice) => branchRows(caseName(choice.name), choice.nodes, `${indent}  `, status))
        ]
      }
      case "loop": {
        const iterations = status?.get(node.name)?.iterations
        const ran = iterations === undefined ? "" : `, ${plural(iterations, "iteration")}`
        return [
          { label: `${indent}loop ${node.name} (max ${node.maxIterations}${ran})`, step: node.name },
          ...rowsOf(node.body, `${indent}  `, status)
        ]
      }
    }
  })

const statusCells = (status: StepStatus | undefined): ReadonlyArray<string> => {
  if (status === undefined) return []
  const duration = status.durationMs === undefined ? "" : formatDuration(status.durationMs)
  return [status.state, plural(status.tasks, "task"), duration]
}

/** Pads each cell but a row's last to its column's widest padded cell, two spaces apart; trailing blanks trimmed. */
const table = (rows: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> => {
  const columns = Math.max(...rows.map((cells) => cells.length))
  const padded = (cells: ReadonlyArray<string>, c: number): number =>
    c < cells.length - 1 ? [...(cells[c] ?? "")].length : 0
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((cells) => padded(cells, c))))
  return rows.map((cells) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell + " ".repeat((widths[c] ?? 0) - [...cell].length)))
      .join("  ")
      .trimEnd()
  )
}

/**
 * Renders a flow graph as an indented text tree, one line per step, join, split or foreach, ending with a
 * newline. With `status` (see `runStepStatus`) each step, join, choose and loop line gets aligned columns:
 * state, task count and duration; each foreach shows its task count ("×3"), each case whether it was taken,
 * each loop how many iterations ran.
 *
 * @example
 * console.log(renderGraphText(run.graph))
 * // start
 * // foreach grid
 * //   fit
 * // pick (join)
 * // split
 * //   left: l
 * //   right: r1 → r2
 * // merge (join: resolve x)
 * // choose on size
 * //   big: shard → plan
 * //   small: inline
 * // loop fit (max 100)
 * //   update
 * //   evaluate
 * // end
 */
export const renderGraphText = (graph: FlowGraph, status?: ReadonlyMap<string, StepStatus>): string => {
  const rows = rowsOf(graph.nodes, "", status)
  if (rows.length === 0) return "(no steps)\n"
  if (status === undefined) return rows.map((row) => row.label).join("\n") + "\n"
  const cells = rows.map((row) => [
    row.label,
    ...statusCells(row.step === undefined ? undefined : status.get(row.step))
  ])
  return table(cells).join("\n") + "\n"
}
