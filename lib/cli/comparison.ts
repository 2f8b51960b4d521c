/**
 * What `artiflow spin` prints: the artifacts a step wrote this time next to what its past task wrote, one
 * line per artifact in two columns, each marked with how it changed. Values are compared by content (the
 * hash of their canonical encoding, as a join's `equal` compares them), not by identity or key order.
 */
import { isDeepStrictEqual } from "node:util"
import { contentHash } from "../codec/encode.js"
import { isEphemeral } from "../dsl/names.js"
import { oneLine, table, toJsonSafe } from "./format.js"

/** How an artifact of the new output compares with the past task's. */
export type Change = "same" | "changed" | "new" | "not written" | "not stored"

/** One side's value of an artifact, or undefined when that side has no such artifact. */
type Side = { readonly value: unknown } | undefined

/** One artifact of either side: its value on each side that has it. */
export interface ArtifactComparison {
  readonly name: string
  readonly original: Side
  readonly output: Side
  readonly change: Change
}

const sameContent = (left: unknown, right: unknown): boolean => {
  const [a, b] = [contentHash(left), contentHash(right)]
  if (a._tag === "Right" && b._tag === "Right") return a.right === b.right
  return isDeepStrictEqual(left, right)
}

const changeOf = (name: string, original: Side, output: Side): Change => {
  if (output === undefined) return "not written"
  if (isEphemeral(name)) return "not stored"
  if (original === undefined) return "new"
  return sameContent(original.value, output.value) ? "same" : "changed"
}

const side = (record: Readonly<Record<string, unknown>> | undefined, name: string): Side =>
  record !== undefined && Object.hasOwn(record, name) ? { value: record[name] } : undefined

/**
 * Every artifact of the new output and of the original (none when the past task failed), sorted by name.
 *
 * @example
 * compareOutputs({ score: 2, _tmp: 1 }, { score: 1, old: 3 })
 * // _tmp: "not stored", old: "not written", score: "changed"
 */
export const compareOutputs = (
  output: Readonly<Record<string, unknown>>,
  original: Readonly<Record<string, unknown>> | undefined
): ReadonlyArray<ArtifactComparison> => {
  const names = [...new Set([...Object.keys(output), ...Object.keys(original ?? {})])].sort()
  return names.map((name) => {
    const [before, after] = [side(original, name), side(output, name)]
    return { name, original: before, output: after, change: changeOf(name, before, after) }
  })
}

const MARKS: Readonly<Record<Change, string>> = {
  same: "",
  changed: "changed",
  new: "new",
  "not written": "not written",
  "not stored": "not stored (_ name)"
}

/**
 * The comparison as aligned lines: a header, then `name  original  new  mark` per artifact, values on one
 * line each, cut to fit `width` characters. When the past task failed there is no original column: it wrote
 * nothing (its error is shown apart).
 */
export const comparisonLines = (
  rows: ReadonlyArray<ArtifactComparison>,
  width: number,
  originalFailed = false
): ReadonlyArray<string> => {
  if (rows.length === 0) return ["(no artifacts on either side)"]
  const marks = rows.map((row) => (originalFailed && row.change === "new" ? "" : MARKS[row.change]))
  const nameWidth = Math.max(8, ...rows.map((row) => [...row.name].length))
  const markWidth = Math.max(...marks.map((mark) => mark.length))
  const columns = originalFailed ? 1 : 2
  const valueWidth = Math.max(12, Math.floor((width - nameWidth - markWidth - 2 * (columns + 1)) / columns))
  const cell = (value: Side): string => (value === undefined ? "-" : oneLine(value.value, valueWidth))
  if (originalFailed) {
    return table([["artifact", "new", ""], ...rows.map((row, i) => [row.name, cell(row.output), marks[i] ?? ""])])
  }
  return table([
    ["artifact", "original", "new", ""],
    ...rows.map((row, i) => [row.name, cell(row.original), cell(row.output), marks[i] ?? ""])
  ])
}

/** The comparison for `--json`: per artifact, each side's JSON-safe value (absent on a side without it), the change. */
export const comparisonJson = (rows: ReadonlyArray<ArtifactComparison>): Readonly<Record<string, object>> =>
  Object.fromEntries(
    rows.map((row) => [
      row.name,
      {
        ...(row.original !== undefined && { original: toJsonSafe(row.original.value) }),
        ...(row.output !== undefined && { new: toJsonSafe(row.output.value) }),
        change: row.change
      }
    ])
  )
