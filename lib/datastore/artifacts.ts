/**
 * The artifact layer over any Datastore: values in, entries out, and back. The interpreter and the client
 * use only this to persist and load artifact values.
 *
 * Small textual encodings (at most {@link INLINE_LIMIT} bytes) live inline in the entry, which lives in a
 * manifest: most artifacts then cost no file at all (many tiny files, not bytes, are what is slow). Others are
 * blobs, and so is every attachment (a large binary value nested in a structured one).
 */
import { right } from "fp-ts/lib/Either.js"
import type { Either } from "fp-ts/lib/Either.js"
import { decode } from "../codec/decode.js"
import { encode } from "../codec/encode.js"
import type { CodecFailure, EncodedValue } from "../codec/Encoded.js"
import { isSha256Hex, sha256Hex } from "../codec/hash.js"
import { IntegrityError, NotFoundError } from "../errors.js"
import type { Datastore } from "./Datastore.js"
import type { ArtifactEntry } from "./Manifest.js"

/** Textual encodings up to this many bytes are stored inline in their entry. */
export const INLINE_LIMIT = 16 * 1024

/** Which artifact a load is for: every error names it. */
export interface ArtifactLocation {
  readonly flow: string
  readonly runId: string
  readonly step: string
  readonly taskId: string
  readonly artifact: string
}

const describe = (where: ArtifactLocation): string =>
  `flow '${where.flow}', run '${where.runId}', step '${where.step}', task '${where.taskId}': artifact '${where.artifact}'`

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
 * The I/O half of {@link storeValue}, for callers that encode several values first so that one value the
 * codec rejects leaves nothing stored (a step's output is all or nothing). Store `encoded` before its value
 * can change: raw bytes are views over the value's memory.
 */
export const storeEncoded = async (store: Datastore, encoded: EncodedValue): Promise<ArtifactEntry> => {
  const { encoding, type, bytes } = encoded
  const attachments = await writeAttachments(store, encoded)
  const extra = attachments.length > 0 ? { attachments } : {}
  if (encoding !== "raw" && bytes.byteLength <= INLINE_LIMIT) {
    const inline = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
    return { hash: sha256Hex(bytes), size: bytes.byteLength, type, encoding, inline, ...extra }
  }
  const { hash, size } = await store.writeBlob(bytes)
  return { hash, size, type, encoding, ...extra }
}

/** Reads a blob for an artifact, rewording the store's errors so that they name the artifact. */
const readFor = async (store: Datastore, hash: string, where: ArtifactLocation, role: string): Promise<Uint8Array> => {
  try {
    return await store.readBlob(hash)
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(
        `artiflow: ${describe(where)}: ${role} blob ${hash} is missing from the ${store.description}`,
        { cause: error }
      )
    }
    if (error instanceof IntegrityError) {
      throw new IntegrityError(`artiflow: ${describe(where)}: ${role} blob ${hash} is corrupt (${error.message})`, {
        cause: error
      })
    }
    throw error
  }
}

const corrupt = (where: ArtifactLocation, entry: ArtifactEntry, reason: string): IntegrityError =>
  new IntegrityError(`artiflow: ${describe(where)} (hash ${String(entry.hash)}) cannot be loaded: ${reason}`)

const mainBytes = async (store: Datastore, entry: ArtifactEntry, where: ArtifactLocation): Promise<Uint8Array> => {
  if (entry.inline === undefined) return readFor(store, entry.hash, where, "its")
  if (typeof entry.inline !== "string") throw corrupt(where, entry, "its inline value is not text")
  const bytes = Buffer.from(entry.inline, "utf8")
  const actual = sha256Hex(bytes)
  if (actual !== entry.hash) throw corrupt(where, entry, `its inline bytes hash to ${actual}`)
  return bytes
}

const attachmentList = (
  entry: ArtifactEntry,
  where: ArtifactLocation
): ReadonlyArray<{ readonly hash: string; readonly size: number }> => {
  const list: unknown = entry.attachments ?? []
  if (!Array.isArray(list)) throw corrupt(where, entry, "its attachment list is not a list")
  return list as ReadonlyArray<{ readonly hash: string; readonly size: number }>
}

/**
 * Loads an artifact's value: reads its bytes (inline or blob) and attachments, verifies every hash, and
 * decodes. Never returns wrong data: a mismatch or an undecodable value throws IntegrityError, a missing blob
 * NotFoundError, both naming the flow, run, step, task, artifact and hash.
 */
export const loadValue = async (store: Datastore, entry: ArtifactEntry, where: ArtifactLocation): Promise<unknown> => {
  if (typeof entry.hash !== "string" || !isSha256Hex(entry.hash))
    throw corrupt(where, entry, "its hash is not a sha256")
  const bytes = await mainBytes(store, entry, where)
  if (bytes.byteLength !== entry.size)
    throw corrupt(where, entry, `it has ${bytes.byteLength} bytes, the entry says ${entry.size}`)
  const list = attachmentList(entry, where)
  const attachments: Array<Uint8Array> = []
  for (const [i, attachment] of list.entries()) {
    attachments.push(await readFor(store, String(attachment.hash), where, `attachment ${i}`))
  }
  const attachmentHashes = list.map((attachment) => attachment.hash)
  const value = decode(entry.encoding, entry.type, bytes, attachments, { attachmentHashes })
  if (value._tag === "Left")
    throw corrupt(where, entry, `its ${value.left.encoding} encoding does not decode (${value.left.reason})`)
  return value.right
}
