import { describe, expect, test } from "vitest"
import { contentHash } from "../../lib/codec/encode.js"
import { sha256Hex } from "../../lib/codec/hash.js"
import { encoded, roundTrip, text } from "./helpers.js"

const hashOf = (value: unknown): string => sha256Hex(encoded(value).bytes)

describe("canonical bytes: object key order never matters", () => {
  test("json: key order at every depth, arrays of objects included", () => {
    const a = { b: 1, a: { d: [{ y: 1, x: 2 }], c: 2 } }
    const b = { a: { c: 2, d: [{ x: 2, y: 1 }] }, b: 1 }
    expect(encoded(a).encoding).toBe("json")
    expect(text(encoded(a))).toBe('{"a":{"c":2,"d":[{"x":2,"y":1}]},"b":1}')
    expect(text(encoded(b))).toBe(text(encoded(a)))
    expect(hashOf(a)).toBe(hashOf(b))
  })

  test("json: index keys sort by value before other keys", () => {
    expect(text(encoded({ b: 1, 10: 2, 9: 3, a: 4 }))).toBe('{"9":3,"10":2,"a":4,"b":1}')
  })

  test("json: values with many distinct keys (the copying path) are canonical too", () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`)
    const forward = Object.fromEntries(keys.map((k) => [k, { z: 1, a: k }]))
    const backward = Object.fromEntries([...keys].reverse().map((k) => [k, { a: k, z: 1 }]))
    expect(hashOf(forward)).toBe(hashOf(backward))
    expect(roundTrip(backward)).toStrictEqual(forward)
  })

  test("json: an own '__proto__' key is kept as data, in sorted order", () => {
    const value = JSON.parse('{"z":1,"__proto__":{"polluted":true},"a":2}') as object
    const bytes = text(encoded(value))
    expect(bytes).toBe('{"__proto__":{"polluted":true},"a":2,"z":1}')
    expect(Object.getPrototypeOf(roundTrip(value))).toBe(Object.prototype)
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
  })

  test("seroval: key order inside Map values, arrays, Sets and errors is ignored", () => {
    const make = (flip: boolean) => {
      const obj = (x: number) => (flip ? { b: x, a: -0 } : { a: -0, b: x })
      const error = Object.assign(new Error("e"), flip ? { q: 1, p: obj(4) } : { p: obj(4), q: 1 })
      return { m: new Map([["k", obj(1)]]), list: [obj(2)], set: new Set([obj(3)]), error, when: new Date(0) }
    }
    expect(encoded(make(false)).encoding).toBe("seroval")
    expect(hashOf(make(false))).toBe(hashOf(make(true)))
  })

  test("seroval: shared references are numbered the same whatever the key order", () => {
    const shared = { v: 1n }
    expect(hashOf({ a: shared, b: shared })).toBe(hashOf({ b: shared, a: shared }))
  })

  test("seroval: frozen and unfrozen copies of a value hash the same", () => {
    const value = () => ({ at: new Date(0), list: [{ n: 1n }] })
    const frozen = value()
    Object.freeze(frozen.list[0])
    Object.freeze(frozen.list)
    Object.freeze(frozen)
    expect(hashOf(frozen)).toBe(hashOf(value()))
  })

  test("different values hash differently", () => {
    expect(hashOf({ a: 1 })).not.toBe(hashOf({ a: 2 }))
    expect(
      hashOf(
        new Map([
          [1, 2],
          [3, 4]
        ])
      )
    ).not.toBe(
      hashOf(
        new Map([
          [3, 4],
          [1, 2]
        ])
      )
    )
    expect(hashOf(0)).not.toBe(hashOf(-0))
  })

  test("a class instance and the plain object it is stored as have the same bytes", () => {
    class P {
      constructor(
        readonly y: number,
        readonly x: bigint
      ) {}
    }
    expect(hashOf(new P(1, 2n))).toBe(hashOf({ x: 2n, y: 1 }))
  })

  test("contentHash is the sha256 of the canonical encoding, or the NotStorable failure", () => {
    expect(contentHash({ b: [1n], a: 1 })).toEqual({ _tag: "Right", right: hashOf({ a: 1, b: [1n] }) })
    expect(contentHash({ f: () => 1 })).toEqual({
      _tag: "Left",
      left: { _tag: "NotStorable", what: "a function", path: "f" }
    })
  })
})
