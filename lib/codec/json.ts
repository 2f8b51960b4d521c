/**
 * The fast path: canonical JSON for plain data. One pass decides whether a value is plain data and whether
 * any object has its keys out of canonical order (see `jsonKeys.ts`); native `JSON.stringify` then does the
 * work. Only when some object is out of order does more happen, chosen by measurement (1e6 objects
 * `{ score, name, id }`, Node 20):
 *
 * - `JSON.stringify(value, keyList)` with every key of the value, in canonical order: as fast as a plain
 *   stringify when objects share few keys, but each object pays one lookup per listed key;
 * - else a copy of the out-of-order objects (and the containers above them) with keys inserted sorted:
 *   about three times the cost of a plain stringify, whatever the keys.
 *
 * Plain data: null, booleans, finite numbers except -0, strings, dense arrays and plain objects (prototype
 * `Object.prototype`, or a data-only class's, which load back as plain objects) of plain data, no `undefined`, no object reached twice (shared or cyclic), at most
 * {@link MAX_DEPTH} levels deep. Everything else takes the seroval path, which keeps those details exact.
 * Properties an array has besides its elements are dropped, as `JSON.stringify` does.
 */
import { MAX_DEPTH } from "./Encoded.js"
import { compareKeys, indexOrdered } from "./jsonKeys.js"
import { inheritedMethodNames } from "./methods.js"
import { setOwnProperty } from "../ownProperty.js"

const isPlainNumber = (n: number): boolean => n - n === 0 && (n !== 0 || 1 / n > 0)

type PlainObject = { [key: string]: unknown }

/**
 * The single checking pass: plain data or not, and whether some object's keys are out of order.
 *
 * An object reached twice (shared or cyclic) is not plain. Checking that costs a hash-set insert per object,
 * the largest part of this pass on many small objects, so it is done in two ways (measured: about half the
 * cost on 1e6 rows):
 *
 * - a container with containers inside is looked up as soon as its first container value is found, before
 *   any recursion: a container reached twice is never walked twice, so sharing cannot make the walk blow up;
 * - a leaf (a container of primitives only) is just collected; `isPlain` looks for duplicates among all
 *   leaves at once at the end, which building one set from an array does much faster than inserts interleaved
 *   with the walk. A leaf holds nothing, so walking a shared one twice costs no more than its values.
 */
class Inspector {
  private readonly inner = new Set<object>()
  private readonly leaves: Array<object> = []
  unsorted = false

  /** Whether `value` is plain data; afterwards `unsorted` says whether some object's keys are out of order. */
  isPlain(value: unknown): boolean {
    return this.value(value, 0) && (this.leaves.length < 2 || new Set(this.leaves).size === this.leaves.length)
  }

  private value(value: unknown, depth: number): boolean {
    switch (typeof value) {
      case "string":
      case "boolean":
        return true
      case "number":
        return isPlainNumber(value)
      case "object":
        return value === null || this.container(value, depth)
      default:
        return false
    }
  }

