/**
 * What the merge models (`splitModel.ts`, `foreachModel.ts`) share: the names steps write and the values
 * they write. The models are written from DESIGN.md §3.5 and §3.6 alone, and come with random flow shapes to
 * run them against: a shape says which step writes which name with which value; a model says what each
 * branch or task ends with, what the join's record must be, and which failures (with their documented
 * messages) the join may report.
 *
 * Values are named by a small id: equal ids are equal content built afresh each time (object keys in
 * another order), different ids are different content, so `equal` can be checked against the ids.
 */
import fc from "fast-check"

/** Persisted names the steps write; "_e" is ephemeral (dropped after its step, never merged). */
export const NAMES = ["a", "b", "c", "d"] as const
export type Name = (typeof NAMES)[number]
export const EPHEMERAL = "_e"
export type Written = Name | typeof EPHEMERAL

export type ValueId = 0 | 1 | 2 | 3

let built = 0
/** Value number `id`, built afresh; every other build inserts object keys in the other order. */
export const valueOf = (id: ValueId): unknown => {
  const flip = built++ % 2 === 0
  switch (id) {
    case 0:
      return 1
    case 1:
      return flip ? { x: 1, y: [1, 2] } : { y: [1, 2], x: 1 }
    case 2:
      return new Map([["k", flip ? { p: 1n, q: -0 } : { q: -0, p: 1n }]])
    case 3:
      return "one"
  }
}

/**
 * The value ids one shape draws from: one or two ids make equal writes (and passing `equal` checks) common,
 * all four make them rare.
 */
export const palette: fc.Arbitrary<ReadonlyArray<ValueId>> = fc.uniqueArray(fc.constantFrom<ValueId>(0, 1, 2, 3), {
  minLength: 1,
  maxLength: 4
})
export const written: fc.Arbitrary<Written> = fc.constantFrom<Written>(...NAMES, EPHEMERAL)

/**
 * A value in a record as the model sees it: its id, and which write made the object (`step:name`). Values
 * inherited or kept are the same object wherever they appear, which the exact comparison checks.
 */
export interface Val {
  readonly id: ValueId
  readonly origin: string
}

/** Records as the model sees them: name -> value. */
export type Held = ReadonlyMap<string, Val>

/** The record the first step writes. */
export const beforeRecord = (before: ReadonlyArray<readonly [Name, ValueId]>): Held =>
  new Map(before.map(([name, id]) => [name, { id, origin: `start:${name}` }]))
