/**
 * The codec's vocabulary: what `encode` produces, and the failures `encode` and `decode` report as values.
 * The codec turns values into bytes and back; it does no I/O and writes no user-facing messages (the
 * interpreter and the artifact layer build those, naming the step and the artifact).
 */
import type { Encoding } from "../datastore/Manifest.js"

/** The encodings the codec picks from (defined with the stored shapes). */
export type { Encoding }

/** A large binary value nested inside a structured value, stored as a blob of its own. */
export interface EncodedAttachment {
  /** Lower-case hex sha256 of `bytes`; the main bytes name it, so they change when it changes. */
  readonly hash: string
  readonly size: number
  /** A view over the value's own memory (no copy): write it before the value can change. */
  readonly bytes: Uint8Array
}

/** A value turned into bytes: the main bytes plus the attachments they refer to by position. */
export interface EncodedValue {
  readonly encoding: Encoding
  /** The value's runtime type as users know it ("number", "object", "Array", "Map", "Float64Array", "Point"...). */
  readonly type: string
  /** The encoded bytes; for "raw" a view over the value's own memory (no copy). */
  readonly bytes: Uint8Array
  /** The same bytes as text, for the textual encodings: small values are stored inline without decoding them again. */
  readonly text?: string
  readonly attachments: ReadonlyArray<EncodedAttachment>
}

/**
 * A value the codec cannot store. `what` is a short noun phrase ("a function", "a WeakMap",
 * "an object with methods (predict)"); `path` locates it inside the value ("" for the value itself,
 * "model.predict", "items[3]", "cache.<Map value>").
 */
export interface CodecFailure {
  readonly _tag: "NotStorable"
  readonly what: string
  readonly path: string
}

/** Stored bytes that do not decode to a value (corrupt, truncated, or not written by this codec). */
export interface DecodeFailure {
  readonly _tag: "DecodeFailure"
  readonly encoding: string
  /** What was wrong, as a phrase: "invalid JSON (Unexpected end of JSON input)". */
  readonly reason: string
}

/** Builds a {@link CodecFailure}. */
export const notStorable = (what: string, path: string): CodecFailure => ({ _tag: "NotStorable", what, path })

/** Builds a {@link DecodeFailure}. */
export const decodeFailure = (encoding: string, reason: string): DecodeFailure => ({
  _tag: "DecodeFailure",
  encoding,
  reason
})

/**
 * Binary values (typed arrays, DataView, ArrayBuffer, Buffer) of at least this many bytes are stored as raw
 * blobs (at the top level) or attachments (nested) instead of base64 inside the encoded text.
 */
export const BINARY_BLOB_THRESHOLD = 64 * 1024

/**
 * How deeply values may nest (objects in arrays in maps...). Deeper values are not storable: the walkers
 * recurse, and seroval refuses deeper trees when decoding, so storing them would produce unreadable blobs.
 */
export const MAX_DEPTH = 1000

/**
 * The depth limit passed to seroval. seroval counts depth per node (a Map entry, a plugin field), our walker
 * per container: the room left makes whatever passes our check pass seroval's, when encoding and decoding.
 */
export const SEROVAL_DEPTH_LIMIT = 4 * MAX_DEPTH
