/**
 * `encode`: a value to bytes, picking the encoding per value:
 *
 * - "raw" for a top-level binary value of at least {@link BINARY_BLOB_THRESHOLD} bytes: its own bytes, no copy;
 * - "json" for plain data (see `json.ts`): canonical JSON, the fast path;
 * - "seroval" for every other storable value: seroval's JSON node tree of a canonical copy (see `prepare.ts`).
 *
 * Equal values give equal bytes: object key order is ignored at every depth.
 */
import { left, right } from "./either.js"
import type { Either } from "fp-ts/lib/Either.js"
import { Feature, toJSON } from "seroval"
import { binaryTypeName, bytesOf, isBinary } from "./binary.js"
import { BINARY_BLOB_THRESHOLD, MAX_DEPTH, notStorable, SEROVAL_DEPTH_LIMIT } from "./Encoded.js"
import type { CodecFailure, EncodedValue } from "./Encoded.js"
import { sha256Hex } from "./hash.js"
import { canonicalJson } from "./json.js"
import { encodePlugins } from "./plugins.js"
import { prepare } from "./prepare.js"
import { typeName } from "./typeName.js"

const utf8 = (text: string): Uint8Array => Buffer.from(text, "utf8")

const encodeRaw = (value: unknown): EncodedValue | undefined => {
  if (typeof value !== "object" || value === null || !isBinary(value)) return undefined
  if (value.byteLength < BINARY_BLOB_THRESHOLD) return undefined
  return { encoding: "raw", type: binaryTypeName(value), bytes: bytesOf(value), attachments: [] }
}

const encodeSeroval = (value: unknown): Either<CodecFailure, EncodedValue> => {
  const prepared = prepare(value)
  if (prepared._tag === "Left") return prepared
  try {
    const tree = toJSON(prepared.right.value, {
      compactArrayBufferViews: true,
      disabledFeatures: Feature.ErrorPrototypeStack,
      depthLimit: SEROVAL_DEPTH_LIMIT,
      plugins: [...encodePlugins]
    })
    const text = JSON.stringify(tree)
    return right({ encoding: "seroval", type: typeName(value), bytes: utf8(text), text, attachments: prepared.right.attachments })
  } catch (error) {
    // prepare() admits only what seroval stores; reaching this means a kind of value we did not foresee.
    return left(
      notStorable(`a value seroval cannot store (${error instanceof Error ? error.message : String(error)})`, "")
    )
  }
}

/**
 * Encodes a value for storage, or says which part of it is not storable (functions, symbols, Promises,
 * WeakMap/WeakSet, objects with methods, values nested deeper than {@link MAX_DEPTH} levels).
 *
 * @example
 * const encoded = encode({ b: 1, a: 2 })
 * // right({ encoding: "json", type: "object", bytes: <'{"a":2,"b":1}'>, attachments: [] })
 */
export const encode = (value: unknown): Either<CodecFailure, EncodedValue> => {
  const raw = encodeRaw(value)
  if (raw !== undefined) return right(raw)
  const json = canonicalJson(value)
  if (json !== undefined) return right({ encoding: "json", type: typeName(value), bytes: utf8(json), text: json, attachments: [] })
  return encodeSeroval(value)
}

/**
 * The content hash of a value: the sha256 of its canonical encoding (the hash its artifact entry would get).
 * Equal values, object key order ignored, have equal hashes; attachments count through the hashes the
 * encoding names. This is what a join's `equal` compares.
 *
 * @example
 * contentHash({ a: 1, b: 2 }) // right(h), and contentHash({ b: 2, a: 1 }) is right(h) too
 */
export const contentHash = (value: unknown): Either<CodecFailure, string> => {
  const encoded = encode(value)
  return encoded._tag === "Left" ? encoded : right(sha256Hex(encoded.right.bytes))
}
