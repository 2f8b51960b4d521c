import { describe, expect, test } from "vitest"
import { decode } from "../../lib/codec/decode.js"
import { BINARY_BLOB_THRESHOLD } from "../../lib/codec/Encoded.js"
import { sha256Hex } from "../../lib/codec/hash.js"
import { decoded, encoded, roundTrip, text } from "./helpers.js"

const LARGE = BINARY_BLOB_THRESHOLD / 8 // Float64 elements in exactly the threshold

const ramp = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i * 1.5)

const bytesOf = (value: ArrayBuffer | ArrayBufferView): Buffer =>
  value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength)

/** Same class and same bytes: element-wise deep equality is far too slow for megabytes. */
const expectSameBinary = (actual: unknown, expected: ArrayBuffer | ArrayBufferView): void => {
  expect(Object.getPrototypeOf(actual)).toBe(Object.getPrototypeOf(expected))
  expect(bytesOf(actual as ArrayBufferView).equals(bytesOf(expected))).toBe(true)
}

describe("raw encoding: large top-level binary values", () => {
  test.each([
    ["Float64Array", ramp(LARGE)],
    ["Int32Array", new Int32Array(LARGE * 2).fill(-7)],
    ["BigUint64Array", new BigUint64Array(LARGE).fill(2n ** 63n)],
    ["Uint8Array", new Uint8Array(BINARY_BLOB_THRESHOLD).fill(9)],
    ["Buffer", Buffer.alloc(BINARY_BLOB_THRESHOLD, 1)],
    ["ArrayBuffer", new ArrayBuffer(BINARY_BLOB_THRESHOLD)],
    ["DataView", new DataView(new ArrayBuffer(BINARY_BLOB_THRESHOLD))]
  ])("%s is stored as its own bytes and comes back as the same class", (type, value) => {
    const result = encoded(value)
    expect(result).toMatchObject({ encoding: "raw", type, attachments: [] })
    expect(result.bytes.byteLength).toBe(value.byteLength)
    expectSameBinary(roundTrip(value), value)
  })

  test("encoding copies nothing: the bytes are a view over the value's memory", () => {
    const value = ramp(LARGE)
    const { bytes } = encoded(value)
    expect(bytes.buffer).toBe(value.buffer)
  })

  test("a window on a larger buffer stores only the window", () => {
    const big = ramp(LARGE * 2)
    const window = big.subarray(LARGE / 2, LARGE / 2 + LARGE)
    const result = encoded(window)
    expect(result.bytes.byteLength).toBe(BINARY_BLOB_THRESHOLD)
    expectSameBinary(roundTrip(window), window)
  })

  test("decoding aligned bytes shares their memory; unaligned bytes are copied into an aligned buffer", () => {
    const source = new Uint8Array(BINARY_BLOB_THRESHOLD + 8)
    const aligned = source.subarray(8)
    const sharing = decode("raw", "Float64Array", aligned, [])
    expect(sharing._tag === "Right" && (sharing.right as Float64Array).buffer).toBe(source.buffer)
    const unaligned = new Uint8Array(BINARY_BLOB_THRESHOLD + 1).subarray(1)
    const copied = decode("raw", "Float64Array", unaligned, [])
    expect(copied._tag === "Right" && (copied.right as Float64Array).length).toBe(LARGE)
  })

  test("bytes that are not whole elements, or an unknown class, fail to decode", () => {
    expect(decode("raw", "Float64Array", new Uint8Array(12), [])._tag).toBe("Left")
    expect(decode("raw", "Float128Array", new Uint8Array(16), [])._tag).toBe("Left")
  })

  test("just below the threshold stays inside the text (seroval, base64)", () => {
    expect(encoded(new Uint8Array(BINARY_BLOB_THRESHOLD - 1)).encoding).toBe("seroval")
  })

  test("a typed array of more than 1e6 elements (seroval's limit) is raw", () => {
    const value = new Uint8Array(1_000_001).fill(3)
    expect(encoded(value).encoding).toBe("raw")
    expectSameBinary(roundTrip(value), value)
  })
})

describe("attachments: large binary values nested in structured values", () => {
  test("a nested large typed array becomes an attachment and round-trips", () => {
    const weights = ramp(1_000_000)
    const value = { weights, name: "model" }
    const result = encoded(value)
    expect(result.encoding).toBe("seroval")
    expect(result.attachments).toHaveLength(1)
    expect(result.attachments[0]?.bytes.buffer).toBe(weights.buffer)
    expect(result.attachments[0]?.hash).toBe(sha256Hex(new Uint8Array(weights.buffer)))
    expect(result.bytes.byteLength).toBeLessThan(1000)
    const back = decoded(result) as typeof value
    expect(back.name).toBe("model")
    expectSameBinary(back.weights, weights)
  })

  test("several kinds, shared ones stored once and decoded shared", () => {
    const shared = new Int16Array(LARGE * 4).fill(5)
    const value = {
      a: shared,
      b: [shared],
      buffer: Buffer.alloc(BINARY_BLOB_THRESHOLD, 2),
      raw: new ArrayBuffer(BINARY_BLOB_THRESHOLD),
      view: new DataView(new ArrayBuffer(BINARY_BLOB_THRESHOLD)),
      byKey: new Map([["w", ramp(LARGE)]])
    }
    const result = encoded(value)
    expect(result.attachments).toHaveLength(5)
    const back = decoded(result) as typeof value
    expectSameBinary(back.a, value.a)
    expectSameBinary(back.buffer, value.buffer)
    expectSameBinary(back.raw, value.raw)
    expectSameBinary(back.view, value.view)
    expectSameBinary(back.byKey.get("w"), value.byKey.get("w") as Float64Array)
    expect(back.b[0]).toBe(back.a)
  })

  test("the main bytes name each attachment's hash, so they change when an attachment changes", () => {
    const one = encoded({ w: ramp(LARGE) })
    const changed = ramp(LARGE)
    changed[7] = -1
    const two = encoded({ w: changed })
    expect(text(one)).toContain(one.attachments[0]?.hash)
    expect(sha256Hex(one.bytes)).not.toBe(sha256Hex(two.bytes))
  })

  test("a wrong, short or missing attachment fails to decode", () => {
    const result = encoded({ w: ramp(LARGE) })
    const wrong = new Uint8Array(BINARY_BLOB_THRESHOLD).fill(1)
    expect(decode("seroval", "object", result.bytes, [wrong])._tag).toBe("Left")
    expect(decode("seroval", "object", result.bytes, [wrong.subarray(8)])._tag).toBe("Left")
    expect(decode("seroval", "object", result.bytes, [])._tag).toBe("Left")
    const claimed = decode("seroval", "object", result.bytes, [wrong], { attachmentHashes: ["0".repeat(64)] })
    expect(claimed._tag).toBe("Left")
  })

  test("attachments share memory with the bytes given to decode when aligned", () => {
    const result = encoded({ w: ramp(LARGE) })
    const attachment = new Uint8Array(result.attachments[0]?.bytes ?? [])
    const back = decode("seroval", "object", result.bytes, [attachment])
    expect(back._tag === "Right" && (back.right as { w: Float64Array }).w.buffer).toBe(attachment.buffer)
  })
})
