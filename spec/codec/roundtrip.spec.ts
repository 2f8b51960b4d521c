import { describe, expect, test } from "vitest"
import { encoded, roundTrip } from "./helpers.js"

describe("json encoding: plain data", () => {
  test.each([
    ["null", null],
    ["true", true],
    ["a number", 1.5],
    ["a string with a lone surrogate", "a\ud800b"],
    ["an array", [1, "two", [3], { four: 4 }]],
    ["an object", { id: 1, name: "x", tags: ["a"], nested: { deep: { deeper: [null] } } }],
    ["an empty object", {}],
    ["an object with index keys", { 10: "ten", 9: "nine", b: 1, a: 2 }]
  ])("%s round-trips exactly through json", (_, value) => {
    const result = encoded(value)
    expect(result.encoding).toBe("json")
    expect(roundTrip(value)).toStrictEqual(value)
  })

  test("records the runtime type", () => {
    expect(encoded([1]).type).toBe("Array")
    expect(encoded({ a: 1 }).type).toBe("object")
    expect(encoded("s").type).toBe("string")
    expect(encoded(null).type).toBe("null")
  })

  test("frozen values (as immer leaves them) take the fast path too", () => {
    const value = Object.freeze({ a: Object.freeze([1, 2]) })
    expect(encoded(value).encoding).toBe("json")
    expect(roundTrip(value)).toStrictEqual({ a: [1, 2] })
  })
})

