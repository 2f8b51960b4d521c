/**
 * The model of a foreach join (DESIGN.md §3.6, §3.7) and random foreach shapes: 0 to 20 items, a body of 1
 * or 2 steps whose writes depend on the task's index, a join with or without `equal` and a function.
 */
import fc from "fast-check"
import { equalNotWritten } from "../../lib/types/messages.js"
import type { Held, Name, Val, ValueId, Written } from "./mergeValues.js"
import { beforeRecord, EPHEMERAL, NAMES, palette, written } from "./mergeValues.js"

/** A write in a foreach body step, as a function of the task's index. */
export type BodyWrite =
  | { readonly kind: "const"; readonly value: ValueId }
  | { readonly kind: "byIndex"; readonly table: ReadonlyArray<ValueId> }
  | { readonly kind: "everyNth"; readonly n: number; readonly value: ValueId }
  | { readonly kind: "keep" }
export type BodyStep = ReadonlyArray<readonly [Written, BodyWrite]>

const bodyWrite = (valueId: fc.Arbitrary<ValueId>): fc.Arbitrary<BodyWrite> =>
  fc.oneof(
    valueId.map((value) => ({ kind: "const" as const, value })),
    fc.array(valueId, { minLength: 1, maxLength: 3 }).map((table) => ({ kind: "byIndex" as const, table })),
    fc.record({ kind: fc.constant("everyNth" as const), n: fc.integer({ min: 2, max: 3 }), value: valueId }),
    fc.constant({ kind: "keep" as const })
  )

export interface ForeachShape {
  readonly before: ReadonlyArray<readonly [Name, ValueId]>
  readonly count: number
  readonly body: ReadonlyArray<BodyStep>
  readonly equal: ReadonlyArray<Name>
  readonly withFunction: boolean
  readonly concurrency: number | null
  /** Event-loop turns each task waits before it returns, by index: tasks finish out of order. */
  readonly delays: ReadonlyArray<number>
}

export const foreachShape: fc.Arbitrary<ForeachShape> = palette.chain((ids) => {
  const valueId = fc.constantFrom(...ids)
  return fc
    .record({
      before: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), valueId), {
        maxLength: 4,
        selector: ([name]) => name
      }),
      count: fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 20 }), weight: 4 },
        { arbitrary: fc.constantFrom(0, 1), weight: 1 }
      ),
      body: fc.array(
        fc.uniqueArray(fc.tuple(written, bodyWrite(valueId)), { maxLength: 4, selector: ([name]) => name }),
        {
          minLength: 1,
          maxLength: 2
        }
      ),
      withFunction: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
      concurrency: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
      delays: fc.array(fc.nat(3), { minLength: 1, maxLength: 5 })
    })
    .chain((shape) => {
      // Mostly names the body writes (an equal over a name no task writes is a plain error, quickly covered).
      const bodyNames = NAMES.filter((name) => shape.body.some((writes) => writes.some(([key]) => key === name)))
      const equal = fc.oneof(
        { arbitrary: fc.subarray(bodyNames, { maxLength: Math.min(2, bodyNames.length) }), weight: 4 },
        { arbitrary: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 3 }), weight: 1 }
      )
      return equal.map((names) => ({ ...shape, equal: names }))
    })
})

/** The item at index i: distinct per index, so the order of the join's inputs shows. */
export const itemAt = (i: number): string => `item${i}`

export interface Task {
  /** The task's final record, but for `items`, `at` and `got` (which every task has). */
  readonly snapshot: Held
  readonly written: ReadonlySet<Name>
}

/** The value id a body write gives task `index`, or `undefined` when it writes nothing there ("keep" included). */
export const bodyValue = (w: BodyWrite, index: number): ValueId | undefined => {
  switch (w.kind) {
    case "const":
      return w.value
    case "byIndex":
      return w.table[index % w.table.length]
    case "everyNth":
      return index % w.n === 0 ? w.value : undefined
    case "keep":
      return undefined
  }
}

/** Body step names: "work0", "work1". */
export const bodyStep = (j: number): string => `work${j}`

export const taskOutcome = (shape: ForeachShape, index: number): Task => {
  const snapshot = new Map(beforeRecord(shape.before))
  const writtenNames = new Set<Name>()
  for (const [j, writes] of shape.body.entries()) {
    for (const [key, w] of writes) {
      if (key === EPHEMERAL) continue
      const value = bodyValue(w, index)
      if (value !== undefined) {
        snapshot.set(key, { id: value, origin: `${bodyStep(j)}/${index}:${key}` })
        writtenNames.add(key)
      } else if (w.kind === "keep" && snapshot.has(key)) writtenNames.add(key)
    }
  }
  return { snapshot, written: writtenNames }
}

export interface ForeachExpectation {
  readonly tasks: ReadonlyArray<Task>
  /** Exact messages besides equal mismatches the join may fail with. */
  readonly failures: ReadonlyArray<string>
  /** Names whose `equal` check must fail, with their holders by task label ("task 3"), undefined when absent. */
  readonly equalMismatches: ReadonlyMap<Name, ReadonlyMap<string, ValueId | undefined>>
  /** The record before the foreach plus the names listed in `equal` (what the join function sees). */
  readonly merged: Held
}

export const expectForeach = (shape: ForeachShape, join: string): ForeachExpectation => {
  const tasks = Array.from({ length: shape.count }, (_, i) => taskOutcome(shape, i))
  const merged = new Map(beforeRecord(shape.before))
  const failures: Array<string> = []
  const equalMismatches = new Map<Name, ReadonlyMap<string, ValueId | undefined>>()
  // §3.6 and §3.7: with no task there is nothing to compare and nothing to take.
  if (tasks.length > 0) {
    for (const name of shape.equal) {
      if (!tasks.some((task) => task.written.has(name))) {
        failures.push(equalNotWritten(join, name))
        continue
      }
      const holders = new Map(tasks.map((task, i) => [`task ${i}`, task.snapshot.get(name)?.id] as const))
      const ids = new Set(holders.values())
      if (ids.size > 1 || ids.has(undefined)) equalMismatches.set(name, holders)
      else merged.set(name, tasks[0]?.snapshot.get(name) as Val)
    }
  }
  return { tasks, failures, equalMismatches, merged }
}
