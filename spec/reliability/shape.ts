/**
 * Storable values described as pure data ("shapes"), so that one description can be built into as many fresh,
 * independent values as a property needs: built twice (equal values, no shared objects), built with object
 * keys inserted in another order, built frozen, or mutated slightly into a near-miss.
 *
 * Shapes are trees; sharing and cycles come from `ref` nodes, which point to the n-th object-valued node
 * (pre-order, modulo the count), so a ref may point to an ancestor (a cycle), to an earlier or later sibling
 * (a shared reference) or to itself. Building is two passes: create every object first, then fill them, so a
 * ref can name an object whose contents are not built yet.
 */

export const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array
} as const

export type TypedArrayName = keyof typeof TYPED_ARRAYS
export type BinaryName = TypedArrayName | "ArrayBuffer" | "DataView" | "Buffer"

export const ERROR_CLASSES = { Error, TypeError, RangeError, SyntaxError, URIError, AggregateError } as const
export type ErrorClassName = keyof typeof ERROR_CLASSES

export type Primitive = null | undefined | boolean | number | string | bigint

export type Shape =
  | { readonly kind: "primitive"; readonly value: Primitive }
  | { readonly kind: "date"; readonly time: number }
  | { readonly kind: "regexp"; readonly source: string; readonly flags: string }
  | { readonly kind: "url"; readonly href: string }
  | { readonly kind: "boxed"; readonly value: number | string | boolean | bigint }
  /** Bytes trimmed to whole elements; `window`: a view into a larger buffer, at an offset. */
  | {
      readonly kind: "binary"
      readonly type: BinaryName
      readonly bytes: ReadonlyArray<number>
      readonly window: boolean
    }
  /** A binary value at least as large as the codec's blob threshold, filled from `seed`. */
  | { readonly kind: "bigBinary"; readonly type: BinaryName; readonly size: number; readonly seed: number }
  | {
      readonly kind: "error"
      readonly errorClass: ErrorClassName
      readonly message: string
      readonly fields: ReadonlyArray<Entry>
    }
  | { readonly kind: "array"; readonly items: ReadonlyArray<Shape | "hole">; readonly trailingHoles: number }
  | { readonly kind: "object"; readonly entries: ReadonlyArray<Entry>; readonly nullPrototype: boolean }
  | { readonly kind: "map"; readonly entries: ReadonlyArray<readonly [Shape, Shape]> }
  | { readonly kind: "set"; readonly members: ReadonlyArray<Shape> }
  | { readonly kind: "ref"; readonly target: number }
  /** Whatever `make` returns, made fresh per build: how tests place a value that is not storable. */
  | { readonly kind: "opaque"; readonly make: () => unknown }

export type Entry = readonly [string, Shape]

const WIDTH: Readonly<Record<BinaryName, number>> = {
  Int8Array: 1,
  Uint8Array: 1,
  Uint8ClampedArray: 1,
  Int16Array: 2,
  Uint16Array: 2,
  Int32Array: 4,
  Uint32Array: 4,
  Float32Array: 4,
  Float64Array: 8,
  BigInt64Array: 8,
  BigUint64Array: 8,
  ArrayBuffer: 1,
  DataView: 1,
  Buffer: 1
}

/** The element width of a binary class (1 for ArrayBuffer, DataView and Buffer). */
export const widthOf = (type: BinaryName): number => WIDTH[type]

/** Deterministic bytes (xorshift32) for large binary values: cheap to make, different per seed. */
const filledBytes = (size: number, seed: number): Uint8Array => {
  const bytes = new Uint8Array(size)
  let state = seed | 0 || 1
  for (let i = 0; i < size; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[i] = state & 0xff
  }
  return bytes
}

/** A binary value of class `type` holding exactly `bytes`, optionally as a window into a larger buffer. */
const binaryValue = (type: BinaryName, bytes: Uint8Array, window: boolean): object => {
  const offset = window ? 8 : 0
  const buffer = new ArrayBuffer(bytes.byteLength + 2 * offset)
  new Uint8Array(buffer, offset, bytes.byteLength).set(bytes)
  switch (type) {
    case "ArrayBuffer":
      return buffer.slice(offset, offset + bytes.byteLength)
    case "DataView":
      return new DataView(buffer, offset, bytes.byteLength)
    case "Buffer":
      return Buffer.from(buffer, offset, bytes.byteLength)
    default:
      return new TYPED_ARRAYS[type](buffer, offset, bytes.byteLength / widthOf(type))
  }
}

/** Whether a node builds to an object (and so has an identity a ref can point to). */
const isObjectNode = (shape: Shape): boolean =>
  shape.kind !== "primitive" && shape.kind !== "ref" && shape.kind !== "opaque"

/** The child shapes of a node, in the one order both build passes use. */
const children = (shape: Shape): ReadonlyArray<Shape> => {
  switch (shape.kind) {
    case "array":
      return shape.items.filter((item): item is Shape => item !== "hole")
    case "object":
    case "error":
      return (shape.kind === "object" ? shape.entries : shape.fields).map(([, value]) => value)
    case "map":
      return shape.entries.flatMap(([key, value]) => [key, value])
    case "set":
      return shape.members
    default:
      return []
  }
}