describe("seroval encoding: everything else that is storable", () => {
  test.each([
    ["undefined", undefined],
    ["-0", -0],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["a bigint", 12345678901234567890123456789n],
    ["a negative bigint", -5n],
    ["an object with an undefined value", { a: undefined, b: 1 }],
    ["an array holding undefined", [undefined, 1]],
    ["a Date", new Date("2024-05-01T12:34:56.789Z")],
    ["an invalid Date", new Date(Number.NaN)],
    ["a RegExp", /a+(b)?\//giu],
    ["a nested Map", new Map<unknown, unknown>([["k", new Map([[1, { x: 2n }]])]])],
    ["a Set", new Set([1, "1", { one: 1 }])],
    ["a URL", new URL("https://example.com/a?b=c#d")],
    ["a small Float64Array", new Float64Array([1.5, -0, Number.NaN, Number.POSITIVE_INFINITY])],
    ["a small BigInt64Array", new BigInt64Array([1n, -2n])],
    ["a small Uint8ClampedArray", new Uint8ClampedArray([0, 255])],
    ["a small ArrayBuffer", new Uint8Array([1, 2, 3]).buffer],
    ["a small Buffer", Buffer.from("héllo")],
    ["a boxed number", Object(1) as unknown],
    ["a null-prototype object", Object.assign(Object.create(null) as object, { a: 1 })],
    ["nested Map, Set, Date and bigint", { at: new Date(0), seen: new Set([new Map([[1n, [new Date(1)]]])]) }]
  ])("%s round-trips exactly", (_, value) => {
    const result = encoded(value)
    expect(result.encoding).toBe("seroval")
    expect(roundTrip(value)).toStrictEqual(value)
  })

  test("-0 keeps its sign, nested too", () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true)
    expect(Object.is(roundTrip({ a: [-0] }).a[0], -0)).toBe(true)
  })

  test("sparse arrays keep their holes and length", () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3, , ,]
    const back = roundTrip(sparse)
    expect(back).toHaveLength(5)
    expect(1 in back).toBe(false)
    expect(3 in back).toBe(false)
    expect(back).toStrictEqual(sparse)
  })

  test("a small DataView keeps its bytes", () => {
    const view = new DataView(new ArrayBuffer(8))
    view.setFloat64(0, Math.PI)
    const back = roundTrip(view)
    expect(back).toBeInstanceOf(DataView)
    expect(back.getFloat64(0)).toBe(Math.PI)
  })

  test("a typed array that is a window on a larger buffer stores only its window", () => {
    const window = new Float64Array([1, 2, 3, 4]).subarray(1, 3)
    const back = roundTrip(window)
    expect(back).toStrictEqual(new Float64Array([2, 3]))
    expect(back.buffer.byteLength).toBe(16)
  })

  test("Map and Set keep their insertion order", () => {
    const map = roundTrip(
      new Map([
        ["z", 1],
        ["a", 2]
      ])
    )
    expect([...map.keys()]).toEqual(["z", "a"])
    expect([...roundTrip(new Set([3, 1, 2]))]).toEqual([3, 1, 2])
  })

  test("cycles are rebuilt", () => {
    const node: { name: string; self?: unknown; list: Array<unknown> } = { name: "n", list: [] }
    node.self = node
    node.list.push(node)
    const back = roundTrip(node)
    expect(back.self).toBe(back)
    expect(back.list[0]).toBe(back)
  })

  test("shared references stay shared, in objects, arrays, Maps and Sets", () => {
    const shared = { k: [1] }
    const back = roundTrip({ a: shared, b: [shared], c: new Map([[shared, shared]]), d: new Set([shared]) })
    expect(back.b[0]).toBe(back.a)
    expect([...back.c.keys()][0]).toBe(back.a)
    expect([...back.c.values()][0]).toBe(back.a)
    expect([...back.d][0]).toBe(back.a)
    expect(back.a).toStrictEqual({ k: [1] })
  })

  test("errors keep class, message, name and extra fields, and drop the stack", () => {
    const error = Object.assign(new TypeError("bad input"), { code: "E_BAD", details: { field: "x" } })
    const back = roundTrip(error)
    expect(back).toBeInstanceOf(TypeError)
    expect(back.message).toBe("bad input")
    expect(back.code).toBe("E_BAD")
    expect(back.details).toStrictEqual({ field: "x" })
    expect(back.stack ?? "").not.toContain("roundtrip.spec")
    expect(new TextDecoder().decode(encoded(error).bytes)).not.toContain("roundtrip.spec")
  })

  test("a custom error class comes back as an Error carrying its name", () => {
    class QuotaError extends Error {
      override name = "QuotaError"
    }
    const back = roundTrip(new QuotaError("over"))
    expect(back).toBeInstanceOf(Error)
    expect(back.name).toBe("QuotaError")
    expect(back.message).toBe("over")
  })

  test("an error's cause round-trips", () => {
    const back = roundTrip(new Error("outer", { cause: new RangeError("inner") }))
    expect(back.cause).toBeInstanceOf(RangeError)
    expect((back.cause as Error).message).toBe("inner")
  })

  test("AggregateError keeps its errors", () => {
    const back = roundTrip(new AggregateError([new Error("a"), new Error("b")], "two"))
    expect(back).toBeInstanceOf(AggregateError)
    expect(back.errors.map((e: Error) => e.message)).toEqual(["a", "b"])
  })

  test("data-only class instances come back as plain objects, recorded under their class name", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number
      ) {}
    }
    const value = { origin: new Point(0, 1) }
    expect(encoded(new Point(1, 2)).type).toBe("Point")
    const back = roundTrip(value)
    expect(Object.getPrototypeOf(back.origin)).toBe(Object.prototype)
    expect(back.origin).toStrictEqual({ x: 0, y: 1 })
  })

  test("a bigint of 10000 digits round-trips", () => {
    const big = BigInt("9".repeat(10_000))
    expect(roundTrip(big)).toBe(big)
  })

  test("values nested 1000 levels deep round-trip", () => {
    let deep: unknown = new Map()
    for (let i = 0; i < 999; i++) deep = [deep]
    let back = roundTrip(deep)
    for (let i = 0; i < 999; i++) back = (back as Array<unknown>)[0]
    expect(back).toBeInstanceOf(Map)
  })
})
