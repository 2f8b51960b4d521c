/**
 * Manifest packs: when a run on S3 ends, its commit objects are packed into one (s3Manifests.ts), framed as a
 * manifest log (manifestLog.ts) whose first record is a header:
 *
 *     <crc32> {"artiflowPack":1,"commits":["<commit object>", ...],"bodyCrc32":<CRC-32 of every byte after it>,
 *              "index":{"steps":[...],"records":[...]}}     where each record is (logIndex.ts), from the body's start
 *     <crc32> <manifest JSON>      one record per manifest, in commit order
 *
 * A pack is written whole and never changed, so one checksum over its body replaces the 10,000 record
 * checksums a reader of a wide run would otherwise compute (the records keep theirs: a pack is a log like any
 * other). Packs written before `bodyCrc32` existed have none, and are checked record by record. The index
 * spares a reader finding and parsing each record's header (10,002 of them for a wide run): records come from
 * it, each still parsed and checked against its entry when used. A pack without one (or whose index does not
 * describe its body) is read record by record.
 */
import { IntegrityError } from "../errors.js"
import { LogIndexBuilder } from "./logIndex.js"
import type { IndexEntries } from "./logIndex.js"
import { bodyCrc32, countRecords, FRAME_BYTES, frameRecord, isIntact, NEWLINE, scanLog } from "./manifestLog.js"
import type { ScanOptions } from "./manifestLog.js"
import { lazyRecord } from "./records.js"

/** The first record of a pack: which commit objects it holds (their names, without folder). */
export interface PackHeader {
  readonly artiflowPack: 1
  readonly commits: ReadonlyArray<string>
  /** The CRC-32 of the bytes after the header record; absent in packs written before it existed. */
  readonly bodyCrc32?: number
  /** Where each record of the body is, offsets from the body's start; absent in packs written before it existed. */
  readonly index?: IndexEntries
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
  const frames = texts.map((text) => frameRecord(text))
  const body = Buffer.concat(frames)
  const index = packIndex(texts, frames)
  const header: PackHeader = { artiflowPack: 1, commits, bodyCrc32: bodyCrc32(body), ...(index !== undefined && { index }) }
  return Buffer.concat([frameRecord(JSON.stringify(header)), body])
}

/** The index of a pack's records; none when a record is not a task manifest (readers then read them one by one). */
const packIndex = (texts: ReadonlyArray<string>, frames: ReadonlyArray<Buffer>): IndexEntries | undefined => {
  const index = new LogIndexBuilder()
  try {
    texts.forEach((text, i) => index.addRecord(lazyRecord(text, "a pack being written", i), (frames[i] as Buffer).length))
  } catch {
    return undefined
  }
  return index.entries()
}

/**
 * Takes a checked pack's records from its index: `bytes` is the pack, `base` where its body starts. Returns
 * false when the index does not describe the body (then the records are read one by one).
 */
export type TakeIndexed = (bytes: Buffer, base: number, index: IndexEntries) => boolean

/** The header record of a pack, and where the records after it start; IntegrityError naming `where` if it has none. */
const readHeader = (bytes: Buffer, where: string): { readonly header: PackHeader; readonly bodyStart: number } => {
  const end = bytes.indexOf(NEWLINE)
  let header: unknown
  if (end !== -1 && isIntact(bytes, 0, end)) {
    try {
      // A shallow null-prototype copy: the header's own fields are read by fixed names, and walking its index
      // (five values per record) to copy it would cost a reader of a wide run more than the index saves.
      const parsed: unknown = JSON.parse(bytes.toString("utf8", FRAME_BYTES, end))
      header = typeof parsed === "object" && parsed !== null ? Object.assign(Object.create(null) as object, parsed) : parsed
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
export const readPack = (bytes: Buffer, where: string, visit: (text: string) => void, takeIndexed?: TakeIndexed): PackHeader => {
  const { header, bodyStart } = readHeader(bytes, where)
  const verified = header.bodyCrc32 !== undefined
  if (verified && bodyCrc32(bytes, bodyStart) !== header.bodyCrc32) {
    throw new IntegrityError(
      `artiflow: manifest pack ${where} is corrupt: its records do not match the checksum in its header; ` +
        "restore the object from a backup or rerun the flow"
    )
  }
  // Only a pack checked whole can be read through its index: its records' own checksums are not checked then.
  // An index that is not even an object is ignored like one that does not describe the body.
  const index: unknown = header.index
  if (verified && typeof index === "object" && index !== null && takeIndexed?.(bytes, bodyStart, index as IndexEntries) === true) return header
  // `visit` goes to the scan as it is: a run of 10,000 tasks calls it 10,000 times, in code not yet compiled.
  scanObject(bytes, where, visit, { from: bodyStart, firstIndex: 1, verified })
  return header
}

/**
 * Calls `visit` with each record of an object stored whole (a pack, a commit object): a record that does not
 * check out is damage, never a write cut short, so it is an IntegrityError naming `where`.
 */
export const scanObject = (bytes: Buffer, where: string, visit: (text: string) => void, options?: ScanOptions): void => {
  const intactLength = scanLog(bytes, where, visit, options)
  if (intactLength !== bytes.length) {
    throw new IntegrityError(`artiflow: manifest object ${where} is corrupt after record ${countRecords(bytes, intactLength)}`)
  }
}
