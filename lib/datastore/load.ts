/**
 * Loading artifact values from any Datastore: read the bytes (inline, blob or compressed blob) and
 * attachments, verify every hash, decode. Plain JSON and raw binary decode without seroval, which is loaded
 * only for values that need it: a reader in a fresh process pays for what it reads.
 */
import { constants } from "node:buffer"
import { expand, isCompression } from "../codec/compress.js"
import { decodePlain } from "../codec/decodePlain.js"
import { isSha256Hex, sha256Hex } from "../codec/hash.js"
import { IntegrityError, NotFoundError } from "../errors.js"
import type { Datastore } from "./Datastore.js"
import type { ArtifactEntry, SnapshotRef, StoredBlob } from "./Manifest.js"

const MAX_LENGTH = constants.MAX_LENGTH

/** Which artifact a load is for: every error names it. */
export interface ArtifactLocation {
  readonly flow: string
  readonly runId: string
  readonly step: string
  readonly taskId: string
  readonly artifact: string
}

/**
 * Where an artifact of a snapshot was stored, for messages: the task `ref` names, or the run's parameters when
 * the snapshot is the first record (no ref).
 */
export const locationIn = (flow: string, runId: string, ref: SnapshotRef | null | undefined, artifact: string): ArtifactLocation => ({
  flow,
  runId: ref?.runId ?? runId,
  step: ref?.step ?? "(params)",
  taskId: ref?.taskId ?? "-",
  artifact
})

const describe = (where: ArtifactLocation): string =>
  `flow '${where.flow}', run '${where.runId}', step '${where.step}', task '${where.taskId}': artifact '${where.artifact}'`

/** A store's error reading a blob of an artifact, reworded to name the artifact (other errors as they are). */
export const blobReadError = (error: unknown, storeDescription: string, hash: string, where: ArtifactLocation, role: string): unknown => {
  if (error instanceof NotFoundError) {
    return new NotFoundError(`artiflow: ${describe(where)}: ${role} blob ${hash} is missing from the ${storeDescription}`, {
      cause: error
    })
  }
  if (error instanceof IntegrityError) {
    return new IntegrityError(`artiflow: ${describe(where)}: ${role} blob ${hash} is corrupt (${error.message})`, {
      cause: error
    })
  }
  return error
}

/** Reads a blob for an artifact, rewording the store's errors so that they name the artifact. */
const readFor = async (store: Datastore, hash: string, where: ArtifactLocation, role: string): Promise<Uint8Array> => {
  try {
    return await store.readBlob(hash)
  } catch (error) {
    throw blobReadError(error, store.description, hash, where, role)
  }
}

export const corrupt = (where: ArtifactLocation, entry: ArtifactEntry, reason: string): IntegrityError =>
  new IntegrityError(`artiflow: ${describe(where)} (hash ${String(entry.hash)}) cannot be loaded: ${reason}`)

export const inlineBytes = (entry: ArtifactEntry, where: ArtifactLocation): Uint8Array => {
  if (typeof entry.inline !== "string") throw corrupt(where, entry, "its inline value is not text")
  const bytes = Buffer.from(entry.inline, "utf8")
  const actual = sha256Hex(bytes)
  if (actual !== entry.hash) throw corrupt(where, entry, `its inline bytes hash to ${actual}`)
  return bytes
}

/**
 * The entry's `stored` field, once it is known to be well formed, and `size` to be a length a Buffer can
 * have: it bounds the decompressed output, so a lying entry cannot make loading allocate without limit.
 */
export const checkedStoredBlob = (entry: ArtifactEntry, where: ArtifactLocation): StoredBlob => {
  const stored: unknown = entry.stored
  const fields = (typeof stored === "object" && stored !== null ? stored : {}) as Partial<StoredBlob>
  const { hash, size, compression } = fields
  if (typeof hash !== "string" || !isSha256Hex(hash) || typeof size !== "number")
    throw corrupt(where, entry, "its stored blob is not a sha256 and a size")
  if (!isCompression(compression))
    throw corrupt(where, entry, `its blob is compressed with '${String(compression)}', which this artiflow cannot read`)
  if (!Number.isSafeInteger(entry.size) || entry.size <= 0 || entry.size > MAX_LENGTH)
    throw corrupt(where, entry, `its size ${String(entry.size)} is not a length a value can have`)
  return { hash, size, compression }
}