  private container(value: object, depth: number): boolean {
    if (depth >= MAX_DEPTH) return false
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto === Array.prototype) return this.array(value as ReadonlyArray<unknown>, depth + 1)
    // A data-only class instance is stored as the plain object it loads back as: it must encode, and so hash,
    // exactly like that object (a join's `equal` between `new Point(1, 2)` and `{ x: 1, y: 2 }` holds).
    // Built-ins (Date, Map, boxed primitives, array subclasses...) inherit methods and never pass.
    const plainShaped = proto === Object.prototype || (proto !== null && inheritedMethodNames(value).length === 0)
    return plainShaped && this.record(value as PlainObject, depth + 1)
  }

  /** Whether a container with containers inside is seen for the first time (and remembers it). */
  private firstSight(container: object): boolean {
    // One hash lookup, not two (has + add): if the set did not grow, the container was already there.
    const before = this.inner.size
    return this.inner.add(container).size !== before
  }

  private array(items: ReadonlyArray<unknown>, depth: number): boolean {
    let inner = false
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      // `undefined` here is either a hole or an undefined element: JSON keeps neither.
      if (item === undefined) return false
      if (!inner && typeof item === "object" && item !== null) {
        inner = true
        if (!this.firstSight(items)) return false
      }
      if (!this.value(item, depth)) return false
    }
    if (!inner) this.leaves.push(items)
    return true
  }

  private record(record: PlainObject, depth: number): boolean {
    let previous: string | undefined
    let inner = false
    // for-in rather than Object.keys: no array per object, measurably faster on many small objects.
    for (const key in record) {
      // Once one object is out of order the answer is known: skip the comparisons (and their regex tests).
      if (!this.unsorted && previous !== undefined && !(previous < key) && !indexOrdered(previous, key))
        this.unsorted = true
      previous = key
      const item = record[key]
      if (item === undefined) return false
      if (!inner && typeof item === "object" && item !== null) {
        inner = true
        if (!this.firstSight(record)) return false
      }
      if (!this.value(item, depth)) return false
    }
    if (!inner) this.leaves.push(record)
    return true
  }
}

/** Every key of every object in (checked) plain data, and how many keys the objects have in all. */
const keyCensus = (
  value: unknown
): { readonly keys: Set<string>; readonly objects: number; readonly total: number } => {
  const keys = new Set<string>()
  let objects = 0
  let total = 0
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return
    if (Array.isArray(node)) return node.forEach(visit)
    objects++
    for (const key in node) {
      total++
      keys.add(key)
      visit((node as PlainObject)[key])
    }
  }
  visit(value)
  return { keys, objects, total }
}

/**
 * A list lookup costs about as much per listed key as a copy does per own key divided by ten (measured):
 * the list pays off while it is not much longer than a typical object. "__proto__" cannot be listed: every
 * object without it would print its prototype.
 */
const keyListFor = (value: unknown): Array<string> | undefined => {
  const { keys, objects, total } = keyCensus(value)
  const worthIt = keys.size <= (2 * total) / Math.max(objects, 1) + 8
  return worthIt && !keys.has("__proto__") ? [...keys].sort(compareKeys) : undefined
}


const inCanonicalOrder = (keys: ReadonlyArray<string>): boolean =>
  keys.every((key, i) => i === 0 || compareKeys(keys[i - 1] as string, key) < 0)

/** A copy of (checked) plain data in which only out-of-order objects and the containers above them are new. */
const sortedCopy = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) {
    const items = value.map(sortedCopy)
    return items.some((item, i) => item !== value[i]) ? items : value
  }
  const record = value as PlainObject
  const keys = Object.keys(record)
  const copies = new Map<string, unknown>()
  for (const key of keys) {
    const copy = sortedCopy(record[key])
    if (copy !== record[key]) copies.set(key, copy)
  }
  if (copies.size === 0 && inCanonicalOrder(keys)) return record
  const out: PlainObject = {}
  // Inserting in code-unit order: JavaScript then moves index keys first, giving canonical order.
  for (const key of keys.sort()) setOwnProperty(out, key, copies.has(key) ? copies.get(key) : record[key])
  return out
}

const stringifyCanonical = (value: unknown): string => {
  const keyList = keyListFor(value)
  return keyList !== undefined ? JSON.stringify(value, keyList) : JSON.stringify(sortedCopy(value))
}

/**
 * The canonical JSON text of `value` when it is plain data (see the module comment), else `undefined`.
 *
 * @example
 * canonicalJson({ b: 1, a: [true] }) // '{"a":[true],"b":1}'
 * canonicalJson(new Map())          // undefined
 */
export const canonicalJson = (value: unknown): string | undefined => {
  const inspector = new Inspector()
  if (!inspector.isPlain(value)) return undefined
  return inspector.unsorted ? stringifyCanonical(value) : JSON.stringify(value)
}
