/**
 * The flow the spin specs spin (nested foreaches, a join in a body, a split join with a resolve function) and
 * a witness of what each of its functions saw, by "step/task", so that a spin can be compared with the run.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { expect } from "vitest"
import { flow, foreach, join, param, run, split, step } from "../../lib/index.js"
import type { Datastore, ForeachFrame, RunContext } from "../../lib/index.js"
import { quiet } from "../stores.js"

/** What a function was given, as comparable data. */
export interface Seen {
  readonly record: Readonly<Record<string, unknown>>
  readonly ctx: Readonly<Record<string, unknown>>
}

/** Records what each call of a function saw, by "step/task". */
const witness = () => {
  const calls = new Map<string, Array<Seen>>()
  const see = (step: string, record: object, ctx: RunContext & { readonly foreachStack: ReadonlyArray<ForeachFrame> }): void => {
    const { flow: flowName, runId, taskId, attempt, originRunId, foreachStack } = ctx
    const inner = foreachStack.at(-1)
    const where = { flow: flowName, runId, step: ctx.step, taskId, attempt, originRunId, foreachStack, input: inner?.input, index: inner?.index }
    const list = calls.get(`${step}/${taskId}`) ?? []
    list.push({ record: { ...record }, ctx: where })
    calls.set(`${step}/${taskId}`, list)
  }
  return { calls, see }
}

/** Steps that throw while their "step/task" is in this set. */
export const failing = new Set<string>()

const seen = witness()

export const Grid = pipe(
  flow("Grid", { params: { scale: param(t.number, { default: 1 }) } }),
  step("start", (a, ctx) => {
    seen.see("start", a, ctx)
    return { rows: [10, 20, 30], label: "grid" }
  }),
  foreach("rows", (f) =>
    pipe(
      f,
      step("expand", (a, ctx) => {
        seen.see("expand", a, ctx)
        return { cols: [ctx.input + 1, ctx.input + 2], _scratch: "not stored" }
      }),
      foreach(
        "cols",
        step("cell", (a, ctx) => {
          seen.see("cell", a, ctx)
          if (failing.has(`cell/${ctx.taskId}`)) throw new Error(`cell ${ctx.taskId} failed`)
          return { value: ctx.input * a.scale }
        })
      ),
      join("row", (inputs, a, ctx) => {
        seen.see("row", { inputs, ...a }, ctx)
        return { rowSum: inputs.reduce((sum, input) => sum + input.value, 0) }
      })
    )
  ),
  join("total", (inputs, a, ctx) => {
    seen.see("total", { inputs, ...a }, ctx)
    return { sum: inputs.reduce((sum, input) => sum + input.rowSum, 0) }
  }),
  split({
    left: step("left", (a) => ({ side: `L${a.sum}`, lonly: 1 })),
    right: step("right", (a) => ({ side: `R${a.sum}` }))
  }),
  join("merge", { resolve: { side: (sides) => `${sides.left}|${sides.right}` } }, (inputs, a, ctx) => {
    seen.see("merge", { inputs, ...a }, ctx)
    return { both: `${inputs.left.side}+${inputs.right.side}` }
  }),
  step("end", (a, ctx) => {
    seen.see("end", a, ctx)
    ctx.log("ending with", a.both)
    return { done: a.both.length + a.scale }
  })
)

/** The last thing a "step/task" saw. */
export const lastSeen = (key: string): Seen => {
  const list = seen.calls.get(key)
  if (list === undefined || list.length === 0) throw new Error(`${key} never ran`)
  return list[list.length - 1] as Seen
}

/** Runs `work`, checks that it called the function of "step/task" exactly once, and returns what that call saw. */
export const replayed = async <T>(key: string, work: () => Promise<T>): Promise<{ readonly result: T; readonly inSpin: Seen }> => {
  const before = seen.calls.get(key)?.length ?? 0
  const result = await work()
  expect(seen.calls.get(key)?.length ?? 0).toBe(before + 1)
  return { result, inSpin: lastSeen(key) }
}

/** A run of Grid with `scale` (3 by default). */
export const originRun = async (store: Datastore, scale = 3) => run(Grid, { store, log: quiet, params: { scale } })
