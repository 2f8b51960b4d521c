/**
 * Loading an artifact's value synchronously: what a worker's lazy record does when a step reads `a.x`. The
 * same checks as load.ts (every hash verified, sizes bounded, nothing executed), over a blob reader that
 * answers at once. Workers pay for seroval when they load; they run step code anyway.
 */
import { expandSync } from "../codec/compress.js"
import { decode } from "../codec/decode.js"
import { sha256Hex } from "../codec/hash.js"
import {
  attachmentList,
  blobReadError,
  checkedStoredBlob,
  checkHash,
  checkSize,
  corrupt,
  inlineBytes
} from "./load.js"
import type { ArtifactLocation } from "./load.js"
import type { ArtifactEntry } from "./Manifest.js"

/** Reads a blob synchronously, verified like `Datastore.readBlob` (NotFoundError, IntegrityError). */
export interface SyncBlobReader {
  /** The store it reads, for messages ("local store at /x"). */
  readonly description: string
  readBlob(hash: string): Uint8Array
}

const readFor = (reader: SyncBlobReader, hash: string, where: ArtifactLocation, role: string): Uint8Array => {
  try {
    return reader.readBlob(hash)
  } catch (error) {
    throw blobReadError(error, reader.description, hash, where, role)
  }
}

const expandedBytes = (reader: SyncBlobReader, entry: ArtifactEntry, where: ArtifactLocation): Uint8Array => {
  const stored = checkedStoredBlob(entry, where)
  const packed = readFor(reader, stored.hash, where, "its compressed")
  if (packed.byteLength !== stored.size)
    throw corrupt(where, entry, `its compressed blob has ${packed.byteLength} bytes, the entry says ${stored.size}`)
  const expanded = expandSync(stored.compression, packed, entry.size)
  if (expanded._tag === "Left") throw corrupt(where, entry, `its compressed blob ${stored.hash} is wrong: ${expanded.left}`)
  const actual = sha256Hex(expanded.right)
  if (actual !== entry.hash) throw corrupt(where, entry, `its compressed blob expands to bytes that hash to ${actual}`)
  return expanded.right
}

const mainBytes = (reader: SyncBlobReader, entry: ArtifactEntry, where: ArtifactLocation): Uint8Array => {
  if (entry.inline !== undefined) {
    if (entry.stored !== undefined) throw corrupt(where, entry, "it is both inline and in a blob")
    return inlineBytes(entry, where)
  }
  if (entry.stored !== undefined) return expandedBytes(reader, entry, where)
  return readFor(reader, entry.hash, where, "its")
}

/**
 * `loadValue`, synchronously: reads the entry's bytes (inline, blob or compressed blob) and attachments with
 * `reader`, verifies every hash, decodes. Throws IntegrityError or NotFoundError naming the artifact.
 */
export const loadValueSync = (reader: SyncBlobReader, entry: ArtifactEntry, where: ArtifactLocation): unknown => {
  checkHash(entry, where)
  const bytes = mainBytes(reader, entry, where)
  checkSize(entry, where, bytes)
  const list = attachmentList(entry, where)
  const attachments = list.map((attachment, i) => readFor(reader, String(attachment.hash), where, `attachment ${i}`))
  const attachmentHashes = list.map((attachment) => attachment.hash)
  const value = decode(entry.encoding, entry.type, bytes, attachments, { attachmentHashes })
  if (value._tag === "Left") throw corrupt(where, entry, `its ${value.left.encoding} encoding does not decode (${value.left.reason})`)
  return value.right
}
