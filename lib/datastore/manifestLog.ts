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
import * as zlib from "node:zlib"
import { IntegrityError } from "../errors.js"

const NEWLINE = 0x0a
const SPACE = 0x20
const CRC_DIGITS = 8

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

const crc32: (data: Uint8Array) => number = typeof zlib.crc32 === "function" ? (data) => zlib.crc32(data) : tableCrc32()

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

/** The JSON text of a line if it is intact (well framed, checksum right), else undefined. */
const intactBody = (line: Buffer): string | undefined => {
  if (line.length <= CRC_DIGITS || line[CRC_DIGITS] !== SPACE) return undefined
  const body = line.subarray(CRC_DIGITS + 1)
  const stored = line.toString("latin1", 0, CRC_DIGITS)
  return /^[0-9a-f]{8}$/.test(stored) && stored === hex8(crc32(body)) ? body.toString("utf8") : undefined
}

/** Splits a log into records; `file` names it in errors. Throws IntegrityError on a corrupt record before the last. */
export const parseLog = (bytes: Buffer, file: string): ParsedLog => {
  const records: Array<string> = []
  let start = 0
  for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
    const body = intactBody(bytes.subarray(start, end))
    const isLast = bytes.indexOf(NEWLINE, end + 1) === -1
    if (body === undefined) {
      if (isLast) break
      throw new IntegrityError(
        `artiflow: manifest log ${file} is corrupt at record ${records.length + 1} (bad checksum or framing): ` +
          "the records after it cannot be trusted; restore the file from a backup or start a new run"
      )
    }
    records.push(body)
    start = end + 1
  }
  return { records, intactLength: start }
}
