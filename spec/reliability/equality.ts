/**
 * Exact equality for storable values, stricter than vitest's `toStrictEqual` where the codec promises more:
 *
 * - primitives compare with `Object.is` (-0 is not 0, NaN is NaN, 1 is not 1n);
 * - prototypes must be the same object (a Map is not a plain object, Int8Array is not Uint8Array);
 * - an array hole is not an `undefined` element, and lengths must match;
 * - Map and Set compare in insertion order (it is part of their value);
 * - binary values compare byte for byte (NaN payloads included), not by buffer or offset;
 * - the reference graph must be the same: a shared object stays one object, a cycle stays a cycle (the two
 *   values must be isomorphic, checked with a bijection between their objects);
 * - a property must be a data property on both sides: a getter where data was stored is a difference.
 *
 * Object key order is ignored (the codec stores keys in canonical order, by contract), and so are
 * frozenness and error stacks (the codec drops both, by contract). Errors compare by class, `name` as read,
 * and own fields, not by the fields' enumerability (seroval makes `cause` and `errors` enumerable).
 */

type Key = string | symbol

const describe = (value: unknown): string => {
  if (typeof value === "bigint") return `${value}n`
  if (typeof value === "string") return JSON.stringify(value)
  if (Object.is(value, -0)) return "-0"
  if (typeof value !== "object" || value === null) return String(value)
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name
  return `a ${name ?? "null-prototype object"}`
}

const keyText = (key: Key): string => (typeof key === "symbol" ? `[${String(key)}]` : JSON.stringify(key))

const bytesOf = (value: ArrayBuffer | ArrayBufferView): Uint8Array =>
  value instanceof ArrayBuffer
    ? new Uint8Array(value)
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength &&
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  ) === 0

const isBoxed = (value: object): value is Number | String | Boolean | BigInt =>
  value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt

const sortedKeys = (keys: ReadonlyArray<Key>): ReadonlyArray<Key> =>
  [...keys].sort((a, b) => (keyText(a) < keyText(b) ? -1 : keyText(a) > keyText(b) ? 1 : 0))

class Comparer {
  // The bijection between the two values' objects, built as the walk pairs them up.
  private readonly forward = new Map<object, object>()
  private readonly backward = new Map<object, object>()

