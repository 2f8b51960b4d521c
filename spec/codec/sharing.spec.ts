/**
 * The JSON fast path only takes trees: an object reached twice (shared or cyclic) must go to seroval, which
 * keeps it shared. The checking pass finds containers of containers and leaves (containers of primitives
 * only) in different ways, so both are covered, at the top, nested and mixed.
 */
import { describe, expect, test } from "vitest"
import { encoded, roundTrip } from "./helpers.js"

/** The value at `path` (keys and indexes) inside `value`. */
const at = (value: unknown, path: ReadonlyArray<string | number>): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value)

type Case = readonly [string, () => { readonly value: unknown; readonly paths: readonly [Path, Path] }]
type Path = ReadonlyArray<string | number>

const cases: ReadonlyArray<Case> = [
  ["a leaf object twice in an array", () => {
    const row = { id: 1 }
    return { value: [row, { id: 2 }, row], paths: [[0], [2]] }
  }],
  ["a leaf array under two keys", () => {
    const xs = [1, 2]
    return { value: { a: xs, b: xs }, paths: [["a"], ["b"]] }
  }],
  ["an empty object at two depths", () => {
    const empty = {}
    return { value: [empty, { x: empty }], paths: [[0], [1, "x"]] }
  }],
  ["a leaf in two different arrays", () => {
    const row = { id: 1 }
    return { value: [[row], [{ id: 0 }, row]], paths: [[0, 0], [1, 1]] }
  }],
  ["a container of containers under two keys", () => {
    const inner = { rows: [{ id: 1 }] }
    return { value: { a: inner, b: inner }, paths: [["a"], ["b"]] }
  }],
  ["an array of arrays inside itself", () => {
    const outer: Array<unknown> = [[1]]
    outer.push(outer)
    return { value: outer, paths: [[], [1]] }
  }],
  ["an object that holds itself after primitives", () => {
    const node: Record<string, unknown> = { a: 1, b: "x" }
    node.z = node
    return { value: node, paths: [[], ["z"]] }
  }]
]

describe("shared and cyclic plain data leaves the JSON path", () => {
  test.each(cases)("%s: seroval, and the copies come back as one object", (_case, build) => {
    const { value, paths } = build()
    expect(encoded(value).encoding).toBe("seroval")
    const back = roundTrip(value)
    expect(at(back, paths[0])).toBe(at(back, paths[1]))
  })

  test("equal but distinct objects stay on the JSON path", () => {
    expect(encoded([{ id: 1 }, { id: 1 }, [], [], {}, {}]).encoding).toBe("json")
    expect(encoded({ a: { rows: [1] }, b: { rows: [1] } }).encoding).toBe("json")
  })

  test("sharing nested 64 levels deep (2^64 paths) is found without walking every path", () => {
    let node: Record<string, unknown> = { leaf: [1] }
    for (let i = 0; i < 64; i++) node = { left: node, right: node }
    const start = performance.now()
    expect(encoded(node).encoding).toBe("seroval")
    expect(performance.now() - start).toBeLessThan(5_000)
    const back = roundTrip(node) as { left: unknown; right: unknown }
    expect(back.left).toBe(back.right)
  })
})
