/**
 * A short, JSON-like rendering of any storable value for previews: Map, Set, Date, bigint, typed arrays,
 * errors, class instances and cycles are shown as people expect, and the output is cut at a budget, so a
 * preview never walks more of a value than it shows.
 */

const MAX_DEPTH = 4
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

interface Walk {
  readonly seen: Set<object>
  /** Characters still to produce; containers stop adding entries when it runs out. */
  budget: number
}

const key = (name: string): string => (IDENTIFIER.test(name) ? name : JSON.stringify(name))

/** Renders entries until the budget runs out, then "…". */
const entries = (walk: Walk, items: Iterable<unknown>, item: (entry: unknown) => string): string => {
  const parts: Array<string> = []
  for (const entry of items) {
    if (walk.budget <= 0) {
      parts.push("…")
      break
    }
    const part = item(entry)
    walk.budget -= part.length + 2
    parts.push(part)
  }
  return parts.join(", ")
}

const typeName = (value: object): string => {
  const prototype: unknown = Object.getPrototypeOf(value)
  if (prototype === null) return ""
  const constructor: unknown = (prototype as { constructor?: unknown }).constructor
  return typeof constructor === "function" && constructor.name !== "Object" ? `${constructor.name} ` : ""
}

const primitive = (value: unknown): string | undefined => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 2000 ? value.slice(0, 2000) : value)
    case "number":
      return Object.is(value, -0) ? "-0" : String(value)
    case "bigint":
      return `${value}n`
    case "boolean":
    case "undefined":
      return String(value)
    case "symbol":
      return value.toString()
    case "function":
      return `[function ${value.name || "anonymous"}]`
    default:
      return value === null ? "null" : undefined
  }
}

const leaf = (value: object): string | undefined => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Date(invalid)" : `Date(${value.toISOString()})`
  if (value instanceof RegExp) return String(value)
  if (value instanceof URL) return `URL(${value.href})`
  if (value instanceof Error) return `${value.name}: ${value.message}`
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`
  if (value instanceof DataView) return `DataView(${value.byteLength})`
  return undefined
}

const container = (value: object, depth: number, walk: Walk): string => {
  const inner = (entry: unknown): string => render(entry, depth + 1, walk)
  if (Array.isArray(value)) return `[${entries(walk, value, inner)}]`
  if (ArrayBuffer.isView(value)) {
    const items = value as unknown as ArrayLike<number | bigint>
    return `${typeName(value).trimEnd()}(${items.length}) [${entries(walk, Array.prototype.values.call(items), inner)}]`
  }
  if (value instanceof Map) {
    const pair = (entry: unknown): string => {
      const [k, v] = entry as [unknown, unknown]
      return `${inner(k)} => ${inner(v)}`
    }
    return `Map(${value.size}) {${entries(walk, value.entries(), pair)}}`
  }
  if (value instanceof Set) return `Set(${value.size}) {${entries(walk, value.values(), inner)}}`
  const record = value as Readonly<Record<string, unknown>>
  const field = (name: unknown): string => `${key(name as string)}: ${inner(record[name as string])}`
  return `${typeName(value)}{${entries(walk, Object.keys(value), field)}}`
}

const render = (value: unknown, depth: number, walk: Walk): string => {
  const simple = primitive(value)
  if (simple !== undefined) return simple
  const object = value as object
  const special = leaf(object)
  if (special !== undefined) return special
  if (walk.seen.has(object)) return "[Circular]"
  if (depth >= MAX_DEPTH) return Array.isArray(object) ? "[…]" : "{…}"
  walk.seen.add(object)
  const text = container(object, depth, walk)
  walk.seen.delete(object)
  return text
}

/**
 * A one-line preview of a value, at most `maxChars` characters (cut with "…").
 *
 * @example
 * previewValue({ a: [1, 2], m: new Map([["k", 1n]]) }) // '{a: [1, 2], m: Map(1) {"k" => 1n}}'
 * previewValue("x".repeat(500), 10) // '"xxxxxxxx…'
 */
export const previewValue = (value: unknown, maxChars = 240): string => {
  const text = render(value, 0, { seen: new Set(), budget: maxChars })
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1))}…`
}
