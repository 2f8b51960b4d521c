/**
 * Storing artifact values in any Datastore: values in, entries out (loading them back is load.ts). The
 * interpreter stores every artifact through this.
 *
 * Small textual encodings (at most {@link INLINE_LIMIT} bytes) live inline in the entry, which lives in a
 * manifest: most artifacts then cost no file at all (many tiny files, not bytes, are what is slow). Others are
 * blobs, and so is every attachment (a large binary value nested in a structured one). Large text blobs are
 * stored compressed when that pays (see codec/compress.ts); the entry's hash still names the uncompressed
 * bytes, so a value's identity never depends on how it was stored.
 */
import { right } from "../codec/either.js"
import type { Either } from "fp-ts/lib/Either.js"
import { compressText, worthCompressing } from "../codec/compress.js"
import { encode } from "../codec/encode.js"
import type { CodecFailure, EncodedValue } from "../codec/Encoded.js"
import { sha256Hex } from "../codec/hash.js"
import type { Datastore } from "./Datastore.js"
import type { ArtifactEntry, Encoding } from "./Manifest.js"

/** Textual encodings up to this many bytes are stored inline in their entry. */
export const INLINE_LIMIT = 16 * 1024

const writeAttachments = async (
  store: Datastore,
  encoded: EncodedValue
): Promise<ReadonlyArray<{ readonly hash: string; readonly size: number }>> => {
  const written = []
  // One at a time: attachments are large, and writing them in parallel only competes for the same disk.
  for (const attachment of encoded.attachments) written.push(await store.writeBlob(attachment.bytes))
  return written
}

/**
 * Encodes a value and stores what needs storing: small text goes inline in the entry (no I/O), the rest and
 * every attachment become blobs. The entry's hash is always the sha256 of the encoded main bytes, so equal
 * values get equal hashes whether inline or not.
 *
 * @example
 * const entry = await storeValue(memoryStore(), { score: 0.9 })
 * // right({ hash: "…", size: 13, type: "object", encoding: "json", inline: '{"score":0.9}' })
 */
export const storeValue = async (store: Datastore, value: unknown): Promise<Either<CodecFailure, ArtifactEntry>> => {
  const encoded = encode(value)
  if (encoded._tag === "Left") return encoded
  return right(await storeEncoded(store, encoded.right))
}

/**
 * Writes a main blob: compressed when the encoding is text and compressing saves enough, as it is otherwise.
 * Either way the entry's hash is the sha256 of `bytes`.
 */
const writeMain = async (
  store: Datastore,
  encoding: Encoding,
  bytes: Uint8Array
): Promise<Pick<ArtifactEntry, "hash" | "size" | "stored">> => {
  if (worthCompressing(encoding, bytes.byteLength)) {
    const compressing = compressText(bytes)
    // The thread pool compresses while this thread hashes the same bytes.
    const hash = sha256Hex(bytes)
    const packed = await compressing
    if (packed !== undefined) {
      const blob = await store.writeBlob(packed)
      return { hash, size: bytes.byteLength, stored: { hash: blob.hash, size: blob.size, compression: "br" } }
    }
  }
  return store.writeBlob(bytes)
}

/**
 * The I/O half of {@link storeValue}, for callers that encode several values first so that one value the
 * codec rejects leaves nothing stored (a step's output is all or nothing). Store `encoded` before its value
 * can change: raw bytes are views over the value's memory.
 */
export const storeEncoded = async (store: Datastore, encoded: EncodedValue): Promise<ArtifactEntry> => {
  const { encoding, type, bytes } = encoded
  const attachments = await writeAttachments(store, encoded)
  const extra = attachments.length > 0 ? { attachments } : {}
  if (encoding !== "raw" && bytes.byteLength <= INLINE_LIMIT) {
    const inline = encoded.text ?? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
    return { hash: sha256Hex(bytes), size: bytes.byteLength, type, encoding, inline, ...extra }
  }
  const { hash, size, stored } = await writeMain(store, encoding, bytes)
  return { hash, size, type, encoding, ...(stored === undefined ? {} : { stored }), ...extra }
}