export interface BuildOptions {
  /** Inserts the keys of objects (and fields of errors) in another order: given a key count, a permutation. */
  readonly reorder?: (count: number) => ReadonlyArray<number>
  /** Freezes every object, array, Map, Set, Date and Error (not binary values: they cannot be frozen). */
  readonly freeze?: boolean
}

const defineData = (target: object, key: string, value: unknown): void => {
  // defineProperty, not assignment: assigning "__proto__" would set the prototype instead of a key.
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
}

class Builder {
  private readonly objects: Array<object> = []
  private cursor = 0

  constructor(private readonly options: BuildOptions) {}

  build(shape: Shape): unknown {
    this.create(shape)
    return this.fill(shape)
  }

  /** Pass 1: every object-valued node gets its (empty) object, in pre-order. */
  private create(shape: Shape): void {
    if (isObjectNode(shape)) this.objects.push(this.shell(shape))
    for (const child of children(shape)) this.create(child)
  }

  private shell(shape: Shape): object {
    switch (shape.kind) {
      case "date":
        return new Date(shape.time)
      case "regexp":
        return new RegExp(shape.source, shape.flags)
      case "url":
        return new URL(shape.href)
      case "boxed":
        return Object(shape.value) as object
      case "binary": {
        const width = widthOf(shape.type)
        const whole = shape.bytes.slice(0, shape.bytes.length - (shape.bytes.length % width))
        return binaryValue(shape.type, Uint8Array.from(whole), shape.window)
      }
      case "bigBinary":
        return binaryValue(shape.type, filledBytes(shape.size - (shape.size % widthOf(shape.type)), shape.seed), false)
      case "error":
        return shape.errorClass === "AggregateError"
          ? new AggregateError([], shape.message)
          : new ERROR_CLASSES[shape.errorClass](shape.message)
      case "array":
        return new Array(shape.items.length + shape.trailingHoles)
      case "object":
        return shape.nullPrototype ? (Object.create(null) as object) : {}
      case "map":
        return new Map()
      case "set":
        return new Set()
      default:
        throw new Error(`not an object node: ${shape.kind}`)
    }
  }

  /** Pass 2: the same walk, filling each object and resolving refs against the objects of pass 1. */
  private fill(shape: Shape): unknown {
    if (shape.kind === "primitive") return shape.value
    if (shape.kind === "opaque") return shape.make()
    if (shape.kind === "ref") return this.objects.length === 0 ? null : this.objects[shape.target % this.objects.length]
    const target = this.objects[this.cursor++] as object
    switch (shape.kind) {
      case "array": {
        const array = target as Array<unknown>
        shape.items.forEach((item, i) => {
          if (item !== "hole") array[i] = this.fill(item)
        })
        break
      }
      case "object":
      case "error":
        this.fillEntries(target, shape.kind === "object" ? shape.entries : shape.fields)
        break
      case "map":
        for (const [key, value] of shape.entries) {
          const builtKey = this.fill(key)
          ;(target as Map<unknown, unknown>).set(builtKey, this.fill(value))
        }
        break
      case "set":
        for (const member of shape.members) (target as Set<unknown>).add(this.fill(member))
        break
      default:
        break
    }
    if (this.options.freeze === true && !ArrayBuffer.isView(target) && !(target instanceof ArrayBuffer))
      Object.freeze(target)
    return target
  }

  private fillEntries(target: object, entries: ReadonlyArray<Entry>): void {
    // Build the values in the walk order (pass 1 numbered the objects that way), then insert in any order.
    const built = entries.map(([key, value]) => [key, this.fill(value)] as const)
    const order = this.options.reorder?.(built.length) ?? built.map((_, i) => i)
    for (const i of order) {
      const [key, value] = built[i] as readonly [string, unknown]
      defineData(target, key, value)
    }
  }
}

/** A fresh value for a shape: every call builds new objects. */
export const build = (shape: Shape, options: BuildOptions = {}): unknown => new Builder(options).build(shape)

/** A permutation source for `reorder`: reverses, rotates or interleaves, chosen by `seed`. */
export const reordering =
  (seed: number) =>
  (count: number): ReadonlyArray<number> => {
    const indices = Array.from({ length: count }, (_, i) => i)
    if (count < 2) return indices
    switch (seed % 3) {
      case 0:
        return indices.reverse()
      case 1:
        return indices.map((i) => (i + 1 + (seed % count)) % count)
      default:
        return [...indices.filter((i) => i % 2 === 1), ...indices.filter((i) => i % 2 === 0)]
    }
  }

/** Every node of a shape in pre-order (array holes excluded). */
export const nodesOf = (shape: Shape): ReadonlyArray<Shape> => [shape, ...children(shape).flatMap(nodesOf)]
