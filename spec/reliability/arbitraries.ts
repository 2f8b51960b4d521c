/**
 * fast-check arbitraries for storable values (DESIGN.md §3.8), as shapes (see `shape.ts`): primitives with
 * their edge cases (-0, NaN, ±Infinity, undefined, lone surrogates, bigints), Date (invalid ones too), RegExp,
 * URL, boxed primitives, every typed array class, ArrayBuffer, DataView and Buffer (small ones inline, large
 * ones past the blob threshold), errors with fields and causes, sparse arrays, plain and null-prototype
 * objects with hostile keys, Map, Set, and shared and cyclic references.
 */
import fc from "fast-check"
import { BINARY_BLOB_THRESHOLD } from "../../lib/codec/Encoded.js"
import type { BinaryName, Entry, ErrorClassName, Shape } from "./shape.js"
import { ERROR_CLASSES, TYPED_ARRAYS } from "./shape.js"

/** Characters codecs get wrong: lone surrogates, line separators, quotes, escapes, NUL, "<", astral ones. */
const trickyChar = fc.constantFrom(
  "\ud800",
  "\udfff",
  "\u2028",
  "\u2029",
  '"',
  "\\",
  "\u0000",
  "<",
  "/",
  "é",
  "😀",
  "\n"
)
const char = fc.oneof(
  { arbitrary: fc.string({ minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: trickyChar, weight: 1 }
)
export const text = fc.string({ unit: char, maxLength: 8 })

/** Keys that collide with Object.prototype, array indices (which JavaScript orders first) and near-indices. */
const trickyKey = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "then",
  "0",
  "1",
  "9",
  "10",
  "-1",
  "01",
  "1.5",
  "4294967294",
  "4294967295",
  "",
  "a b"
)
export const key = fc.oneof(fc.string({ maxLength: 4 }), trickyKey)

const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    0,
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    2 ** 53
  )
)

const bigint = fc.oneof(fc.bigInt(), fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }))

export const primitive: fc.Arbitrary<Shape> = fc
  .oneof(fc.constant(null), fc.constant(undefined), fc.boolean(), number, text, bigint)
  .map((value) => ({ kind: "primitive", value }))

const date: fc.Arbitrary<Shape> = fc
  .oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.getTime()),
    fc.constant(Number.NaN)
  )
  .map((time) => ({ kind: "date", time }))

const regexp: fc.Arbitrary<Shape> = fc
  .record({
    source: fc.constantFrom("", "a+b", "^x$", "[a-z]*\\/", "(?<year>\\d{4})-(\\d\\d)", "\\u00e9|\\n", "(?:x|y){2,3}?"),
    flags: fc.subarray(["d", "g", "i", "m", "s", "u", "y"])
  })
  .map(({ source, flags }) => ({ kind: "regexp", source, flags: flags.join("") }))

const url: fc.Arbitrary<Shape> = fc
  .oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.constantFrom("file:///tmp/a%20b", "data:text/plain,hi")
  )
  .map((href) => ({ kind: "url", href }))

const boxed: fc.Arbitrary<Shape> = fc
  .oneof(number, text, fc.boolean(), bigint)
  .map((value) => ({ kind: "boxed", value }))

const BINARY: ReadonlyArray<BinaryName> = [
  ...(Object.keys(TYPED_ARRAYS) as Array<BinaryName>),
  "ArrayBuffer",
  "DataView",
  "Buffer"
]
const binaryName = fc.constantFrom(...BINARY)

const binary: fc.Arbitrary<Shape> = fc
  .record({
    type: binaryName,
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 24 }),
    window: fc.boolean()
  })
  .map((fields) => ({ kind: "binary", ...fields }))

/** Around the threshold: one byte under (stays inline), at it and over it (attachments, or a raw blob at the top). */
const bigBinary: fc.Arbitrary<Shape> = fc
  .record({
    type: binaryName,
    size: fc.constantFrom(BINARY_BLOB_THRESHOLD - 8, BINARY_BLOB_THRESHOLD, BINARY_BLOB_THRESHOLD + 24),
    seed: fc.integer({ min: 1 })
  })
  .map((fields) => ({ kind: "bigBinary", ...fields }))

const errorClass = fc.constantFrom(...(Object.keys(ERROR_CLASSES) as Array<ErrorClassName>))

/** Leaves that build to objects with an identity: Date, RegExp, URL, boxed and binary values. */
const objectLeaf = fc.oneof(date, regexp, url, boxed, binary)

