import { serialize } from "seroval"
import { afterEach, describe, expect, test } from "vitest"
import { decode } from "../../lib/codec/decode.js"
import { encoded, roundTrip } from "./helpers.js"

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const globals = globalThis as { pwned?: unknown }

afterEach(() => {
  delete globals.pwned
})

describe("decoding never runs stored code", () => {
  test("seroval's eval-style output fed as stored bytes is rejected, not run", () => {
    const script = serialize({ a: 1 }).replace("{", "(globalThis.pwned = 1, {")
    for (const encoding of ["seroval", "json"]) {
      expect(decode(encoding, "object", bytes(script), [])._tag).toBe("Left")
    }
    expect(decode("seroval", "object", bytes(serialize(new Map([[1, 2]]))), [])._tag).toBe("Left")
    expect(globals.pwned).toBeUndefined()
  })

  test("a seroval tree cannot smuggle code through strings", () => {
    const tree = { t: { t: 1, s: "globalThis.pwned = 1" }, f: 123, m: [] }
    const result = decode("seroval", "string", bytes(JSON.stringify(tree)), [])
    expect(result).toEqual({ _tag: "Right", right: "globalThis.pwned = 1" })
    expect(globals.pwned).toBeUndefined()
  })

  test("an unknown encoding is a failure", () => {
    expect(decode("eval", "object", bytes("1"), [])).toMatchObject({ _tag: "Left", left: { _tag: "DecodeFailure" } })
  })

  test("garbage is a failure, not an exception", () => {
    for (const encoding of ["json", "seroval"]) {
      expect(decode(encoding, "object", bytes('{"t":'), [])._tag).toBe("Left")
    }
    expect(decode("seroval", "object", bytes('{"t":{"t":999},"f":1,"m":[]}'), [])._tag).toBe("Left")
    expect(decode("seroval", "object", bytes("[1,2]"), [])._tag).toBe("Left")
  })
})

describe("stored keys never change a prototype", () => {
  const notPolluted = (): void => {
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty("polluted")
  }

  test("json payload with __proto__ and constructor keys", () => {
    const payload = '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"a":{"__proto__":[]}}'
    const result = decode("json", "object", bytes(payload), [])
    if (result._tag === "Left") throw new Error("expected to decode")
    const value = result.right as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.hasOwn(value, "__proto__")).toBe(true)
    expect(Array.isArray(value.a)).toBe(false)
    notPolluted()
  })

  test("seroval payload with __proto__, constructor and prototype keys", () => {
    const polluter = { t: 10, i: 1, p: { k: ["polluted"], v: [{ t: 0, s: 1 }] }, o: 0 }
    const tree = {
      t: {
        t: 10,
        i: 0,
        p: { k: ["__proto__", "constructor", "prototype"], v: [polluter, { t: 4, i: 1 }, { t: 4, i: 1 }] },
        o: 0
      },
      f: 123,
      m: [1]
    }
    const result = decode("seroval", "object", bytes(JSON.stringify(tree)), [])
    if (result._tag === "Left") throw new Error(`expected to decode: ${result.left.reason}`)
    expect(Object.getPrototypeOf(result.right)).toBe(Object.prototype)
    expect(Object.hasOwn(result.right as object, "__proto__")).toBe(true)
    notPolluted()
  })

  test("a value with own __proto__ and constructor keys round-trips as data (seroval path)", () => {
    const value = JSON.parse('{"__proto__":{"x":1},"constructor":"c","when":null}') as Record<string, unknown>
    value.when = new Date(0)
    expect(encoded(value).encoding).toBe("seroval")
    const back = roundTrip(value)
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value).toStrictEqual({ x: 1 })
    expect(back.constructor).toBe("c")
    notPolluted()
  })

  test("a plugin placeholder with hostile fields fails cleanly", () => {
    const tree = { t: { t: 25, i: 0, s: { index: { t: 1, s: "__proto__" } }, c: "artiflow/attachment" }, f: 123, m: [] }
    expect(decode("seroval", "Float64Array", bytes(JSON.stringify(tree)), [])._tag).toBe("Left")
    notPolluted()
  })
})
