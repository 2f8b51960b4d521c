/**
 * The merge rules (DESIGN.md §3.5 split joins, §3.6 foreach joins) as properties: random split and foreach
 * shapes run on the real interpreter (memory store) and are checked against the models in `splitModel.ts`
 * and `foreachModel.ts`.
 * The flows are built from plain JavaScript shapes, so the combinators are used untyped (the compiler's twin
 * of each rule is tested in spec/types); what is checked here is the runtime, which must say the same.
 */
import fc from "fast-check"
import { describe, expect } from "vitest"
import {
  Client,
  FlowDefinitionError,
  RunFailedError,
  flow,
  foreach,
  join,
  memoryStore,
  run,
  split,
  step
} from "../../lib/index.js"
import type { Datastore } from "../../lib/index.js"
import { assertSame } from "./equality.js"
import type { ForeachShape } from "./foreachModel.js"
import { bodyStep, bodyValue, expectForeach, foreachShape, itemAt } from "./foreachModel.js"
import type { Held, Val } from "./mergeValues.js"
import { valueOf } from "./mergeValues.js"
import type { MergedValue, SplitExpectation, SplitShape } from "./splitModel.js"
import { branchName, branchStep, expectSplit, splitShape } from "./splitModel.js"
import { property } from "./runs.js"

type Rec = Readonly<Record<string, unknown>>
type Stage = (flow: unknown) => unknown
type Ctx = { readonly index: number; readonly input: unknown }

/** The combinators as plain JavaScript sees them (see spec/bench/orchestration.ts for the same pattern). */
const js = {
  flow: flow as unknown as (name: string) => unknown,
  step: step as unknown as (name: string, fn: (a: Rec, ctx: Ctx) => unknown) => Stage,
  split: split as unknown as (branches: Readonly<Record<string, Stage>>) => Stage,
  foreach: foreach as unknown as (artifact: string, body: Stage, options?: { readonly concurrency: number }) => Stage,
  join: join as unknown as (name: string, ...rest: ReadonlyArray<unknown>) => Stage,
  run: run as unknown as (
    flow: unknown,
    options: object
  ) => Promise<{ readonly runId: string; readonly artifacts: Rec }>
}

const chain = (start: unknown, ...stages: ReadonlyArray<Stage>): unknown =>
  stages.reduce((acc, stage) => stage(acc), start)

/** A join stage with or without options and function, in the forms DESIGN.md §2 lists. */
const joinStage = (
  name: string,
  options: object | undefined,
  fn: ((...args: ReadonlyArray<never>) => unknown) | undefined
): Stage => {
  if (fn === undefined) return options === undefined ? js.join(name) : js.join(name, options)
  return options === undefined ? js.join(name, fn) : js.join(name, options, fn)
}

/** Builds the expected values with the model's sharing: one object per write, wherever the value went. */
class Materializer {
  private readonly objects = new Map<string, unknown>()

  value(val: Val): unknown {
    if (!this.objects.has(val.origin)) this.objects.set(val.origin, valueOf(val.id))
    return this.objects.get(val.origin)
  }

  merged(value: MergedValue): unknown {
    if (value.kind === "value") return this.value(value.value)
    if (value.kind === "resolved") return value.holders.map(([branch, val]) => [branch, this.value(val)])
    return ["fn", value.name]
  }

  record(held: Held, extra: Rec = {}): Rec {
    return { ...Object.fromEntries([...held].map(([name, val]) => [name, this.value(val)])), ...extra }
  }
}

const mergedRecord = (values: ReadonlyMap<string, MergedValue>): Rec => {
  const m = new Materializer()
  return Object.fromEntries([...values].map(([name, value]) => [name, m.merged(value)]))
}

