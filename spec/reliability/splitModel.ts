/**
 * The model of a split join (DESIGN.md §3.5) and random split shapes: 2 to 5 branches of 1 or 2 steps, each
 * writing names of a small pool, and a join that handles each conflict one way or another (or not at all).
 */
import fc from "fast-check"
import { conflictUnhandled, notAConflict } from "../../lib/types/messages.js"
import type { Held, Name, Val, ValueId, Written } from "./mergeValues.js"
import { beforeRecord, EPHEMERAL, NAMES, palette, written } from "./mergeValues.js"

/** A write in a branch step: a value, or "keep": return the value the step was given (same object). */
export type Write = { readonly kind: "set"; readonly value: ValueId } | { readonly kind: "keep" }
export type StepWrites = ReadonlyArray<readonly [Written, Write]>

const write = (valueId: fc.Arbitrary<ValueId>): fc.Arbitrary<Write> =>
  fc.oneof(
    { arbitrary: valueId.map((value) => ({ kind: "set" as const, value })), weight: 4 },
    { arbitrary: fc.constant({ kind: "keep" as const }), weight: 1 }
  )
const stepWrites = (valueId: fc.Arbitrary<ValueId>): fc.Arbitrary<StepWrites> =>
  fc.uniqueArray(fc.tuple(written, write(valueId)), { maxLength: 4, selector: ([name]) => name })

export type Policy = "unhandled" | "resolve" | "take" | "exclude" | "equal" | "fn"
export type SplitOption = "resolve" | "take" | "exclude" | "equal"

export interface SplitShape {
  readonly before: ReadonlyArray<readonly [Name, ValueId]>
  /** 2 to 5 branches ("b0", "b1"...), each of 1 or 2 steps. */
  readonly branches: ReadonlyArray<ReadonlyArray<StepWrites>>
  /** How the join handles each name, if it is a conflict. */
  readonly policies: Readonly<Record<Name, Policy>>
  /** Which holder `take` names (modulo the holders). */
  readonly takePick: number
  /** Names a non-conflict in one option (the join must then fail with notAConflict). */
  readonly stray: { readonly option: SplitOption; readonly pick: number } | null
  readonly withFunction: boolean
}

// Weighted so that about half the shapes merge cleanly: one unhandled conflict is enough to fail a join.
const policy = fc.oneof(
  { arbitrary: fc.constant<Policy>("unhandled"), weight: 1 },
  { arbitrary: fc.constantFrom<Policy>("resolve", "take", "exclude", "equal", "fn"), weight: 12 }
)
const stray = fc.oneof(
  { arbitrary: fc.constant(null), weight: 12 },
  {
    arbitrary: fc.record({
      option: fc.constantFrom<SplitOption>("resolve", "take", "exclude", "equal"),
      pick: fc.nat()
    }),
    weight: 1
  }
)

export const splitShape: fc.Arbitrary<SplitShape> = palette.chain((ids) => {
  const valueId = fc.constantFrom(...ids)
  return fc.record({
    before: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), valueId), { maxLength: 4, selector: ([name]) => name }),
    branches: fc.array(fc.array(stepWrites(valueId), { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 5 }),
    policies: fc.record({ a: policy, b: policy, c: policy, d: policy }),
    takePick: fc.nat(),
    stray,
    withFunction: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 })
  })
})

export const branchName = (i: number): string => `b${i}`
export const branchStep = (branch: number, step: number): string => `b${branch}s${step}`

export interface Branch {
  readonly name: string
  readonly snapshot: Held
  readonly written: ReadonlySet<Name>
}

/** Runs a branch's steps over the record before the split. */
export const branchOutcome = (before: Held, steps: ReadonlyArray<StepWrites>, index: number): Branch => {
  const snapshot = new Map(before)
  const writtenNames = new Set<Name>()
  for (const [j, writes] of steps.entries()) {
    for (const [key, w] of writes) {
      if (key === EPHEMERAL) continue
      if (w.kind === "set") {
        snapshot.set(key, { id: w.value, origin: `${branchStep(index, j)}:${key}` })
        writtenNames.add(key)
      } else if (snapshot.has(key)) writtenNames.add(key)
    }
  }
  return { name: branchName(index), snapshot, written: writtenNames }
}

