/** How spin's comparison marks and lays out artifacts: equality by content, one line per artifact, JSON. */
import { describe, expect, test } from "vitest"
import { comparisonJson, comparisonLines, compareOutputs } from "../../lib/cli/comparison.js"

describe("compareOutputs", () => {
  test("marks each artifact: same content (key order ignored), changed, new, not written, not stored", () => {
    const rows = compareOutputs(
      { same: { b: 2, a: 1 }, map: new Map([["k", 1]]), changed: [1, 2], added: 1n, _tmp: "x" },
      { same: { a: 1, b: 2 }, map: new Map([["k", 1]]), changed: [1, 3], gone: "old" }
    )
    expect(rows.map((row) => [row.name, row.change])).toEqual([
      ["_tmp", "not stored"],
      ["added", "new"],
      ["changed", "changed"],
      ["gone", "not written"],
      ["map", "same"],
      ["same", "same"]
    ])
  })

  test("a failed original has no artifacts: everything is new", () => {
    expect(compareOutputs({ x: 1 }, undefined)).toEqual([{ name: "x", original: undefined, output: { value: 1 }, change: "new" }])
  })

  test("values that cannot be stored are compared structurally", () => {
    const fn = (): number => 1
    expect(compareOutputs({ _f: fn, g: Symbol.for("s") }, { g: Symbol.for("s") }).map((row) => row.change)).toEqual(["not stored", "same"])
  })
})

describe("comparisonLines", () => {
  test("aligned columns, absent sides as '-', long values cut to the width", () => {
    const rows = compareOutputs({ score: 104, text: "y".repeat(200) }, { score: 4, text: "x".repeat(200), old: true })
    const lines = comparisonLines(rows, 60)
    expect(lines).toEqual([
      "artifact  original           new",
      "old       true               -                  not written",
      "score     4                  104                changed",
      `text      '${"x".repeat(15)}…  '${"y".repeat(15)}…  changed`
    ])
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(60)
  })

  test("without an original (the task failed), one column of new values", () => {
    const rows = compareOutputs({ score: 2, _tmp: [0] }, undefined)
    expect(comparisonLines(rows, 80, true)).toEqual(["artifact  new", "_tmp      [ 0 ]  not stored (_ name)", "score     2"])
  })

  test("nothing on either side says so", () => {
    expect(comparisonLines([], 80)).toEqual(["(no artifacts on either side)"])
  })
})

test("comparisonJson keeps each side's JSON-safe value and the change", () => {
  expect(comparisonJson(compareOutputs({ n: 2n, extra: 1 }, { n: 1n }))).toEqual({
    extra: { new: 1, change: "new" },
    n: { original: "1", new: "2", change: "changed" }
  })
})