/** Reads and expands a compressed blob (see `ArtifactEntry.stored`), checking it against the entry. */
const expandedBytes = async (store: Datastore, entry: ArtifactEntry, where: ArtifactLocation): Promise<Uint8Array> => {
  const stored = checkedStoredBlob(entry, where)
  const packed = await readFor(store, stored.hash, where, "its compressed")
  if (packed.byteLength !== stored.size)
    throw corrupt(where, entry, `its compressed blob has ${packed.byteLength} bytes, the entry says ${stored.size}`)
  const expanded = await expand(stored.compression, packed, entry.size)
  if (expanded._tag === "Left")
    throw corrupt(where, entry, `its compressed blob ${stored.hash} is wrong: ${expanded.left}`)
  // The store verified the compressed bytes; this ties them to the entry's hash, which is what others compare.
  const actual = sha256Hex(expanded.right)
  if (actual !== entry.hash) throw corrupt(where, entry, `its compressed blob expands to bytes that hash to ${actual}`)
  return expanded.right
}

const mainBytes = async (store: Datastore, entry: ArtifactEntry, where: ArtifactLocation): Promise<Uint8Array> => {
  if (entry.inline !== undefined) {
    if (entry.stored !== undefined) throw corrupt(where, entry, "it is both inline and in a blob")
    return inlineBytes(entry, where)
  }
  if (entry.stored !== undefined) return expandedBytes(store, entry, where)
  return readFor(store, entry.hash, where, "its")
}

export const attachmentList = (
  entry: ArtifactEntry,
  where: ArtifactLocation
): ReadonlyArray<{ readonly hash: string; readonly size: number }> => {
  const list: unknown = entry.attachments ?? []
  if (!Array.isArray(list)) throw corrupt(where, entry, "its attachment list is not a list")
  return list as ReadonlyArray<{ readonly hash: string; readonly size: number }>
}

/** Checks the entry's hash before anything is read: it names the bytes to expect. */
export const checkHash = (entry: ArtifactEntry, where: ArtifactLocation): void => {
  if (typeof entry.hash !== "string" || !isSha256Hex(entry.hash)) throw corrupt(where, entry, "its hash is not a sha256")
}

/** Checks the main bytes' length against the entry. */
export const checkSize = (entry: ArtifactEntry, where: ArtifactLocation, bytes: Uint8Array): void => {
  if (bytes.byteLength !== entry.size) throw corrupt(where, entry, `it has ${bytes.byteLength} bytes, the entry says ${entry.size}`)
}

/**
 * Loads an artifact's value: reads its bytes (inline, blob or compressed blob) and attachments, verifies
 * every hash, and decodes. Never returns wrong data: a mismatch or an undecodable value throws
 * IntegrityError, a missing blob NotFoundError, both naming the flow, run, step, task, artifact and hash.
 */
export const loadValue = async (store: Datastore, entry: ArtifactEntry, where: ArtifactLocation): Promise<unknown> => {
  checkHash(entry, where)
  const bytes = await mainBytes(store, entry, where)
  checkSize(entry, where, bytes)
  const list = attachmentList(entry, where)
  const attachments: Array<Uint8Array> = []
  for (const [i, attachment] of list.entries()) {
    attachments.push(await readFor(store, String(attachment.hash), where, `attachment ${i}`))
  }
  const attachmentHashes = list.map((attachment) => attachment.hash)
  const value =
    entry.encoding === "seroval"
      ? (await import("../codec/decode.js")).decode(entry.encoding, entry.type, bytes, attachments, { attachmentHashes })
      : decodePlain(entry.encoding, entry.type, bytes)
  if (value._tag === "Left")
    throw corrupt(where, entry, `its ${value.left.encoding} encoding does not decode (${value.left.reason})`)
  return value.right
}
