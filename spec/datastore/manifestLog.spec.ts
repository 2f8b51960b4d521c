import * as zlib from "node:zlib"
import { describe, expect, test } from "vitest"
import { bodyCrc32, countRecords, frameRecord, parseLog, scanLog, tableCrc32 } from "../../lib/datastore/manifestLog.js"
import { IntegrityError } from "../../lib/errors.js"

const log = (...records: ReadonlyArray<string>): Buffer => Buffer.concat(records.map(frameRecord))

describe("manifest log framing", () => {
  test("records round-trip, non-ASCII text included", () => {
    const bytes = log('{"a":1}', '{"é":"ü\\n"}')
    expect(parseLog(bytes, "f")).toEqual({ records: ['{"a":1}', '{"é":"ü\\n"}'], intactLength: bytes.length })
  })

  test("the checksum is the CRC-32 of the JSON bytes", () => {
    // 0xcbf43926 is the standard CRC-32 check value (of "123456789").
    expect(frameRecord("123456789").toString()).toBe("cbf43926 123456789\n")
  })

  test("the JavaScript CRC-32 (for Node before 20.15) agrees with zlib's", () => {
    const crc = tableCrc32()
    expect(crc(Buffer.from("123456789"))).toBe(0xcbf43926)
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff))
    expect(crc(data)).toBe(zlib.crc32(data))
  })

  test("a tail cut anywhere is ignored and not counted as intact", () => {
    const whole = log('{"a":1}', '{"b":2}')
    const firstLength = frameRecord('{"a":1}').length
    for (let cut = firstLength; cut < whole.length; cut++) {
      expect(parseLog(whole.subarray(0, cut), "f")).toEqual({ records: ['{"a":1}'], intactLength: firstLength })
    }
  })

  test("a bad last line is torn; a bad line before others is corruption naming its number", () => {
    const bad = Buffer.from('00000000 {"x":1}\n')
    expect(parseLog(Buffer.concat([log("{}"), bad]), "f").records).toEqual(["{}"])
    const corrupt = Buffer.concat([log("{}"), bad, log("{}")])
    expect(() => parseLog(corrupt, "/x/manifests.jsonl")).toThrow(IntegrityError)
    expect(() => parseLog(corrupt, "/x/manifests.jsonl")).toThrow(
      "manifest log /x/manifests.jsonl is corrupt at record 2"
    )
  })

  test("lines that are not framed at all are corruption too", () => {
    expect(() => parseLog(Buffer.from('{"a":1}\n{"b":2}\n'), "f")).toThrow(/record 1/)
  })

  test("scanLog visits each record with its number, from an offset and a first number", () => {
    const head = frameRecord('{"h":0}')
    const bytes = Buffer.concat([head, log('{"a":1}', '{"b":2}')])
    const seen: Array<[string, number]> = []
    expect(scanLog(bytes, "f", (text, index) => seen.push([text, index]), { from: head.length, firstIndex: 1 })).toBe(bytes.length)
    expect(seen).toEqual([['{"a":1}', 1], ['{"b":2}', 2]])
  })

  test("verified bytes are split without checking each record's checksum, but framing is still checked", () => {
    // A wrong checksum passes: the caller checked these bytes as a whole.
    const unchecked = Buffer.from('00000000 {"x":1}\nffffffff {"y":2}\n')
    const texts: Array<string> = []
    expect(scanLog(unchecked, "f", (text) => texts.push(text), { verified: true })).toBe(unchecked.length)
    expect(texts).toEqual(['{"x":1}', '{"y":2}'])
    // Unframed lines are corruption, the last one included (verified bytes have no torn tail).
    expect(() => scanLog(Buffer.from('00000000 {}\n{"y":2}\n'), "/p", () => {}, { verified: true })).toThrow(
      "manifest log /p is corrupt at record 2"
    )
    expect(() => scanLog(Buffer.from("00000000 {}\nshort\n"), "/p", () => {}, { verified: true, firstIndex: 4 })).toThrow(
      "manifest log /p is corrupt at record 6"
    )
  })

  test("countRecords counts whole records; bodyCrc32 is zlib's CRC-32 of the bytes from an offset", () => {
    const bytes = log('{"a":1}', '{"b":2}', '{"c":3}')
    expect(countRecords(bytes, bytes.length)).toBe(3)
    expect(countRecords(bytes, frameRecord('{"a":1}').length)).toBe(1)
    expect(countRecords(bytes, 0)).toBe(0)
    expect(bodyCrc32(bytes, 5)).toBe(zlib.crc32(bytes.subarray(5)))
    expect(bodyCrc32(bytes)).toBe(zlib.crc32(bytes))
  })
})
