/**
 * Manifest packs (lib/datastore/manifestPack.ts): the header's body checksum checks a pack in one call,
 * packs written before it existed are still read and checked record by record, and every kind of damage is
 * an IntegrityError naming the object.
 */
import * as zlib from "node:zlib"
import { describe, expect, test } from "vitest"
import { frameRecord } from "../../lib/datastore/manifestLog.js"
import type { ManifestRecord } from "../../lib/datastore/Datastore.js"
import { recordsFromEntries } from "../../lib/datastore/logIndex.js"
import type { IndexEntries } from "../../lib/datastore/logIndex.js"
import { encodePack, readPack } from "../../lib/datastore/manifestPack.js"
import { encodeManifest, lazyRecord } from "../../lib/datastore/records.js"
import { manifest } from "./contract/fixtures.js"
import { IntegrityError } from "../../lib/errors.js"

const WHERE = "s3://bucket/runs/Train/r1/manifests/pack-1.jsonl"
const texts = ['{"step":"a","taskId":"0","attempt":0,"x":1}', '{"step":"a","taskId":"1","attempt":0,"é":"ü"}', "{}"]

const read = (bytes: Buffer): { header: unknown; texts: Array<string> } => {
  const seen: Array<string> = []
  const header = readPack(bytes, WHERE, (text) => seen.push(text))
  return { header, texts: seen }
}

/** A pack as written before headers carried `bodyCrc32`. */
const oldPack = (records: ReadonlyArray<string>): Buffer =>
  Buffer.concat([frameRecord(JSON.stringify({ artiflowPack: 1, commits: ["c1.jsonl"] })), ...records.map((text) => frameRecord(text))])

/** `bytes` with the byte at `offset` changed. */
const flipped = (bytes: Buffer, offset: number): Buffer => {
  const copy = Buffer.from(bytes)
  copy[offset] = (copy[offset] as number) ^ 0x01
  return copy
}

