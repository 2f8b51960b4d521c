/**
 * How the CLI prints things: values (node:util inspect with limits, or a JSON-safe rendering), tables,
 * times, rates and ETAs. Pure functions; sizes and durations come from the report's formatters so the
 * terminal and the HTML report say the same.
 */
import { inspect } from "node:util"
import { formatBytes, formatDuration, plural } from "../report/format.js"

export { formatBytes, formatDuration, plural }

/** How much of a value `inspectValue` shows. */
export interface InspectLimits {
  readonly colors: boolean
  /** Show more: deeper, longer arrays and strings (`dump --artifact`). */
  readonly full?: boolean
}

/**
 * A value as Node prints it, with limits so a big value stays readable: nesting depth, array items and
 * string length are cut (inspect says how many items it left out).
 *
 * @example
 * inspectValue({ a: [1, 2, 3] }, { colors: false }) // "{ a: [ 1, 2, 3 ] }"
 */
export const inspectValue = (value: unknown, limits: InspectLimits): string =>
  inspect(value, {
    colors: limits.colors,
    depth: limits.full ? 8 : 4,
    maxArrayLength: limits.full ? 1000 : 20,
    maxStringLength: limits.full ? 100_000 : 500,
    breakLength: 100,
    compact: 3,
    sorted: false
  })

/**
 * A value on one line of at most `width` characters (cut with "…"), without colours.
 *
 * @example
 * oneLine({ a: [1, 2, 3] }, 12) // "{ a: [ 1, …"
 */
export const oneLine = (value: unknown, width: number): string => {
  const limits = { depth: 2, maxArrayLength: 10, maxStringLength: 200 }
  const text = inspect(value, { ...limits, colors: false, breakLength: Infinity, compact: true })
  return cut(text.replace(/\s*\n\s*/g, " "), width)
}

/** `text` cut to `width` characters, ending with "…" when cut. */
export const cut = (text: string, width: number): string => {
  const chars = [...text]
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`
}

/**
 * At most `max` lines of `text`; what is cut is replaced by a line saying how many lines were left out.
 *
 * @example
 * firstLines("a\nb\nc", 2) // "a\nb\n… 1 more line"
 */
export const firstLines = (text: string, max: number): string => {
  const lines = text.split("\n")
  if (lines.length <= max) return text
  const rest = lines.length - max
  return [...lines.slice(0, max), `… ${rest} more line${rest === 1 ? "" : "s"}`].join("\n")
}

/** Indents every line of `text` but the first by `prefix`. */
export const hangingIndent = (text: string, prefix: string): string => text.split("\n").join(`\n${prefix}`)

const PREVIEW_ITEMS = 10

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

const binaryPreview = (type: string, items: ArrayLike<number | bigint>): Json => ({
  type,
  length: items.length,
  preview: Array.from({ length: Math.min(PREVIEW_ITEMS, items.length) }, (_, i) => jsonNumber(items[i] as number | bigint))
})

const jsonNumber = (value: number | bigint): Json =>
  typeof value === "bigint" ? value.toString() : Number.isFinite(value) ? value : String(value)

const jsonObject = (value: object, seen: Set<object>): Json => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()
  if (value instanceof RegExp) return String(value)
  if (value instanceof URL) return value.href
  if (value instanceof Error) return { name: value.name, message: value.message }
  if (value instanceof ArrayBuffer) return binaryPreview("ArrayBuffer", new Uint8Array(value))
  if (value instanceof DataView) return binaryPreview("DataView", new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
  if (ArrayBuffer.isView(value)) return binaryPreview(value.constructor.name, value as unknown as ArrayLike<number | bigint>)
  if (seen.has(value)) return "[Circular]"
  seen.add(value)
  try {
    const inner = (item: unknown): Json => toJsonSafe(item, seen)
    if (Array.isArray(value)) return value.map(inner)
    if (value instanceof Map) return [...value].map(([k, v]) => [inner(k), inner(v)])
    if (value instanceof Set) return [...value].map(inner)
    const record: Record<string, Json> = {}
    for (const [key, item] of Object.entries(value)) record[key] = inner(item)
    return record
  } finally {
    seen.delete(value)
  }
}

/**
 * A value as JSON can carry it: bigint as a string, non-finite numbers as strings, undefined as null, Date
 * as ISO text, Map as an array of [key, value] pairs, Set as an array, typed arrays and buffers as
 * `{ type, length, preview }` (the first 10 items), errors as `{ name, message }`, a cycle as "[Circular]".
 *
 * @example
 * toJsonSafe({ n: 1n, m: new Map([["a", 1]]), f: new Float64Array(3) })
 * // { n: "1", m: [["a", 1]], f: { type: "Float64Array", length: 3, preview: [0, 0, 0] } }
 */
export const toJsonSafe = (value: unknown, seen: Set<object> = new Set()): Json => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value
    case "number":
    case "bigint":
      return jsonNumber(value)
    case "undefined":
      return null
    case "symbol":
    case "function":
      return String(value)
    default:
      return value === null ? null : jsonObject(value as object, seen)
  }
}

/** JSON text of a value for `--json` output (two-space indent, newline-terminated). */
export const jsonText = (value: unknown): string => `${JSON.stringify(toJsonSafe(value), null, 2)}\n`

/**
 * Rows as aligned columns, two spaces apart, trailing blanks trimmed.
 *
 * @example
 * table([["ID", "STATUS"], ["r1", "failed"]]) // ["ID  STATUS", "r1  failed"]
 */
export const table = (rows: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> => {
  const widths: Array<number> = []
  for (const row of rows) row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, [...cell].length)))
  return rows.map((row) => row.map((cell, c) => cell + " ".repeat((widths[c] ?? 0) - [...cell].length)).join("  ").trimEnd())
}

/** An epoch-milliseconds time as ISO 8601 text, or "-". */
export const isoTime = (ms: number | undefined): string =>
  ms === undefined || !Number.isFinite(ms) ? "-" : new Date(ms).toISOString()

/** A span between two epoch-milliseconds times, or "-" when it has not ended. */
export const span = (start: number, end: number | undefined): string => (end === undefined ? "-" : formatDuration(end - start))

/**
 * Items per second: "12.3/s", "1234/s", "0.05/s".
 *
 * @example
 * formatRate(12.345) // "12.3/s"
 */
export const formatRate = (perSecond: number): string => {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return "-/s"
  if (perSecond >= 1000) return `${Math.round(perSecond)}/s`
  if (perSecond >= 1) return `${perSecond.toFixed(1)}/s`
  return `${perSecond.toPrecision(2)}/s`
}

/**
 * Time left, in whole seconds: "<1s", "4s", "1m 05s", "2h 03m"; "?" when unknown.
 *
 * @example
 * formatEta(65_000) // "1m 05s"
 */
export const formatEta = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return "?"
  if (ms < 1000) return "<1s"
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  const pad = (n: number): string => String(n).padStart(2, "0")
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`
  return `${Math.floor(seconds / 3600)}h ${pad(Math.floor(seconds / 60) % 60)}m`
}
