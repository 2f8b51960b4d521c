/**
 * The exact comparer and the near-miss generator are the oracles of the codec properties: if the comparer
 * called different values equal, or the properties could not tell a lossy codec from this one, they would
 * pass whatever the codec did. These tests pin both down.
 */
import { createHash } from "node:crypto"
import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { storableShape } from "./arbitraries.js"
import { difference, same } from "./equality.js"
import { mutate } from "./mutate.js"
import { build, nodesOf } from "./shape.js"

const cyclic = (): object => {
  const node: Record<string, unknown> = { name: "n" }
  node.self = node
  return node
}

describe("the exact comparer", () => {
  test.each([
    ["-0 and 0", -0, 0],
    ["NaN and 0", Number.NaN, 0],
    ["1 and 1n", 1, 1n],
    ["null and undefined", null, undefined],
    // eslint-disable-next-line no-sparse-arrays
    ["a hole and an undefined element", [1, , 3], [1, undefined, 3]],
    ["arrays of different lengths", new Array(3), new Array(2)],
    [
      "Map entries in another order",
      new Map([
        [1, "a"],
        [2, "b"]
      ]),
      new Map([
        [2, "b"],
        [1, "a"]
      ])
    ],
    ["Set members in another order", new Set([1, 2]), new Set([2, 1])],
    ["Int8Array and Uint8Array with the same bytes", new Int8Array([1]), new Uint8Array([1])],
    ["a Buffer and a Uint8Array with the same bytes", Buffer.from([1]), new Uint8Array([1])],
    [
      "Float64Arrays holding NaNs with different payloads",
      new Float64Array(new BigUint64Array([0x7ff8000000000001n]).buffer),
      new Float64Array([Number.NaN])
    ],
    ["different Dates", new Date(0), new Date(1)],
    ["an invalid Date and a valid one", new Date(Number.NaN), new Date(0)],
    ["a plain object and a null-prototype one", {}, Object.create(null)],
    ["an own __proto__ key and none", JSON.parse('{"__proto__":1}'), {}],
    ["a getter and a data property", Object.defineProperty({}, "x", { get: () => 1, enumerable: true }), { x: 1 }],
    ["TypeError and Error", new TypeError("m"), new Error("m")],
    ["errors with different messages", new Error("a"), new Error("b")],
    [
      "a shared object and two equal copies",
      (() => {
        const s = { v: 1 }
        return [s, s]
      })(),
      [{ v: 1 }, { v: 1 }]
    ],
    ["a cycle and its one-step unrolling", cyclic(), { name: "n", self: { name: "n", self: cyclic() } }],
    ["boxed -0 and boxed 0", Object(-0), Object(0)],
    ["RegExps with different flags", /a/g, /a/]
  ])("tells apart %s", (_, a, b) => {
    expect(difference(a, b)).toBeDefined()
    expect(difference(b, a)).toBeDefined()
  })

  test.each([
    ["objects with keys in another order", { a: 1, b: [2] }, { b: [2], a: 1 }],
    ["a frozen object and an unfrozen one", Object.freeze({ a: Object.freeze([1]) }), { a: [1] }],
    [
      "a typed array window and a compact copy",
      new Float64Array([0, 1, 2, 0]).subarray(1, 3),
      new Float64Array([1, 2])
    ],
    ["two cycles of the same shape", cyclic(), cyclic()],
    ["errors with different stacks", new Error("m"), (() => new Error("m"))()]
  ])("equates %s", (_, a, b) => {
    expect(difference(a, b)).toBeUndefined()
  })

  test("names the place of the first difference", () => {
    expect(difference({ list: [new Map([["k", { n: -0 }]])] }, { list: [new Map([["k", { n: 0 }]])] })).toBe(
      '["list"][0]<Map value 0>["n"]: -0 is not 0'
    )
  })
})

describe("the near-miss property has teeth", () => {
  /** A content hash that loses information the way a naive codec would (JSON drops -0, holes, Map contents...). */
  const lossyHash = (value: unknown): string => {
    let text: string
    try {
      text = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? "undefined"
    } catch {
      text = "cyclic"
    }
    return createHash("sha256").update(text).digest("hex")
  }

  test("it refutes a lossy hash (so passing it with the real codec means something)", () => {
    const result = fc.check(
      fc.property(storableShape(), fc.nat(), fc.nat(), (shape, at, choice) => {
        const a = build(shape)
        const b = build(mutate(shape, nodesOf(shape).length, at, choice))
        return same(a, b) === (lossyHash(a) === lossyHash(b))
      }),
      { seed: 42, numRuns: 200 }
    )
    expect(result.failed).toBe(true)
  })
})
