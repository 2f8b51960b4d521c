/**
 * An index of an ended run's manifest log, so that opening the run does not check and parse every record.
 *
 *     runs/<flow>/<runId>/manifests.index    one framed record (as in manifestLog.ts) holding:
 *     { "artiflowLogIndex": 1, "length": <bytes of the log it covers>, "crc": <CRC-32 of those bytes>,
 *       "steps": [<step names>], "records": [<step number>, <task id>, <attempt>, <body start>, <body end>, ...] }
 *
 * Reading a log of 10,000 records costs a fresh process about 50 ms: a checksum, a header and an index entry
 * per record. With the index, the log is checked with one CRC-32 of the whole (1.5 ms for 5.8 MB) and the
 * records come from the index; each is still parsed, and checked against the index, when used. The index is
 * written when the run ends (the log holds its last records then): from what the store appended, when it
 * wrote the whole log itself, else by reading the log. It is used only while the log is exactly
 * what it covers: a record appended later, a torn tail, a byte changed, an index that does not check out, and
 * the log is read record by record as without an index, with the same errors. So an index can make reading
 * faster, never different.
 */
import * as zlib from "node:zlib"
import { IntegrityError } from "../errors.js"
import type { ManifestRecord } from "./Datastore.js"
import type { TaskManifest } from "./Manifest.js"
import { FRAME_BYTES, frameRecord, parseLog, scanLog } from "./manifestLog.js"
import { lazyRecord } from "./records.js"

const FORMAT = 1
const FIELDS = 5

/** Where each record is: its step (a number into `steps`), task id, attempt, and its JSON's first and end offsets. */
export interface IndexEntries {
  readonly steps: ReadonlyArray<string>
  readonly records: ReadonlyArray<string | number>
}

interface StoredIndex extends IndexEntries {
  readonly artiflowLogIndex: number
  readonly length: number
  readonly crc: number
}

/** zlib's CRC-32 (Node 20.15 and later: every Node artiflow supports); without it, logs are read record by record. */
const crc32 = typeof zlib.crc32 === "function" ? zlib.crc32 : undefined

/** A record's header fields, as its manifest starts (records.ts). */
export interface RecordHeader {
  readonly step: string
  readonly taskId: string
  readonly attempt: number
}

/**
 * Builds the index of a log record by record, in log order: as a writer appends records it framed itself, or
 * as a reader goes through records it checked. The index covers the bytes given to {@link LogIndexBuilder.addBytes}.
 */
export class LogIndexBuilder {
  private readonly steps: Array<string> = []
  private readonly stepNumbers = new Map<string, number>()
  private readonly records: Array<string | number> = []
  private crc = 0
  /** Bytes of the log the records added so far take. */
  length = 0

  /** Adds the next record: its header and its length in the log (frame, JSON and newline). */
  addRecord(header: RecordHeader, byteLength: number): void {
    let step = this.stepNumbers.get(header.step)
    if (step === undefined) {
      step = this.steps.push(header.step) - 1
      this.stepNumbers.set(header.step, step)
    }
    this.records.push(step, header.taskId, header.attempt, this.length + FRAME_BYTES, this.length + byteLength - 1)
    this.length += byteLength
  }

  /** Adds the next bytes of the log to its checksum (the bytes of the records added, in order). */
  addBytes(bytes: Uint8Array): void {
    if (crc32 !== undefined) this.crc = crc32(bytes, this.crc)
  }

  /** The records' entries, for an index kept elsewhere (a pack's header, manifestPack.ts). */
  entries(): IndexEntries {
    return { steps: this.steps, records: this.records }
  }

  /** The index file; `undefined` when it would index nothing (or Node has no zlib CRC-32). */
  encode(): Buffer | undefined {
    if (this.records.length === 0 || crc32 === undefined) return undefined
    const { length, crc, steps, records } = this
    const index: StoredIndex = { artiflowLogIndex: FORMAT, length, crc, steps, records }
    return frameRecord(JSON.stringify(index))
  }
}

/**
 * The index file of the log `bytes`, covering its intact records; `undefined` when there is nothing to index
 * or the log is corrupt (reading it record by record then reports that). `where` names the log.
 */
export const buildLogIndex = (bytes: Buffer, where: string): Buffer | undefined => {
  const builder = new LogIndexBuilder()
  let intactLength
  try {
    // A record's line ends at `end`, and starts where the records before it end.
    intactLength = scanLog(bytes, where, (text, i, end) => builder.addRecord(lazyRecord(text, where, i), end + 1 - builder.length))
  } catch {
    return undefined
  }
  builder.addBytes(bytes.subarray(0, intactLength))
  return builder.encode()
}

