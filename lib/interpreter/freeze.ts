/**
 * Deep-freezing artifact values. immer freezes plain objects, arrays, Maps and Sets (their mutators throw),
 * but does not freeze or even enter Dates and class instances; so a step could change an inherited
 * `a.when.setFullYear(…)` or `a.point.x = 1` in place, and the record in memory would silently stop matching
 * the store. This walk closes those holes cheaply: class instances are frozen like plain objects and Dates get
 * setters that throw. Binary data (typed arrays, ArrayBuffers, DataViews) cannot be frozen at all; the
 * `verify` run option catches changes to it (verify.ts). RegExps are left alone: freezing one breaks `g`
 * and `y` matching, and their mutable `lastIndex` is not stored.
 */
import { freeze } from "immer"

const DATE_SETTERS = [
  "setDate",
  "setFullYear",
  "setHours",
  "setMilliseconds",
  "setMinutes",
  "setMonth",
  "setSeconds",
  "setTime",
  "setUTCDate",
  "setUTCFullYear",
  "setUTCHours",
  "setUTCMilliseconds",
  "setUTCMinutes",
  "setUTCMonth",
  "setUTCSeconds",
  "setYear"
] as const

function refuseDateChange(this: Date): never {
  throw new TypeError(
    `artiflow: this Date (${String(this)}) belongs to an artifact and cannot change: copy it first (new Date(date)) and return the copy`
  )
}

/** Own, non-enumerable setters shadow Date.prototype's: invisible to Object.keys, JSON and the codec. */
const freezeDate = (date: Date): void => {
  for (const name of DATE_SETTERS) {
    Object.defineProperty(date, name, { value: refuseDateChange, enumerable: false, writable: false, configurable: false })
  }
  Object.freeze(date)
}

/** Values whose contents cannot be frozen, or must not be: left as they are. */
const isUnfreezable = (value: object): boolean =>
  ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof RegExp || value instanceof URL ||
  (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null

/**
 * Freezes `value` and everything reachable from it that can be frozen, in place, and returns it. Stops at
 * objects already frozen (inherited artifact values are), so a step that returns `{ ...a.big, x }` pays for
 * the new object only. Iterative: a linked list 100,000 deep must not overflow the stack. Plain objects and
 * arrays, by far the most common, take a fast path: 1e6 small objects freeze about as fast as with immer.
 */
export const deepFreeze = <T>(value: T): T => {
  if (!isObject(value)) return value
  const pending: Array<object> = [value]
  const push = (child: unknown): void => {
    if (isObject(child) && !Object.isFrozen(child)) pending.push(child)
  }
  while (pending.length > 0) {
    const current = pending.pop() as object
    if (Object.isFrozen(current)) continue
    const prototype: unknown = Object.getPrototypeOf(current)
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) push(current[i])
      Object.freeze(current)
    } else if (prototype === Object.prototype || prototype === null) {
      for (const key of Object.keys(current)) push((current as Record<string, unknown>)[key])
      Object.freeze(current)
    } else if (!isUnfreezable(current)) {
      freezeOther(current, push)
    }
  }
  return value
}

/** Dates, Maps, Sets, Errors and class instances: everything but plain objects and arrays. */
const freezeOther = (current: object, push: (child: unknown) => void): void => {
  if (current instanceof Date) {
    freezeDate(current)
    return
  }
  if (current instanceof Map) {
    for (const [key, entry] of current) {
      push(key)
      push(entry)
    }
  } else if (current instanceof Set) {
    for (const entry of current) push(entry)
  }
  // Own data properties only: a class instance's getter is not called (it could run anything).
  for (const key of Reflect.ownKeys(current)) {
    const descriptor = Object.getOwnPropertyDescriptor(current, key)
    if (descriptor !== undefined && "value" in descriptor) push(descriptor.value)
  }
  // immer's own shallow freeze, so that Map and Set mutators throw its usual error.
  freeze(current, false)
  Object.freeze(current)
}
