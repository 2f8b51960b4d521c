/**
 * The manifest log: a run's task manifests, one framed record per line, append-only.
 *
 *     <crc32 of the JSON, 8 hex digits> <manifest JSON>\n
 *
 * A record counts once its newline is written. A crash can tear the last record (cut anywhere): readers
 * ignore a torn last record, and the next writer cuts it off before appending. A record that fails its
 * checksum with complete records after it was corrupted after the fact: that is an IntegrityError, since
 * nothing says which of the following records can still be trusted.
 */
import { isAscii } from "node:buffer"
import * as zlib from "node:zlib"
import { IntegrityError } from "../errors.js"

const SPACE = 0x20
/** The byte ending every record. */
export const NEWLINE = 0x0a
const CRC_DIGITS = 8
/** Where a record's JSON starts in its line: after its 8 hex digits and a space. */
export const FRAME_BYTES = CRC_DIGITS + 1

/** CRC-32 (IEEE), as zlib computes it; the table version serves Node releases before 20.15. */
const crc32Table = (): Uint32Array => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
}

/** CRC-32 computed in JavaScript, for Node releases without `zlib.crc32` (exported for tests). */
export const tableCrc32 = (): ((data: Uint8Array) => number) => {
  const table = crc32Table()
  return (data) => {
    let crc = 0xffffffff
    for (const byte of data) crc = (table[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8)
    return (crc ^ 0xffffffff) >>> 0
  }
}

const crc32: (data: Uint8Array) => number = typeof zlib.crc32 === "function" ? zlib.crc32 : tableCrc32()

const hex8 = (n: number): string => n.toString(16).padStart(CRC_DIGITS, "0")

/** One manifest's JSON text, framed as a log line. */
export const frameRecord = (json: string): Buffer => {
  const body = Buffer.from(json, "utf8")
  return Buffer.concat([Buffer.from(`${hex8(crc32(body))} `, "latin1"), body, Buffer.from("\n", "latin1")])
}

/** What a log holds: the JSON text of each intact record, and where the intact part ends. */
export interface ParsedLog {
  readonly records: ReadonlyArray<string>
  /** Bytes from the start up to the end of the last intact record; a torn tail lies beyond. */
  readonly intactLength: number
}

/** The value of the 8 lower-case hex digits at `bytes[start]`, or -1 if they are not that. */
const hexAt = (bytes: Buffer, start: number): number => {
  let value = 0
  for (let i = start; i < start + CRC_DIGITS; i++) {
    const c = bytes[i] as number
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1
    if (digit < 0) return -1
    value = value * 16 + digit
  }
  return value
}

/** The CRC-32 of `bytes[start, end)`, through a plain view (a Buffer's `subarray` costs more to make). */
const crc32Of = (bytes: Buffer, start: number, end: number): number =>
  crc32(new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start))

/**
 * Whether the record in `bytes[start, end)` (its newline excluded) is intact: well framed, checksum right.
 * The checksum is compared as a number, without making strings: a client opening a run of 10,000 tasks
 * checks 10,000 records. Tag logs (localTags.ts) frame their records the same way.
 */
export const isIntact = (bytes: Buffer, start: number, end: number): boolean =>
  end - start > CRC_DIGITS &&
  bytes[start + CRC_DIGITS] === SPACE &&
  hexAt(bytes, start) === crc32Of(bytes, start + FRAME_BYTES, end)

/** How {@link scanLog} reads a log. */
export interface ScanOptions {
  /** The byte offset of the first record (default 0). */
  readonly from?: number
  /** The number (from 0) of the first record, for messages and `visit` (default 0). */
  readonly firstIndex?: number
  /**
   * The bytes from `from` on were verified as a whole (a manifest pack's body checksum): each record's framing
   * is checked, its own checksum is not (one CRC-32 over 5 MB costs far less than 10,000 of 500 bytes).
   */
  readonly verified?: boolean
}

/**
 * Calls `visit` with the JSON text of each intact record of a log, in order, its number and the offset of its
 * newline, and returns the bytes from the start up to the end of the last intact record (a torn tail lies
 * beyond). One pass: no array of texts is made unless the caller makes one. `file` names the log in errors.
 * Throws IntegrityError on a corrupt record before the last.
 */
export const scanLog = (
  bytes: Buffer,
  file: string,
  visit: (text: string, index: number, end: number) => void,
  options: ScanOptions = {}
): number => {
  // One latin1 decode of the whole log: one character per byte, so its offsets are byte offsets, and looking
  // for newlines in it is cheaper than in the Buffer. Manifests are almost always ASCII (names and hashes;
  // JSON escapes the rest only if the writer did), and then each record is a slice of it, not a decode.
  const latin1 = bytes.toString("latin1")
  const ascii = isAscii(bytes)
  const verified = options.verified === true
  let index = options.firstIndex ?? 0
  let start = options.from ?? 0
  let end = latin1.indexOf("\n", start)
  while (end !== -1) {
    const next = latin1.indexOf("\n", end + 1)
    const intact = verified ? end - start > CRC_DIGITS && bytes[start + CRC_DIGITS] === SPACE : isIntact(bytes, start, end)
    if (!intact) {
      if (next === -1 && !verified) break
      throw new IntegrityError(
        `artiflow: manifest log ${file} is corrupt at record ${index + 1} (bad checksum or framing): ` +
          "the records after it cannot be trusted; restore the file from a backup or start a new run"
      )
    }
    const bodyStart = start + FRAME_BYTES
    visit(ascii ? latin1.slice(bodyStart, end) : bytes.toString("utf8", bodyStart, end), index, end)
    index++
    start = end + 1
    end = next
  }
  return start
}

/** Splits a log into records; `file` names it in errors. Throws IntegrityError on a corrupt record before the last. */
export const parseLog = (bytes: Buffer, file: string): ParsedLog => {
  const records: Array<string> = []
  const intactLength = scanLog(bytes, file, (text) => records.push(text))
  return { records, intactLength }
}

/** How many records `bytes[0, end)` holds (its newlines): for messages about a log that does not check out. */
export const countRecords = (bytes: Buffer, end: number): number => {
  let count = 0
  for (let at = bytes.indexOf(NEWLINE); at !== -1 && at < end; at = bytes.indexOf(NEWLINE, at + 1)) count++
  return count
}

/** The CRC-32 of `bytes` from `from` on: a manifest pack's body, checked in one call. */
export const bodyCrc32 = (bytes: Buffer, from = 0): number => crc32Of(bytes, from, bytes.length)
