/**
 * Manifest packs: when a run on S3 ends, its commit objects are packed into one (s3Manifests.ts), framed as a
 * manifest log (manifestLog.ts) whose first record is a header:
 *
 *     <crc32> {"artiflowPack":1,"commits":["<commit object>", ...],"bodyCrc32":<CRC-32 of every byte after it>}
 *     <crc32> <manifest JSON>      one record per manifest, in commit order
 *
 * A pack is written whole and never changed, so one checksum over its body replaces the 10,000 record
 * checksums a reader of a wide run would otherwise compute (the records keep theirs: a pack is a log like any
 * other). Packs written before `bodyCrc32` existed have none, and are checked record by record.
 */
import { IntegrityError } from "../errors.js"
import { bodyCrc32, countRecords, frameRecord, isIntact, scanLog } from "./manifestLog.js"
import { parseStoredJson } from "./records.js"

const NEWLINE = 0x0a

/** Where a record's JSON starts: after its 8 hex digits and a space. */
const BODY_OFFSET = 9

/** The first record of a pack: which commit objects it holds (their names, without folder). */
export interface PackHeader {
  readonly artiflowPack: 1
  readonly commits: ReadonlyArray<string>
  /** The CRC-32 of the bytes after the header record; absent in packs written before it existed. */
  readonly bodyCrc32?: number
}

const isCrc32 = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff

const isPackHeader = (value: unknown): value is PackHeader => {
  if (typeof value !== "object" || value === null) return false
  const header = value as { artiflowPack?: unknown; commits?: unknown; bodyCrc32?: unknown }
  return (
    header.artiflowPack === 1 &&
    Array.isArray(header.commits) &&
    header.commits.every((name) => typeof name === "string") &&
    (header.bodyCrc32 === undefined || isCrc32(header.bodyCrc32))
  )
}

/** A pack of `commits` (object names) holding `texts` (manifest JSON texts, in commit order). */
export const encodePack = (commits: ReadonlyArray<string>, texts: ReadonlyArray<string>): Buffer => {
  const body = Buffer.concat(texts.map((text) => frameRecord(text)))
  const header: PackHeader = { artiflowPack: 1, commits, bodyCrc32: bodyCrc32(body) }
  return Buffer.concat([frameRecord(JSON.stringify(header)), body])
}

/** The header record of a pack, and where the records after it start; IntegrityError naming `where` if it has none. */
const readHeader = (bytes: Buffer, where: string): { readonly header: PackHeader; readonly bodyStart: number } => {
  const end = bytes.indexOf(NEWLINE)
  let header: unknown
  if (end !== -1 && isIntact(bytes, 0, end)) {
    try {
      header = parseStoredJson(bytes.toString("utf8", BODY_OFFSET, end))
    } catch {
      header = undefined
    }
  }
  if (!isPackHeader(header)) {
    throw new IntegrityError(
      `artiflow: manifest pack ${where} has no valid header (its first record): restore the object from a backup or rerun the flow`
    )
  }
  return { header, bodyStart: end + 1 }
}

/**
 * Reads a pack: calls `visit` with the JSON text of each manifest record, in order, and returns the header.
 * The body is checked against the header's checksum in one call when it has one, else record by record.
 * Anything that does not check out is an IntegrityError naming `where` (an object is stored whole: a record
 * that fails is damage, never a write cut short).
 */
export const readPack = (bytes: Buffer, where: string, visit: (text: string) => void): PackHeader => {
  const { header, bodyStart } = readHeader(bytes, where)
  const verified = header.bodyCrc32 !== undefined
  if (verified && bodyCrc32(bytes, bodyStart) !== header.bodyCrc32) {
    throw new IntegrityError(
      `artiflow: manifest pack ${where} is corrupt: its records do not match the checksum in its header; ` +
        "restore the object from a backup or rerun the flow"
    )
  }
  // `visit` goes to the scan as it is: a run of 10,000 tasks calls it 10,000 times, in code not yet compiled.
  const intactLength = scanLog(bytes, where, visit, { from: bodyStart, firstIndex: 1, verified })
  if (intactLength !== bytes.length) {
    throw new IntegrityError(`artiflow: manifest object ${where} is corrupt after record ${countRecords(bytes, intactLength)}`)
  }
  return header
}
