/**
 * Lazy records: what a worker hands a step. A value loads when first read, once, and records derived from one
 * share what it loaded; nothing loads to list names, to check a name, or to tell whether a value was read.
 */
import { describe, expect, test } from "vitest"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { deriveLazy, heldIn, isLazy, lazyRecord, NOT_HELD } from "../../lib/interpreter/lazyRecord.js"
import { deriveRecord } from "../../lib/interpreter/Snapshot.js"

const entry = (hash: string): ArtifactEntry => ({ hash, size: 1, type: "number", encoding: "json" })

/** A record over entries named by their value, and the names loaded, in order. */
const counted = (names: ReadonlyArray<string>) => {
  const loads: Array<string> = []
  const record = lazyRecord(new Map(names.map((name) => [name, entry(name)])), (e, name) => {
    loads.push(name)
    return Object.freeze({ from: e.hash })
  })
  return { record, loads }
}

describe("lazyRecord", () => {
  test("loads a value when it is first read, once", () => {
    const { record, loads } = counted(["a", "b"])
    expect(loads).toEqual([])
    expect(record["a"]).toEqual({ from: "a" })
    expect(record["a"]).toBe(record["a"])
    expect(loads).toEqual(["a"])
  })

  test("names, `in`, and whether a value is held cost no load; a spread loads everything", () => {
    const { record, loads } = counted(["a", "b", "c"])
    expect(Object.keys(record)).toEqual(["a", "b", "c"])
    expect("b" in record && !("z" in record)).toBe(true)
    expect(heldIn(record, "a")).toBe(NOT_HELD)
    expect(loads).toEqual([])
    void record["a"]
    expect(heldIn(record, "a")).toEqual({ from: "a" })
    expect({ ...record }).toEqual({ a: { from: "a" }, b: { from: "b" }, c: { from: "c" } })
    expect(loads).toEqual(["a", "b", "c"])
  })

  test("is frozen like any record", () => {
    const { record } = counted(["a"])
    expect(Object.isFrozen(record)).toBe(true)
    expect(() => {
      ;(record as Record<string, unknown>)["a"] = 1
    }).toThrow(TypeError)
  })

  test("a derived record shares the base's loads, holds what is set, and loads NOT_HELD values by entry", () => {
    const { record, loads } = counted(["a", "b"])
    const derived = deriveLazy(record, new Map([["c", { value: 42, entry: entry("c") }], ["d", { value: NOT_HELD, entry: entry("d") }]]), ["b"])
    expect(isLazy(derived)).toBe(true)
    expect(Object.keys(derived)).toEqual(["a", "c", "d"])
    expect(derived["c"]).toBe(42)
    expect(heldIn(derived, "c")).toBe(42)
    expect(derived["d"]).toEqual({ from: "d" })
    void derived["a"]
    void record["a"]
    expect(loads).toEqual(["d", "a"])
  })

  test("deriveRecord keeps plain records plain (in process) and lazy ones lazy", () => {
    const plain = deriveRecord(Object.freeze({ a: 1, b: 2 }), new Map([["c", { value: 3 }]]), ["a"])
    expect(isLazy(plain)).toBe(false)
    expect(plain).toEqual({ b: 2, c: 3 })
    const { record } = counted(["a"])
    expect(isLazy(deriveRecord(record, new Map(), []))).toBe(true)
  })

  test("heldIn on a plain record: own values only", () => {
    const plain = Object.freeze({ a: undefined })
    expect(heldIn(plain, "a")).toBeUndefined()
    expect(heldIn(plain, "toString")).toBe(NOT_HELD)
  })
})