/** What a split join must do: fail with one of `failures`, or end with `record` (and show `merged` to its function). */
export interface SplitExpectation {
  readonly branches: ReadonlyArray<Branch>
  readonly conflicts: ReadonlySet<Name>
  readonly options: {
    resolve: Record<string, true>
    take: Record<string, string>
    exclude: Array<string>
    equal: Array<string>
  }
  readonly fnReturns: ReadonlyArray<Name>
  /** Exact messages the join may fail with. */
  readonly failures: ReadonlyArray<string>
  /** Names whose `equal` check must fail, with the holders by branch. */
  readonly equalMismatches: ReadonlyMap<Name, ReadonlyMap<string, ValueId>>
  /** The record the join function sees (fn-handled conflicts are not in it). */
  readonly merged: ReadonlyMap<string, MergedValue>
  /** The join's final record. */
  readonly record: ReadonlyMap<string, MergedValue>
}

/** A value in the merged record: one value id, what `resolve` returns, or what the join function returns. */
export type MergedValue =
  | { readonly kind: "value"; readonly value: Val }
  | { readonly kind: "resolved"; readonly holders: ReadonlyArray<readonly [string, Val]> }
  | { readonly kind: "returned"; readonly name: Name }

const holdersOf = (branches: ReadonlyArray<Branch>, name: Name): ReadonlyArray<readonly [string, Val]> =>
  branches.flatMap((b) => (b.snapshot.has(name) ? [[b.name, b.snapshot.get(name) as Val] as const] : []))

export const expectSplit = (shape: SplitShape, join: string): SplitExpectation => {
  const before = beforeRecord(shape.before)
  const branches = shape.branches.map((steps, i) => branchOutcome(before, steps, i))
  // §3.5: written in one branch and present in another branch's output (written there, or inherited).
  const conflicts = new Set(
    NAMES.filter((name) =>
      branches.some((b) => b.written.has(name) && branches.some((o) => o !== b && o.snapshot.has(name)))
    )
  )
  const options: SplitExpectation["options"] = { resolve: {}, take: {}, exclude: [], equal: [] }
  const fnReturns: Array<Name> = []
  const failures: Array<string> = []
  for (const name of conflicts) {
    const rule = shape.policies[name]
    if (rule === "resolve") options.resolve[name] = true
    else if (rule === "take") {
      const holders = holdersOf(branches, name)
      options.take[name] = (holders[shape.takePick % holders.length] as readonly [string, Val])[0]
    } else if (rule === "exclude") options.exclude.push(name)
    else if (rule === "equal") options.equal.push(name)
    else if (rule === "fn" && shape.withFunction) fnReturns.push(name)
    else failures.push(conflictUnhandled(join, name))
  }
  const nonConflicts = NAMES.filter((name) => !conflicts.has(name))
  if (shape.stray !== null && nonConflicts.length > 0) {
    const stray = nonConflicts[shape.stray.pick % nonConflicts.length] as Name
    const option = shape.stray.option
    if (option === "resolve") options.resolve[stray] = true
    else if (option === "take") options.take[stray] = branchName(0)
    else options[option].push(stray)
    failures.push(notAConflict(join, stray, option))
  }
  const equalMismatches = new Map<Name, ReadonlyMap<string, ValueId>>()
  for (const name of options.equal.filter((n): n is Name => conflicts.has(n as Name))) {
    const holders = holdersOf(branches, name)
    if (new Set(holders.map(([, v]) => v.id)).size > 1)
      equalMismatches.set(name, new Map(holders.map(([b, v]) => [b, v.id])))
  }
  const merged = new Map<string, MergedValue>()
  const names = new Set(branches.flatMap((b) => [...b.snapshot.keys()])) as Set<Name>
  for (const name of names) {
    if (options.exclude.includes(name)) continue
    if (conflicts.has(name)) {
      const holders = holdersOf(branches, name)
      if (options.resolve[name] === true)
        merged.set(name, { kind: "resolved", holders: [...holders].sort(([x], [y]) => (x < y ? -1 : 1)) })
      else if (options.take[name] !== undefined)
        merged.set(name, {
          kind: "value",
          value: branches.find((b) => b.name === options.take[name])?.snapshot.get(name) as Val
        })
      else if (options.equal.includes(name))
        merged.set(name, { kind: "value", value: (holders[0] as readonly [string, Val])[1] })
      continue
    }
    const source = branches.find((b) => b.written.has(name)) ?? branches.find((b) => b.snapshot.has(name))
    merged.set(name, { kind: "value", value: source?.snapshot.get(name) as Val })
  }
  const record = new Map(merged)
  for (const name of fnReturns) record.set(name, { kind: "returned", name })
  return { branches, conflicts, options, fnReturns, failures, equalMismatches, merged, record }
}