/** The index in `file`'s bytes if it is one this code wrote, whole; `undefined` otherwise. */
const parseIndex = (indexBytes: Buffer, where: string): StoredIndex | undefined => {
  try {
    const parsed = parseLog(indexBytes, where)
    if (parsed.records.length !== 1 || parsed.intactLength !== indexBytes.length) return undefined
    const index = JSON.parse(parsed.records[0] as string) as Partial<StoredIndex> | null
    const wellFormed =
      index !== null &&
      typeof index === "object" &&
      index.artiflowLogIndex === FORMAT &&
      Number.isSafeInteger(index.length) &&
      Number.isSafeInteger(index.crc)
    return wellFormed ? (index as StoredIndex) : undefined
  } catch {
    return undefined
  }
}

/** A record of an indexed log: its header from the index, its manifest parsed (and checked) on first use. */
class IndexedRecord implements ManifestRecord {
  private decoded: TaskManifest | undefined

  constructor(
    readonly step: string,
    readonly taskId: string,
    readonly attempt: number,
    private readonly log: Buffer,
    private readonly start: number,
    private readonly end: number,
    private readonly where: string,
    private readonly index: number,
    /** What the message says to do when the record does not match its entry. */
    private readonly remedy: string
  ) {}

  manifest(): TaskManifest {
    if (this.decoded !== undefined) return this.decoded
    const record = lazyRecord(this.log.toString("utf8", this.start, this.end), this.where, this.index)
    if (record.step !== this.step || record.taskId !== this.taskId || record.attempt !== this.attempt) {
      throw new IntegrityError(`artiflow: manifest record ${this.index + 1} of ${this.where} does not match its index entry: ${this.remedy}`)
    }
    this.decoded = record.manifest()
    return this.decoded
  }
}

/**
 * The records `entries` locate in `bytes`, their offsets counted from `base`; `undefined` when an entry does
 * not describe a record there. Messages name the `first + i`th record of `where`, and say `remedy` when a
 * record does not match its entry. The caller has checked `bytes` (one checksum for all of them).
 */
export const recordsFromEntries = (
  bytes: Buffer,
  base: number,
  entries: { readonly steps: unknown; readonly records: unknown },
  where: string,
  first: number,
  remedy: string
): Array<ManifestRecord> | undefined => {
  const { steps, records: fields } = entries
  if (!Array.isArray(steps) || !Array.isArray(fields) || fields.length % FIELDS !== 0) return undefined
  const records: Array<ManifestRecord> = new Array(fields.length / FIELDS)
  for (let i = 0, at = 0; at < fields.length; i++, at += FIELDS) {
    const stepNumber: unknown = fields[at]
    // Only a number picks a step: a crafted "__proto__" must not find the array's prototype.
    const step: unknown = typeof stepNumber === "number" ? steps[stepNumber] : undefined
    const taskId: unknown = fields[at + 1]
    const attempt: unknown = fields[at + 2]
    const start: unknown = fields[at + 3]
    const end: unknown = fields[at + 4]
    const valid =
      typeof step === "string" &&
      typeof taskId === "string" &&
      Number.isSafeInteger(attempt) &&
      Number.isSafeInteger(start) &&
      Number.isSafeInteger(end) &&
      (start as number) >= FRAME_BYTES &&
      (start as number) < (end as number) &&
      base + (end as number) < bytes.length
    if (!valid) return undefined
    records[i] = new IndexedRecord(
      step,
      taskId,
      attempt as number,
      bytes,
      base + (start as number),
      base + (end as number),
      where,
      first + i,
      remedy
    )
  }
  return records
}

/**
 * The records of the log `bytes` from its index, or `undefined` when the index does not cover exactly this
 * log or does not check out (then read the log record by record). `where` names the log in messages.
 */
export const indexedRecords = (bytes: Buffer, indexBytes: Buffer, where: string): ReadonlyArray<ManifestRecord> | undefined => {
  const index = parseIndex(indexBytes, where)
  if (index === undefined || crc32 === undefined || index.length !== bytes.length || crc32(bytes) !== index.crc) return undefined
  return recordsFromEntries(bytes, 0, index, where, 0, "delete the index beside the log (manifests.index), and the log is read record by record")
}
