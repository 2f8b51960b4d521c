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
 * `Object.prototype`) of plain data, no `undefined`, no object reached twice (shared or cyclic), at most
 * {@link MAX_DEPTH} levels deep. Everything else takes the seroval path, which keeps those details exact.
 * Properties an array has besides its elements are dropped, as `JSON.stringify` does.
 */
import { MAX_DEPTH } from "./Encoded.js"
import { compareKeys, indexOrdered } from "./jsonKeys.js"

const isPlainNumber = (n: number): boolean => n - n === 0 && (n !== 0 || 1 / n > 0)

type PlainObject = { [key: string]: unknown }

/** The single checking pass: plain data or not, and whether some object's keys are out of order. */
class Inspector {
  // Every object seen: a second sighting means a shared or cyclic reference, which JSON cannot keep.
  private readonly seen = new Set<object>()
  unsorted = false

  value(value: unknown, depth: number): boolean {
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
    // One hash lookup, not two (has + add): if the set did not grow, the object was already there.
    const before = this.seen.size
    if (this.seen.add(value).size === before) return false
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto === Array.prototype) return this.array(value as ReadonlyArray<unknown>, depth + 1)
    return proto === Object.prototype && this.record(value as PlainObject, depth + 1)
  }

  private array(items: ReadonlyArray<unknown>, depth: number): boolean {
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      // `undefined` here is either a hole or an undefined element: JSON keeps neither.
      if (item === undefined || !this.value(item, depth)) return false
    }
    return true
  }

  private record(record: PlainObject, depth: number): boolean {
    let previous: string | undefined
    // for-in rather than Object.keys: no array per object, measurably faster on many small objects.
    for (const key in record) {
      if (previous !== undefined && !(previous < key) && !indexOrdered(previous, key)) this.unsorted = true
      previous = key
      const item = record[key]
      if (item === undefined || !this.value(item, depth)) return false
    }
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

/** Sets `key` as an ordinary own property: assigning "__proto__" would set the prototype instead. */
const setOwn = (target: PlainObject, key: string, item: unknown): void => {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true })
  else target[key] = item
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
  for (const key of keys.sort()) setOwn(out, key, copies.has(key) ? copies.get(key) : record[key])
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
  if (!inspector.value(value, 0)) return undefined
  return inspector.unsorted ? stringifyCanonical(value) : JSON.stringify(value)
}