describe("manifest packs", () => {
  test("a pack's header lists its commits and the CRC-32 of everything after it; its records read back in order", () => {
    const bytes = encodePack(["c1.jsonl", "c2.jsonl"], texts)
    const headerLength = bytes.indexOf(0x0a) + 1
    const header = JSON.parse(bytes.toString("utf8", 9, headerLength - 1)) as { commits: unknown; bodyCrc32: unknown }
    expect(header).toEqual({ artiflowPack: 1, commits: ["c1.jsonl", "c2.jsonl"], bodyCrc32: zlib.crc32(bytes.subarray(headerLength)) })
    expect(read(bytes)).toEqual({ header, texts })
    // A record that is not a task manifest ("{}") leaves the pack without an index: it is read record by record.
    expect(read(encodePack([], []))).toEqual({ header: { artiflowPack: 1, commits: [], bodyCrc32: 0, index: { steps: [], records: [] } }, texts: [] })
  })

  test("a body that does not match the header's checksum is an IntegrityError naming the object", () => {
    const bytes = encodePack(["c1.jsonl"], texts)
    // A flipped bit inside a record's JSON whose own checksum is also made right: only the body checksum sees it.
    const start = bytes.indexOf(0x0a) + 1
    const forged = Buffer.concat([bytes.subarray(0, start), frameRecord((texts[0] as string).replace('"x":1', '"x":2')), bytes.subarray(start + frameRecord((texts[0] as string)).length)])
    for (const damaged of [forged, flipped(bytes, bytes.length - 3), bytes.subarray(0, bytes.length - 1), Buffer.concat([bytes, frameRecord("{}")])]) {
      expect(() => read(damaged)).toThrow(IntegrityError)
      expect(() => read(damaged)).toThrow(`manifest pack ${WHERE} is corrupt: its records do not match the checksum in its header`)
    }
  })

  test("packs written before the body checksum are read, and checked record by record", () => {
    const bytes = oldPack(texts)
    expect(read(bytes)).toEqual({ header: { artiflowPack: 1, commits: ["c1.jsonl"] }, texts })
    // The second record's JSON changed without its checksum: corrupt at record 3 (the header is record 1).
    const second = bytes.indexOf('"taskId":"1"')
    expect(() => read(flipped(bytes, second + 11))).toThrow(`manifest log ${WHERE} is corrupt at record 3`)
    // A damaged last record, or one cut short, is damage too: an object is stored whole.
    expect(() => read(flipped(bytes, bytes.length - 2))).toThrow(`manifest object ${WHERE} is corrupt after record 3`)
    expect(() => read(bytes.subarray(0, bytes.length - 1))).toThrow(`manifest object ${WHERE} is corrupt after record 3`)
  })

  test("a pack without a valid header is an IntegrityError naming the object", () => {
    const good = encodePack(["c1.jsonl"], texts)
    const headers = [
      Buffer.alloc(0),
      Buffer.from('{"artiflowPack":1,"commits":[]}'),
      flipped(good, 20),
      frameRecord("not json"),
      frameRecord(JSON.stringify({ artiflowPack: 2, commits: [] })),
      frameRecord(JSON.stringify({ artiflowPack: 1, commits: [1] })),
      frameRecord(JSON.stringify({ artiflowPack: 1, commits: [], bodyCrc32: -1 })),
      frameRecord(JSON.stringify({ artiflowPack: 1, commits: [], bodyCrc32: 2 ** 32 })),
      frameRecord(JSON.stringify({ artiflowPack: 1, commits: [], bodyCrc32: "0" }))
    ]
    for (const bytes of headers) {
      expect(() => read(bytes)).toThrow(IntegrityError)
      expect(() => read(bytes)).toThrow(`manifest pack ${WHERE} has no valid header`)
    }
  })

  describe("a pack's index", () => {
    const manifests = [
      manifest("start"),
      manifest("work", "0", 0, { artifacts: { "é": { hash: "c".repeat(64), size: 1, type: "string", encoding: "json", inline: '"ü"' } } }),
      manifest("work", "1"),
      manifest("work", "1", 1),
      manifest('odd "step"', "2")
    ]
    const packTexts = manifests.map(encodeManifest)
    const seen = (records: ReadonlyArray<ManifestRecord>) =>
      records.map((record) => ({ step: record.step, taskId: record.taskId, attempt: record.attempt, manifest: record.manifest() }))
    /** Reads `bytes` through its index when it can: the records, and whether they came from the index. */
    const readIndexed = (bytes: Buffer): { records: Array<ManifestRecord>; indexed: boolean } => {
      const records: Array<ManifestRecord> = []
      let indexed = false
      readPack(
        bytes,
        WHERE,
        (text) => records.push(lazyRecord(text, WHERE, records.length)),
        (all, base, index) => {
          const taken = recordsFromEntries(all, base, index, WHERE, 0, "restore it")
          if (taken === undefined) return false
          indexed = true
          records.push(...taken)
          return true
        }
      )
      return { records, indexed }
    }
    /** `bytes` with its header's index replaced (the header is rewritten whole, with a right checksum). */
    const withIndex = (bytes: Buffer, change: (index: IndexEntries) => unknown): Buffer => {
      const end = bytes.indexOf(0x0a)
      const header = JSON.parse(bytes.toString("utf8", 9, end)) as { index: IndexEntries }
      return Buffer.concat([frameRecord(JSON.stringify({ ...header, index: change(header.index) })), bytes.subarray(end + 1)])
    }

    test("gives the records reading them one by one gives, non-ASCII and escaped names included", () => {
      const bytes = encodePack(["c1.jsonl"], packTexts)
      const viaIndex = readIndexed(bytes)
      expect(viaIndex.indexed).toBe(true)
      expect(seen(viaIndex.records)).toEqual(seen(read(bytes).texts.map((text, i) => lazyRecord(text, WHERE, i))))
    })

    test("an index that does not describe the body, or a pack not checked whole, is read record by record", () => {
      const bytes = encodePack(["c1.jsonl"], packTexts)
      const shifted = withIndex(bytes, (index) => ({ ...index, records: [...index.records.slice(0, 4), 10 ** 9, ...index.records.slice(5)] }))
      for (const changed of [shifted, withIndex(bytes, () => "not an index"), withIndex(bytes, (index) => ({ steps: index.steps }))]) {
        const result = readIndexed(changed)
        expect(result.indexed).toBe(false)
        expect(seen(result.records)).toEqual(seen(readIndexed(bytes).records))
      }
      // Without `bodyCrc32` the records' own checksums must be checked: the index is not used.
      const unchecked = withIndex(bytes, (index) => index)
      const header = JSON.parse(unchecked.toString("utf8", 9, unchecked.indexOf(0x0a))) as Record<string, unknown>
      delete header.bodyCrc32
      const old = Buffer.concat([frameRecord(JSON.stringify(header)), unchecked.subarray(unchecked.indexOf(0x0a) + 1)])
      expect(readIndexed(old).indexed).toBe(false)
    })

    test("an entry that does not match its record is an IntegrityError when the record is used", () => {
      const bytes = withIndex(encodePack(["c1.jsonl"], packTexts), (index) => ({ ...index, records: index.records.map((field, i) => (i === 6 ? "7" : field)) }))
      const { records, indexed } = readIndexed(bytes)
      expect(indexed).toBe(true)
      expect(records[1]?.taskId).toBe("7")
      expect(() => records[1]?.manifest()).toThrow(`manifest record 2 of ${WHERE} does not match its index entry: restore it`)
    })
  })
})
