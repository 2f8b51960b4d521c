/** Task order (lib/client/StepHandle.ts sortTaskIds): plain indices sorted as numbers, other ids by their parts. */
import { describe, expect, test } from "vitest"
import { sortTaskIds } from "../../lib/client/StepHandle.js"

describe("sortTaskIds", () => {
  test("plain indices sort as numbers, in order already or not, and come back as the same strings", () => {
    expect(sortTaskIds(["0", "1", "2", "10"])).toEqual(["0", "1", "2", "10"])
    expect(sortTaskIds(["10", "9", "100", "0", "11"])).toEqual(["0", "9", "10", "11", "100"])
    const many = Array.from({ length: 10_000 }, (_, i) => String(i))
    expect(sortTaskIds([...many].reverse())).toEqual(many)
    expect(sortTaskIds(["999999999999999", "5"])).toEqual(["5", "999999999999999"])
    expect(sortTaskIds([])).toEqual([])
  })

  test("ids that are not plain indices take the general order (loops first, then foreach parts)", () => {
    expect(sortTaskIds(["3.1", "10", "3", "2"])).toEqual(["2", "3", "3.1", "10"])
    expect(sortTaskIds(["i10", "i2", "i2.5", "i2.1"])).toEqual(["i2", "i2.1", "i2.5", "i10"])
    expect(sortTaskIds(["1", "i0", "0"])).toEqual(["i0", "0", "1"])
    // A leading zero, a sign or 16 digits is not a plain index: "01" ties with "1" and keeps its place.
    expect(sortTaskIds(["2", "01", "1"])).toEqual(["01", "1", "2"])
    expect(sortTaskIds(["2", "1234567890123456", "1"])).toEqual(["1", "2", "1234567890123456"])
    expect(sortTaskIds(["2", "-1", "1"])).toEqual(["-1", "1", "2"])
  })
})