export interface ValueConstraints {
  /** How deep containers nest. */
  readonly maxDepth?: number
  /** Whether large binary values (past the blob threshold) may appear: they cost ~64 KiB each. */
  readonly large?: boolean
  /** Whether `ref` nodes (shared and cyclic references) may appear. */
  readonly refs?: boolean
}

/** Shapes of arbitrary storable values. */
export const storableShape = (constraints: ValueConstraints = {}): fc.Arbitrary<Shape> => {
  const { maxDepth = 4, large = false, refs = true } = constraints
  const leaves: Array<fc.WeightedArbitrary<Shape>> = [
    { arbitrary: primitive, weight: 4 },
    { arbitrary: objectLeaf, weight: 2 }
  ]
  if (large) leaves.push({ arbitrary: bigBinary, weight: 1 })
  const ref: fc.Arbitrary<Shape> = fc.nat(64).map((target) => ({ kind: "ref", target }))
  const arbitraries = fc.letrec<{ shape: Shape; container: Shape }>((tie) => {
    const shape = tie("shape")
    const entries = fc.uniqueArray(fc.tuple(key, shape), {
      maxLength: 5,
      size: "max",
      selector: ([k]) => k
    }) as fc.Arbitrary<ReadonlyArray<Entry>>
    return {
      shape: fc.oneof(
        { depthSize: "large", maxDepth, withCrossShrink: true },
        ...leaves,
        { arbitrary: tie("container"), weight: 8 },
        ...(refs ? [{ arbitrary: ref, weight: 2 }] : [])
      ),
      container: fc.oneof(
        fc.record({
          kind: fc.constant("array" as const),
          items: fc.array(
            fc.oneof({ arbitrary: shape, weight: 4 }, { arbitrary: fc.constant("hole" as const), weight: 1 }),
            { maxLength: 5, size: "max" }
          ),
          trailingHoles: fc.nat(2)
        }),
        fc.record({ kind: fc.constant("object" as const), entries, nullPrototype: fc.boolean() }),
        fc.record({
          kind: fc.constant("map" as const),
          entries: fc.array(fc.tuple(shape, shape), { maxLength: 4, size: "max" })
        }),
        fc.record({ kind: fc.constant("set" as const), members: fc.array(shape, { maxLength: 4, size: "max" }) }),
        fc.record({
          kind: fc.constant("error" as const),
          errorClass,
          message: text,
          // "cause" and "errors" are what Error and AggregateError define themselves; "__proto__" must stay data.
          fields: fc.uniqueArray(fc.tuple(fc.constantFrom("cause", "errors", "code", "details", "__proto__"), shape), {
            maxLength: 3,
            selector: ([k]) => k
          }) as fc.Arbitrary<ReadonlyArray<Entry>>
        })
      )
    }
  })
  // Mostly containers at the top: a lone leaf is quickly covered, the interplay of nested parts is not.
  return fc.oneof({ arbitrary: arbitraries.shape, weight: 1 }, { arbitrary: arbitraries.container, weight: 3 })
}

/**
 * Values that always hold binary data past the blob threshold: on its own (a raw blob), nested next to other
 * values (an attachment), and referenced twice (one attachment, shared).
 */
export const largeBinaryShape: fc.Arbitrary<Shape> = fc
  .tuple(bigBinary, storableShape({ maxDepth: 2 }), fc.nat(2))
  .map(([big, rest, layout]): Shape => {
    if (layout === 0) return big
    if (layout === 1)
      return {
        kind: "object",
        entries: [
          ["weights", big],
          ["rest", rest]
        ],
        nullPrototype: false
      }
    // The big value is the first object-valued node of the array's items, so ref 1 (after the array) points to it.
    return { kind: "array", items: [big, rest, { kind: "ref", target: 1 }], trailingHoles: 0 }
  })

/**
 * Plain data only (what the JSON fast path takes): finite numbers but -0, strings, booleans, null, dense arrays
 * and plain objects.
 */
export const plainDataShape: fc.Arbitrary<Shape> = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: "small", maxDepth: 4, withCrossShrink: true },
    fc
      .oneof(
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        fc.integer(),
        text
      )
      .map((value): Shape => ({ kind: "primitive", value })),
    fc
      .array(tie("shape"), { maxLength: 5, size: "max" })
      .map((items): Shape => ({ kind: "array", items, trailingHoles: 0 })),
    // Many distinct keys across objects push the encoder onto its copying path, few onto its key-list path.
    fc
      .uniqueArray(fc.tuple(key, tie("shape")), { maxLength: 8, selector: ([k]) => k })
      .map((entries): Shape => ({ kind: "object", entries, nullPrototype: false }))
  )
})).shape