const EQUAL_MISMATCH =
  /^artiflow: join '([^']+)': artifact '([^']+)' is listed in equal but differs between '([^']+)' and '([^']+)'$/

/**
 * Checks a failed join: the run failed in the join with a FlowDefinitionError whose message is one of the
 * documented ones the model allows, and the join committed nothing.
 */
const expectJoinFailure = async (
  outcome: unknown,
  store: Datastore,
  flowName: string,
  joinName: string,
  failures: ReadonlyArray<string>,
  equalMismatches: ReadonlyMap<string, ReadonlyMap<string, unknown>>
): Promise<void> => {
  expect(outcome).toBeInstanceOf(RunFailedError)
  const failure = outcome as RunFailedError
  expect(failure.step).toBe(joinName)
  expect(failure.cause).toBeInstanceOf(FlowDefinitionError)
  const message = (failure.cause as Error).message
  if (!failures.includes(message)) {
    // Otherwise it must be an equal mismatch naming the key and two holders that really differ (one may lack it).
    const mismatch = EQUAL_MISMATCH.exec(message)
    expect(
      mismatch,
      `unexpected failure: ${message} (expected one of ${JSON.stringify(failures)} or an equal mismatch)`
    ).not.toBeNull()
    const [, join, key, first, other] = mismatch as unknown as [string, string, string, string, string]
    expect(join).toBe(joinName)
    const holders = equalMismatches.get(key)
    expect(holders, `'${key}' is not an equal mismatch the model expects`).toBeDefined()
    expect(holders?.has(first) && holders.has(other)).toBe(true)
    expect(holders?.get(first)).not.toBe(holders?.get(other))
  }
  const joinManifests = (await store.readManifests(flowName, failure.runId)).filter((m) => m.step === joinName)
  expect(joinManifests.map((m) => [m.status, Object.keys(m.artifacts).length])).toEqual([["failed", 0]])
}

// ---------------------------------------------------------------------------------------------------------

/** The value a step writes for a name: a fresh value, or for "keep" the very one it was given. */
const splitStepOutput = (a: Rec, writes: SplitShape["branches"][number][number]): Rec =>
  Object.fromEntries(
    writes.flatMap(([name, w]) => {
      if (w.kind === "set") return [[name, valueOf(w.value)]]
      return Object.hasOwn(a, name) ? [[name, a[name]]] : []
    })
  )

interface Probe {
  inputs?: unknown
  merged?: unknown
}

const splitFlow = (shape: SplitShape, expected: SplitExpectation, probe: Probe): unknown => {
  const start = js.step("start", () => Object.fromEntries(shape.before.map(([name, id]) => [name, valueOf(id)])))
  const branches = Object.fromEntries(
    shape.branches.map((steps, i) => {
      const stages = steps.map((writes, j) => js.step(branchStep(i, j), (a) => splitStepOutput(a, writes)))
      return [branchName(i), stages.length === 1 ? (stages[0] as Stage) : (f: unknown) => chain(f, ...stages)]
    })
  )
  const { resolve, take, exclude, equal } = expected.options
  // resolve sees every holder's value, written or inherited: return them all, by branch, to check that.
  const byBranch = (values: Rec) =>
    Object.keys(values)
      .sort()
      .map((branch) => [branch, values[branch]])
  const options = {
    ...(Object.keys(resolve).length > 0 && {
      resolve: Object.fromEntries(Object.keys(resolve).map((name) => [name, byBranch]))
    }),
    ...(Object.keys(take).length > 0 && { take }),
    ...(exclude.length > 0 && { exclude }),
    ...(equal.length > 0 && { equal })
  }
  const fn = shape.withFunction
    ? (inputs: Rec, a: Rec) => {
        probe.inputs = inputs
        probe.merged = a
        return Object.fromEntries(expected.fnReturns.map((name) => [name, ["fn", name]]))
      }
    : undefined
  return chain(
    js.flow("Split"),
    start,
    js.split(branches),
    joinStage("merge", Object.keys(options).length > 0 ? options : undefined, fn)
  )
}

describe("split joins (§3.5)", () => {
  property(
    "pass-through, one-branch writes, conflicts and resolve/take/exclude/equal/fn merge as documented",
    150,
    () =>
      fc.asyncProperty(splitShape, async (shape) => {
        const expected = expectSplit(shape, "merge")
        const probe: Probe = {}
        const store = memoryStore()
        const outcome = await js
          .run(splitFlow(shape, expected, probe), { store, log: () => {} })
          .catch((error: unknown) => error)
        if (expected.failures.length + expected.equalMismatches.size > 0) {
          return expectJoinFailure(outcome, store, "Split", "merge", expected.failures, expected.equalMismatches)
        }
        if (outcome instanceof Error) throw outcome
        const result = outcome as { readonly runId: string; readonly artifacts: Rec }
        const record = mergedRecord(expected.record)
        assertSame(result.artifacts, record, "the join's record")
        if (shape.withFunction) {
          const m = new Materializer()
          assertSame(
            probe.inputs,
            Object.fromEntries(expected.branches.map((b) => [b.name, m.record(b.snapshot)])),
            "the join function's inputs"
          )
          assertSame(probe.merged, mergedRecord(expected.merged), "the merged record the join function sees")
        }
        // What the join committed (a delta over the record before the split) reads back as the same record.
        const stored = await (await Client.open(store).run("Split", result.runId)).artifacts()
        assertSame(stored, record, "the stored record")
      })
  )
})

// ---------------------------------------------------------------------------------------------------------

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

const foreachFlow = (shape: ForeachShape, probe: Probe): unknown => {
  const start = js.step("start", () => ({
    items: Array.from({ length: shape.count }, (_, i) => itemAt(i)),
    ...Object.fromEntries(shape.before.map(([name, id]) => [name, valueOf(id)]))
  }))
  const stages = shape.body.map((writes, j) =>
    js.step(bodyStep(j), async (a, ctx) => {
      const out: Record<string, unknown> = j === 0 ? { at: ctx.index, got: ctx.input } : {}
      if (j === 0) await turns(shape.delays[ctx.index % shape.delays.length] as number)
      for (const [name, w] of writes) {
        const id = bodyValue(w, ctx.index)
        if (id !== undefined) out[name] = valueOf(id)
        else if (w.kind === "keep" && Object.hasOwn(a, name)) out[name] = a[name]
      }
      return out
    })
  )
  const body = stages.length === 1 ? (stages[0] as Stage) : (f: unknown) => chain(f, ...stages)
  const options = shape.concurrency === null ? undefined : { concurrency: shape.concurrency }
  const fn = shape.withFunction
    ? (inputs: ReadonlyArray<Rec>, a: Rec) => {
        probe.inputs = inputs
        probe.merged = a
        return { seen: inputs.map((input) => input.got) }
      }
    : undefined
  return chain(
    js.flow("Foreach"),
    start,
    js.foreach("items", body, options),
    joinStage("collect", shape.equal.length > 0 ? { equal: shape.equal } : undefined, fn)
  )
}

describe("foreach joins (§3.6)", () => {
  property(
    "before-artifacts pass through, equal holds iff all tasks agree, inputs are every task's record in item order",
    100,
    () =>
      fc.asyncProperty(foreachShape, async (shape) => {
        const expected = expectForeach(shape, "collect")
        const probe: Probe = {}
        const store = memoryStore()
        const outcome = await js
          .run(foreachFlow(shape, probe), { store, log: () => {} })
          .catch((error: unknown) => error)
        if (expected.failures.length + expected.equalMismatches.size > 0) {
          return expectJoinFailure(outcome, store, "Foreach", "collect", expected.failures, expected.equalMismatches)
        }
        if (outcome instanceof Error) throw outcome
        const result = outcome as { readonly runId: string; readonly artifacts: Rec }
        const m = new Materializer()
        const items = Array.from({ length: shape.count }, (_, i) => itemAt(i))
        const merged = m.record(expected.merged, { items })
        const record = shape.withFunction ? { ...merged, seen: [...items] } : merged
        assertSame(result.artifacts, record, "the join's record")
        if (shape.withFunction) {
          const inputs = expected.tasks.map((task, i) => m.record(task.snapshot, { items, at: i, got: itemAt(i) }))
          assertSame(probe.inputs, inputs, "the join function's inputs")
          assertSame(probe.merged, merged, "the record the join function sees")
        }
        const stored = await (await Client.open(store).run("Foreach", result.runId)).artifacts()
        assertSame(stored, record, "the stored record")
      })
  )
})
