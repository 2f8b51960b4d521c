/**
 * Prepares a value for seroval: checks that every part is storable and builds a canonical copy of its
 * containers, so that seroval's output depends only on the value, never on how it was built:
 *
 * - object keys are inserted in sorted order at every depth (seroval walks keys in insertion order and
 *   numbers its nodes as it goes, so the order decides the bytes);
 * - data-only class instances become plain objects, and frozen or sealed containers become ordinary ones
 *   (seroval would record the flags, making a frozen value hash differently from an equal unfrozen one);
 * - error stacks are dropped (they name files and lines of one machine);
 * - large binary values become {@link AttachmentRef} placeholders, their bytes listed as attachments.
 *
 * Shared and cyclic references are kept: one copy per original object, so seroval sees the same graph.
 * Map and Set keep their insertion order, which is part of their value. As with JSON, only own enumerable
 * string-keyed properties are kept: symbol keys and an array's non-index properties are dropped.
 */
import { left, right } from "./either.js"
import type { Either } from "fp-ts/lib/Either.js"
import { binaryTypeName, bytesOf, isBinary } from "./binary.js"
import type { BinaryValue } from "./binary.js"
import { BINARY_BLOB_THRESHOLD, MAX_DEPTH, notStorable } from "./Encoded.js"
import type { CodecFailure, EncodedAttachment } from "./Encoded.js"
import { sha256Hex } from "./hash.js"
import { describeMethods, inheritedMethodNames } from "./methods.js"
import { formatPath, MAP_KEY, MAP_VALUE, SET_MEMBER } from "./path.js"
import type { PathSegment } from "./path.js"
import { setOwnProperty } from "../ownProperty.js"
import { AttachmentRef } from "./plugins.js"

/** seroval refuses to decode longer bigints and RegExp sources: refuse to store them instead. */
const MAX_BIGINT_DIGITS = 10_000
const MAX_REGEXP_SOURCE = 20_000

/** What a prepared value is made of, ready for seroval's `toJSON`. */
export interface Prepared {
  readonly value: unknown
  readonly attachments: ReadonlyArray<EncodedAttachment>
}

const FAILED: unique symbol = Symbol("not storable")
type Result = unknown

/** Objects that hold behaviour or state seroval cannot capture, named the way users know them. */
const refusedKind = (value: object): string | undefined => {
  if (value instanceof Promise) return "a Promise"
  if (value instanceof WeakMap) return "a WeakMap"
  if (value instanceof WeakSet) return "a WeakSet"
  if (value instanceof WeakRef) return "a WeakRef"
  if (value instanceof FinalizationRegistry) return "a FinalizationRegistry"
  if (value instanceof SharedArrayBuffer) return "a SharedArrayBuffer"
  if (value instanceof Symbol) return "a symbol"
  return undefined
}

const isBoxedPrimitive = (value: object): boolean =>
  value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt


class Preparer {
  // One copy per original object: shared and cyclic references stay shared and cyclic.
  private readonly copies = new Map<object, unknown>()
  private readonly segments: Array<PathSegment> = []
  readonly attachments: Array<EncodedAttachment> = []
  failure: CodecFailure | undefined

  value(value: unknown, depth: number): Result {
    switch (typeof value) {
      case "function":
        return this.fail("a function")
      case "symbol":
        return this.fail("a symbol")
      case "bigint":
        return value.toString().length > MAX_BIGINT_DIGITS
          ? this.fail(`a bigint of more than ${MAX_BIGINT_DIGITS} digits`)
          : value
      case "object":
        return value === null ? null : this.object(value, depth)
      default:
        return value
    }
  }

  private fail(what: string): typeof FAILED {
    this.failure = notStorable(what, formatPath(this.segments))
    return FAILED
  }

  private at(segment: PathSegment, value: unknown, depth: number): Result {
    this.segments.push(segment)
    const result = this.value(value, depth)
    this.segments.pop()
    return result
  }

  private object(value: object, depth: number): Result {
    const copy = this.copies.get(value)
    if (copy !== undefined) return copy
    if (depth >= MAX_DEPTH) return this.fail(`a value nested deeper than ${MAX_DEPTH} levels`)
    return this.convert(value, depth + 1)
  }

