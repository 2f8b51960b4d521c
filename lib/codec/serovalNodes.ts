/**
 * Which seroval nodes a stored tree may hold. `fromJSON` rebuilds every node type seroval knows, including
 * ones `encode` never writes: Promises (which an async loader would adopt, so a crafted artifact could hang a
 * load or forge its error), references to functions registered with seroval by other code in the process,
 * streams, iterators and symbols. A stored tree is hostile: every node is checked against the types `encode`
 * can produce before `fromJSON` sees it.
 */

/** seroval's node type numbers (its `SerovalNodeType` const enum) that `encode` writes. */
const WRITTEN_BY_ENCODE: ReadonlySet<number> = new Set([
  0, // Number
  1, // String
  2, // Constant (undefined, null, booleans, NaN, ±Infinity, -0)
  3, // BigInt
  4, // IndexedValue (a shared or cyclic reference)
  5, // Date
  6, // RegExp
  7, // Set
  8, // Map
  9, // Array
  10, // Object
  11, // NullConstructor (an object without prototype)
  13, // Error
  14, // AggregateError
  15, // TypedArray
  16, // BigIntTypedArray
  19, // ArrayBuffer
  20, // DataView
  21, // Boxed (new Number(1)...)
  25 // Plugin (artiflow's own plugins only: fromJSON is given no others)
])

/** Node type 26, SpecialReference: seroval's own helpers that Maps and typed arrays refer to. */
const SPECIAL_REFERENCE = 26

/** Which special references those are: MapSentinel (0) and ArrayBufferConstructor (5); not Promise or stream helpers. */
const WRITTEN_SPECIAL_REFERENCES: ReadonlySet<unknown> = new Set([0, 5])

const isWritten = (node: { readonly t?: unknown; readonly s?: unknown }): boolean =>
  typeof node.t === "number" &&
  (WRITTEN_BY_ENCODE.has(node.t) || (node.t === SPECIAL_REFERENCE && WRITTEN_SPECIAL_REFERENCES.has(node.s)))

/**
 * The first node type in `tree` that `encode` never writes, or `undefined` when there is none. Iterative:
 * the tree is as deep as the value, and seroval's own depth limit applies only later.
 */
export const foreignNodeType = (tree: unknown): number | string | undefined => {
  const pending: Array<unknown> = [tree]
  while (pending.length > 0) {
    const current = pending.pop()
    if (typeof current !== "object" || current === null) continue
    if (Array.isArray(current)) {
      for (const item of current) pending.push(item)
      continue
    }
    const node = current as { readonly t?: unknown; readonly s?: unknown }
    if (Object.hasOwn(node, "t") && !isWritten(node)) {
      return typeof node.t === "number" ? node.t : JSON.stringify(node.t)
    }
    for (const value of Object.values(current)) pending.push(value)
  }
  return undefined
}