  compare(a: unknown, b: unknown, path: string): string | undefined {
    if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
      return Object.is(a, b) ? undefined : `${path || "value"}: ${describe(a)} is not ${describe(b)}`
    }
    const pairedA = this.forward.get(a)
    const pairedB = this.backward.get(b)
    if (pairedA !== undefined || pairedB !== undefined) {
      return pairedA === b && pairedB === a
        ? undefined
        : `${path || "value"}: the reference structure differs (sharing or cycles)`
    }
    this.forward.set(a, b)
    this.backward.set(b, a)
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b))
      return `${path || "value"}: ${describe(a)} is not ${describe(b)}`
    return this.sameKind(a, b, path)
  }

  private sameKind(a: object, b: object, path: string): string | undefined {
    if (Array.isArray(a)) return this.array(a, b as ReadonlyArray<unknown>, path)
    if (a instanceof ArrayBuffer || ArrayBuffer.isView(a)) {
      return sameBytes(bytesOf(a), bytesOf(b as ArrayBuffer)) ? undefined : `${path || "value"}: the bytes differ`
    }
    if (a instanceof Date) return this.compare(a.getTime(), (b as Date).getTime(), `${path}<time>`)
    if (a instanceof RegExp) {
      const other = b as RegExp
      return a.source === other.source && a.flags === other.flags && a.lastIndex === other.lastIndex
        ? undefined
        : `${path || "value"}: /${a.source}/${a.flags} is not /${other.source}/${other.flags}`
    }
    if (a instanceof URL)
      return a.href === (b as URL).href ? undefined : `${path || "value"}: ${a.href} is not ${(b as URL).href}`
    if (isBoxed(a)) return this.compare(a.valueOf(), (b as object).valueOf(), `${path}<boxed>`)
    if (a instanceof Map) return this.map(a, b as ReadonlyMap<unknown, unknown>, path)
    if (a instanceof Set) return this.set(a, b as ReadonlySet<unknown>, path)
    if (a instanceof Error) {
      // seroval gives a decoded AggregateError its `name` as an own property: compare the name as read.
      const name = this.compare(a.name, (b as Error).name, `${path}.name`)
      return name ?? this.properties(a, b, path, (key) => key !== "stack" && key !== "name", false)
    }
    return this.properties(a, b, path, () => true, true)
  }

  private array(a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>, path: string): string | undefined {
    if (a.length !== b.length) return `${path || "value"}: length ${a.length} is not ${b.length}`
    for (let i = 0; i < a.length; i++) {
      if (i in a !== i in b)
        return `${path}[${i}]: ${i in a ? "an element" : "a hole"} is not ${i in b ? "an element" : "a hole"}`
      const difference = i in a ? this.compare(a[i], b[i], `${path}[${i}]`) : undefined
      if (difference !== undefined) return difference
    }
    // Properties besides the elements are not part of a stored array; none are expected on either side.
    const extra = (value: ReadonlyArray<unknown>) =>
      Reflect.ownKeys(value).filter((key) => key !== "length" && !(typeof key === "string" && /^\d+$/.test(key)))
    return extra(a).length + extra(b).length === 0 ? undefined : `${path || "value"}: an array with extra properties`
  }

  private map(a: ReadonlyMap<unknown, unknown>, b: ReadonlyMap<unknown, unknown>, path: string): string | undefined {
    if (a.size !== b.size) return `${path || "value"}: Map size ${a.size} is not ${b.size}`
    const right = [...b]
    let i = 0
    for (const [key, value] of a) {
      const [otherKey, otherValue] = right[i] as [unknown, unknown]
      const difference =
        this.compare(key, otherKey, `${path}<Map key ${i}>`) ??
        this.compare(value, otherValue, `${path}<Map value ${i}>`)
      if (difference !== undefined) return difference
      i++
    }
    return undefined
  }

  private set(a: ReadonlySet<unknown>, b: ReadonlySet<unknown>, path: string): string | undefined {
    if (a.size !== b.size) return `${path || "value"}: Set size ${a.size} is not ${b.size}`
    const right = [...b]
    let i = 0
    for (const member of a) {
      const difference = this.compare(member, right[i], `${path}<Set member ${i}>`)
      if (difference !== undefined) return difference
      i++
    }
    return undefined
  }

  /** Own properties as sets of names (order ignored), each a data property holding equal values. */
  private properties(
    a: object,
    b: object,
    path: string,
    kept: (key: Key) => boolean,
    enumerability: boolean
  ): string | undefined {
    const keysA = sortedKeys(Reflect.ownKeys(a).filter(kept))
    const keysB = sortedKeys(Reflect.ownKeys(b).filter(kept))
    if (keysA.length !== keysB.length || keysA.some((key, i) => key !== keysB[i])) {
      return `${path || "value"}: keys ${keysA.map(keyText).join(",")} are not ${keysB.map(keyText).join(",")}`
    }
    for (const key of keysA) {
      const at = `${path}[${keyText(key)}]`
      const da = Object.getOwnPropertyDescriptor(a, key) as PropertyDescriptor
      const db = Object.getOwnPropertyDescriptor(b, key) as PropertyDescriptor
      if (!("value" in da) || !("value" in db)) return `${at}: an accessor property, not data`
      if (enumerability && da.enumerable !== db.enumerable) return `${at}: enumerability differs`
      const difference = this.compare(da.value, db.value, at)
      if (difference !== undefined) return difference
    }
    return undefined
  }
}

/** The first difference between two values, as a phrase with its path; `undefined` when they are exactly equal. */
export const difference = (actual: unknown, expected: unknown): string | undefined =>
  new Comparer().compare(actual, expected, "")

/** Whether two values are exactly equal in the sense of this module. */
export const same = (a: unknown, b: unknown): boolean => difference(a, b) === undefined

/** Throws (failing the test or property) with the first difference, unless the values are exactly equal. */
export const assertSame = (actual: unknown, expected: unknown, what = "value"): void => {
  const found = difference(actual, expected)
  if (found !== undefined) throw new Error(`${what} differs: ${found}`)
}
