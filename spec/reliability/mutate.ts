/**
 * Near-miss values: a shape with one node changed a little (0 to -0, a hole to `undefined`, two Map entries
 * swapped, Int8Array to Uint8Array, a shared reference retargeted...). Random pairs of values are almost
 * always wildly different; near misses are what a lossy codec would confuse. Some changes keep the value
 * equal (a typed array moved into a window of a larger buffer, swapping two equal Set members): the
 * properties use the exact comparer as the oracle, never the mutation's intent.
 */
import type { BinaryName, Entry, ErrorClassName, Primitive, Shape } from "./shape.js"
import { ERROR_CLASSES, widthOf } from "./shape.js"

const BINARY_NAMES: ReadonlyArray<BinaryName> = [
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "ArrayBuffer",
  "DataView",
  "Buffer",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array"
]

/** Another binary class with the same element width (so the same bytes fit). */
const siblingType = (type: BinaryName): BinaryName => {
  const group = BINARY_NAMES.filter((name) => widthOf(name) === widthOf(type))
  return group[(group.indexOf(type) + 1) % group.length] as BinaryName
}

const nextNumber = (n: number): number => {
  if (Number.isNaN(n)) return 0
  if (Object.is(n, 0)) return -0
  if (Object.is(n, -0)) return 0
  if (!Number.isFinite(n)) return -n
  return n + 1 !== n ? n + 1 : -n
}

const primitiveVariants = (value: Primitive): ReadonlyArray<Primitive> => {
  switch (typeof value) {
    case "number":
      return [nextNumber(value), String(value), Number.isSafeInteger(value) ? BigInt(value) : Number.NaN]
    case "string":
      return [`${value}x`, value.length > 0 ? value.slice(0, -1) : null]
    case "boolean":
      return [!value, value ? 1 : 0]
    case "bigint":
      return [value + 1n, Number(value)]
    default:
      return value === null ? [undefined, 0, ""] : [null, false]
  }
}

const pick = <T>(options: ReadonlyArray<T>, choice: number): T => options[choice % options.length] as T

const swapFirstTwo = <T>(items: ReadonlyArray<T>): ReadonlyArray<T> =>
  items.length < 2 ? items : [items[1] as T, items[0] as T, ...items.slice(2)]

const uniqueKey = (entries: ReadonlyArray<Entry>, key: string): string => {
  let renamed = `${key}~`
  while (entries.some(([k]) => k === renamed)) renamed += "~"
  return renamed
}

const mutateArray = (shape: Extract<Shape, { kind: "array" }>, choice: number): Shape => {
  const items = [...shape.items]
  switch (choice % 3) {
    case 0: {
      const hole = items.indexOf("hole")
      const undefinedAt = items.findIndex(
        (item) => item !== "hole" && item.kind === "primitive" && item.value === undefined
      )
      if (hole >= 0) items[hole] = { kind: "primitive", value: undefined }
      else if (undefinedAt >= 0) items[undefinedAt] = "hole"
      else return { ...shape, trailingHoles: shape.trailingHoles + 1 }
      return { ...shape, items }
    }
    case 1:
      return { ...shape, trailingHoles: shape.trailingHoles + 1 }
    default:
      return { ...shape, items: items.slice(0, -1) }
  }
}

const mutateEntries = (entries: ReadonlyArray<Entry>, choice: number): ReadonlyArray<Entry> => {
  const [first, ...rest] = entries
  if (first === undefined) return [["added", { kind: "primitive", value: 0 }]]
  return choice % 2 === 0 ? rest : [[uniqueKey(entries, first[0]), first[1]], ...rest]
}

const nextErrorClass = (name: ErrorClassName): ErrorClassName => {
  const names = Object.keys(ERROR_CLASSES) as Array<ErrorClassName>
  return names[(names.indexOf(name) + 1) % names.length] as ErrorClassName
}

/** `shape` itself changed a little, the change picked by `choice`. */
const mutateNode = (shape: Shape, choice: number): Shape => {
  switch (shape.kind) {
    case "primitive":
      return { kind: "primitive", value: pick(primitiveVariants(shape.value), choice) }
    case "date":
      return { kind: "date", time: choice % 2 === 0 ? nextNumber(shape.time) : Number.NaN }
    case "regexp": {
      const flag = pick(["i", "g", "m"], choice)
      const flags = shape.flags.includes(flag) ? shape.flags.replace(flag, "") : shape.flags + flag
      return { ...shape, flags }
    }
    case "url":
      return { ...shape, href: shape.href + (shape.href.includes("#") ? "x" : "#x") }
    case "boxed": {
      const value = pick(primitiveVariants(shape.value), choice)
      return value === null || value === undefined ? { kind: "primitive", value } : { kind: "boxed", value }
    }
    case "binary":
      return pick<Shape>(
        [
          { ...shape, type: siblingType(shape.type) },
          { ...shape, bytes: shape.bytes.map((byte, i) => (i === 0 ? byte ^ 1 : byte)) },
          { ...shape, window: !shape.window }
        ],
        choice
      )
    case "bigBinary":
      return choice % 2 === 0 ? { ...shape, seed: shape.seed + 1 } : { ...shape, type: siblingType(shape.type) }
    case "error":
      return pick<Shape>(
        [
          { ...shape, message: `${shape.message}x` },
          { ...shape, errorClass: nextErrorClass(shape.errorClass) },
          { ...shape, fields: mutateEntries(shape.fields, choice) }
        ],
        choice
      )
    case "array":
      return mutateArray(shape, choice)
    case "object":
      return choice % 3 === 0
        ? { ...shape, nullPrototype: !shape.nullPrototype }
        : { ...shape, entries: mutateEntries(shape.entries, choice) }
    case "map":
      return choice % 2 === 0
        ? { ...shape, entries: swapFirstTwo(shape.entries) }
        : { ...shape, entries: shape.entries.slice(1) }
    case "set":
      return choice % 2 === 0
        ? { ...shape, members: swapFirstTwo(shape.members) }
        : { ...shape, members: shape.members.slice(1) }
    case "ref":
      return choice % 2 === 0 ? { kind: "ref", target: shape.target + 1 } : { kind: "primitive", value: null }
    case "opaque":
      return shape
  }
}

/** Rebuilds `shape` with node number `target` (pre-order, as `nodesOf` lists them) replaced by `replace(node)`. */
const replaceAt = (shape: Shape, target: number, replace: (node: Shape) => Shape): Shape => {
  let counter = 0
  const visit = (node: Shape): Shape => {
    if (counter++ === target) return replace(node)
    switch (node.kind) {
      case "array":
        return { ...node, items: node.items.map((item) => (item === "hole" ? item : visit(item))) }
      case "object":
        return { ...node, entries: node.entries.map(([key, value]) => [key, visit(value)] as const) }
      case "error":
        return { ...node, fields: node.fields.map(([key, value]) => [key, visit(value)] as const) }
      case "map":
        return { ...node, entries: node.entries.map(([key, value]) => [visit(key), visit(value)] as const) }
      case "set":
        return { ...node, members: node.members.map(visit) }
      default:
        return node
    }
  }
  return visit(shape)
}

/** A near miss of `shape`: node `at` (modulo the node count) changed by mutation `choice`. */
export const mutate = (shape: Shape, nodeCount: number, at: number, choice: number): Shape =>
  replaceAt(shape, at % nodeCount, (node) => mutateNode(node, choice))
