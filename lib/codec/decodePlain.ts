/**
 * Decoding without seroval: JSON text and raw binary, the encodings of nearly every artifact. Kept apart
 * from `decode` so that reading such artifacts (a client in a fresh process) does not load seroval.
 */
import { left, right } from "./either.js"
import type { Either } from "fp-ts/lib/Either.js"
import { binaryFromBytes } from "./binary.js"
import { decodeFailure } from "./Encoded.js"
import type { DecodeFailure } from "./Encoded.js"

export const messageOf = (error: unknown): string => {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : ""
  return error instanceof Error ? `${error.message}${cause}` : String(error)
}

const textOf = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")

/** Parses JSON text, failing as a value (with the encoding named) on invalid text. */
export const parseJson = (encoding: string, bytes: Uint8Array): Either<DecodeFailure, unknown> => {
  try {
    return right(JSON.parse(textOf(bytes)) as unknown)
  } catch (error) {
    return left(decodeFailure(encoding, `invalid JSON (${messageOf(error)})`))
  }
}

/** Rebuilds a raw binary value of class `type`. */
export const decodeRaw = (type: string, bytes: Uint8Array): Either<DecodeFailure, unknown> => {
  const value = binaryFromBytes(type, bytes)
  return value._tag === "Left" ? left(decodeFailure("raw", value.left)) : value
}

/** Decodes the encodings that need no seroval ("json", "raw"); anything else fails as a value. */
export const decodePlain = (encoding: string, type: string, bytes: Uint8Array): Either<DecodeFailure, unknown> => {
  if (encoding === "json") return parseJson("json", bytes)
  if (encoding === "raw") return decodeRaw(type, bytes)
  return left(decodeFailure(encoding, `unknown encoding '${encoding}'`))
}
