import { describe, expect, test } from "vitest"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { inForeach, inLoop, taskIdOf } from "../../lib/interpreter/Position.js"
import type { Position } from "../../lib/interpreter/Position.js"

const entry: ArtifactEntry = { hash: "a".repeat(64), size: 7, type: "array", encoding: "json", inline: "[1,2,3]" }
const outerFrame = Object.freeze({ step: "start", artifact: "items", index: 3, count: 4, input: 3 })
const innerFrame = Object.freeze({ step: "split", artifact: "parts", index: 1, count: 2, input: "b" })

/**
 * Every field of `Position`, listed so that adding one to the interface fails this file's type check until it is
 * listed here: `inForeach` and `inLoop` write positions out field by field (see Position.ts), and the tests below
 * check that each listed field reaches the positions they make.
 */
const positionFields: { readonly [Field in keyof Required<Position>]: true } = {
  frames: true,
  arrays: true,
  loops: true,
  path: true,
  previous: true
}

/** Item 3 of a foreach inside iteration 2 of the loop "outer": every field set. */
const full: Position = {
  frames: [outerFrame],
  arrays: [entry],
  loops: [Object.freeze({ loop: "outer", iteration: 2 })],
  path: ["i2", "3"],
  previous: "prepare"
}

describe("positions of foreach items and loop iterations", () => {
  test("a loop iteration keeps every field of the position around it and adds its frame and id segment", () => {
    const position = inLoop(full, "inner", 5, "refine")
    expect(Object.keys(position).sort()).toEqual(Object.keys(positionFields).sort())
    expect(position).toEqual({
      frames: [outerFrame],
      arrays: [entry],
      loops: [{ loop: "outer", iteration: 2 }, { loop: "inner", iteration: 5 }],
      path: ["i2", "3", "i5"],
      previous: "refine"
    })
    expect(taskIdOf(position)).toBe("i2.3.i5")
    // The position it came from is not changed.
    expect(full.loops).toHaveLength(1)
    expect(full.path).toEqual(["i2", "3"])
  })

  test("a loop iteration follows the node before the loop unless told otherwise", () => {
    expect(inLoop(full, "inner", 0).previous).toBe("prepare")
    const top = inLoop({ frames: [], previous: "start" }, "ticks", 9)
    expect(top).toEqual({ frames: [], loops: [{ loop: "ticks", iteration: 9 }], path: ["i9"], previous: "start" })
    expect(taskIdOf(top)).toBe("i9")
    // A loop inside a foreach item starts its id with the item's indices.
    expect(taskIdOf(inLoop({ frames: [outerFrame], previous: "start" }, "ticks", 0))).toBe("3.i0")
  })

  test("a foreach item keeps every field of the position around it and adds its frame and id segment", () => {
    const arrays = [entry, undefined]
    const position = inForeach(full, innerFrame, arrays)
    expect(Object.keys(position).sort()).toEqual(Object.keys(positionFields).sort())
    expect(position).toEqual({
      frames: [outerFrame, innerFrame],
      arrays,
      loops: [{ loop: "outer", iteration: 2 }],
      path: ["i2", "3", "1"],
      previous: "prepare"
    })
    expect(taskIdOf(position)).toBe("i2.3.1")
    expect(full.frames).toHaveLength(1)
  })

  test("a foreach item keeps the arrays it was not given, and outside loops has no loops or path", () => {
    expect(inForeach(full, innerFrame).arrays).toBe(full.arrays)
    const plain = inForeach({ frames: [outerFrame], previous: "start" }, innerFrame)
    expect(plain).toEqual({ frames: [outerFrame, innerFrame], previous: "start" })
    expect(Object.keys(plain).sort()).toEqual(["frames", "previous"])
    expect(taskIdOf(plain)).toBe("3.1")
  })
})
