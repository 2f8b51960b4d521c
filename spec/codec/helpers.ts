/** Test helpers for the codec: encode then decode, failing the test loudly on any Left. */
import { decode } from "../../lib/codec/decode.js"
import { encode } from "../../lib/codec/encode.js"
import type { CodecFailure, EncodedValue } from "../../lib/codec/Encoded.js"

/** Encodes a value that must be storable. */
export const encoded = (value: unknown): EncodedValue => {
  const result = encode(value)
  if (result._tag === "Left") throw new Error(`expected storable, got ${JSON.stringify(result.left)}`)
  return result.right
}

/** The failure for a value that must not be storable. */
export const failure = (value: unknown): CodecFailure => {
  const result = encode(value)
  if (result._tag === "Right") throw new Error(`expected NotStorable, got encoding ${result.right.encoding}`)
  return result.left
}

/** Decodes an encoded value that must decode. */
export const decoded = (value: EncodedValue): unknown => {
  const result = decode(
    value.encoding,
    value.type,
    value.bytes,
    value.attachments.map((a) => a.bytes)
  )
  if (result._tag === "Left") throw new Error(`expected to decode, got ${JSON.stringify(result.left)}`)
  return result.right
}

/** Encode, then decode. */
export const roundTrip = <T>(value: T): T => decoded(encoded(value)) as T

/** The main bytes as text (json and seroval encodings are UTF-8 text). */
export const text = (value: EncodedValue): string => Buffer.from(value.bytes).toString("utf8")