  private convert(value: object, depth: number): Result {
    if (Array.isArray(value)) return this.array(value, depth)
    if (isBinary(value)) return this.binary(value)
    const refused = refusedKind(value)
    if (refused !== undefined) return this.fail(refused)
    if (value instanceof Map) return this.map(value, depth)
    if (value instanceof Set) return this.set(value, depth)
    if (value instanceof Error) return this.error(value, depth)
    if (value instanceof RegExp && value.source.length > MAX_REGEXP_SOURCE) {
      return this.fail(`a RegExp of more than ${MAX_REGEXP_SOURCE} characters`)
    }
    // Leaves seroval (or one of our plugins) stores whole; it tracks their identity itself.
    if (value instanceof Date || value instanceof RegExp || value instanceof URL || isBoxedPrimitive(value))
      return value
    return this.record(value, depth)
  }

  private array(items: ReadonlyArray<unknown>, depth: number): Result {
    const copy: Array<unknown> = new Array(items.length)
    this.copies.set(items, copy)
    for (let i = 0; i < items.length; i++) {
      if (!(i in items)) continue // a hole stays a hole
      const item = this.at(i, items[i], depth)
      if (item === FAILED) return FAILED
      copy[i] = item
    }
    return copy
  }

  private binary(value: BinaryValue): Result {
    if (value.byteLength < BINARY_BLOB_THRESHOLD) return value
    const bytes = bytesOf(value)
    const hash = sha256Hex(bytes)
    const ref = new AttachmentRef(this.attachments.length, hash, bytes.byteLength, binaryTypeName(value))
    this.attachments.push({ hash, size: bytes.byteLength, bytes })
    this.copies.set(value, ref)
    return ref
  }

  private map(map: ReadonlyMap<unknown, unknown>, depth: number): Result {
    const copy = new Map<unknown, unknown>()
    this.copies.set(map, copy)
    for (const [key, item] of map) {
      const keyCopy = this.at(MAP_KEY, key, depth)
      if (keyCopy === FAILED) return FAILED
      const itemCopy = this.at(MAP_VALUE, item, depth)
      if (itemCopy === FAILED) return FAILED
      copy.set(keyCopy, itemCopy)
    }
    return copy
  }

  private set(set: ReadonlySet<unknown>, depth: number): Result {
    const copy = new Set<unknown>()
    this.copies.set(set, copy)
    for (const member of set) {
      const memberCopy = this.at(SET_MEMBER, member, depth)
      if (memberCopy === FAILED) return FAILED
      copy.add(memberCopy)
    }
    return copy
  }

  /** Same prototype (seroval reads the error class and name from it), own properties sorted, no stack. */
  private error(error: Error, depth: number): Result {
    const copy = Object.create(Object.getPrototypeOf(error) as object) as Error
    this.copies.set(error, copy)
    const names = Object.getOwnPropertyNames(error).filter((name) => name !== "stack")
    for (const name of names.sort()) {
      const item = this.at(name, (error as unknown as Record<string, unknown>)[name], depth)
      if (item === FAILED) return FAILED
      setOwnProperty(copy, name, item)
    }
    return copy
  }

  private record(value: object, depth: number): Result {
    const proto = Object.getPrototypeOf(value) as object | null
    if (proto !== null && proto !== Object.prototype) {
      const methods = inheritedMethodNames(value)
      if (methods.length > 0) return this.fail(describeMethods(methods))
    }
    // Plain objects and data-only class instances become plain objects; null-prototype objects stay so.
    const copy: object = proto === null ? Object.create(null) : {}
    this.copies.set(value, copy)
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record).sort()) {
      const item = this.at(key, record[key], depth)
      if (item === FAILED) return FAILED
      setOwnProperty(copy, key, item)
    }
    return copy
  }
}

/**
 * Checks that `value` is storable and builds its canonical copy for seroval (see the module comment), or
 * says what is not storable and where.
 */
export const prepare = (value: unknown): Either<CodecFailure, Prepared> => {
  const preparer = new Preparer()
  const prepared = preparer.value(value, 0)
  if (prepared === FAILED) return left(preparer.failure ?? notStorable("a value", ""))
  return right({ value: prepared, attachments: preparer.attachments })
}
