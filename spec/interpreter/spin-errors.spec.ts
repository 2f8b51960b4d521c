/**
 * spin's errors name what was wrong and list what exists: the flow's steps, the runs of the flow, the steps
 * that ran in a run, a step's tasks; invalid options from plain JavaScript; a flow that no longer matches
 * the run.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { flow, FlowDefinitionError, foreach, join, memoryStore, NotFoundError, run, spin, step } from "../../lib/index.js"
import type { Datastore } from "../../lib/index.js"
import { runFailure } from "./failure.js"
import { quiet } from "../stores.js"

let failStart = false

const Nested = pipe(
  flow("Nested"),
  step("start", () => {
    if (failStart) throw new Error("start failed")
    return { outer: [1, 2, 3] }
  }),
  foreach("outer", (f) =>
    pipe(
      f,
      step("mid", (_a, ctx) => ({ inner: [ctx.input, ctx.input * 10] })),
      foreach("inner", step("leaf", (_a, ctx) => ({ v: ctx.input }))),
      join("midJoin", (inputs) => ({ s: inputs.length }))
    )
  ),
  join("end", (inputs) => ({ total: inputs.length }))
)

/** The rejection of a spin that must fail, checked to be a `kind` with exactly `message`. */
const spinError = async (spinning: Promise<unknown>, kind: abstract new (...args: never) => Error, message: string): Promise<void> => {
  const error = await spinning.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(kind)
  expect((error as Error).message).toBe(message)
}

const withRun = async (): Promise<{ store: Datastore; runId: string }> => {
  const store = memoryStore()
  const { runId } = await run(Nested, { store, log: quiet })
  return { store, runId }
}

describe("spin lists what exists", () => {
  test("a step the flow does not have lists the flow's steps and joins", async () => {
    const { store } = await withRun()
    await spinError(
      spin(Nested, "leef" as never, { store }),
      NotFoundError,
      "artiflow: spin: flow 'Nested' has no step or join 'leef' (steps: 'start', 'mid', 'leaf', 'midJoin', 'end')"
    )
  })

  test("a flow without runs says so, an unknown run lists the latest runs", async () => {
    const store = memoryStore()
    await spinError(spin(Nested, "start", { store }), NotFoundError, "artiflow: spin: flow 'Nested' has no runs in the memory store: run it first")
    const { runId } = await run(Nested, { store, log: quiet })
    await spinError(
      spin(Nested, "start", { store, origin: "nope" }),
      NotFoundError,
      `artiflow: spin: flow 'Nested' has no run 'nope' (latest runs: '${runId}')`
    )
  })

  test("a run of another flow says whose it is, and lists this flow's runs", async () => {
    const { store, runId } = await withRun()
    const Other = pipe(flow("Other"), step("start", () => ({ z: 1 })))
    const other = await run(Other, { store, log: quiet })
    await spinError(
      spin(Nested, "start", { store, origin: other.runId }),
      NotFoundError,
      `artiflow: spin: run '${other.runId}' is a run of flow 'Other', not of 'Nested' (latest runs of 'Nested': '${runId}')`
    )
  })

  test("a run in which the step has no task lists the steps that ran", async () => {
    const store = memoryStore()
    failStart = true
    try {
      const failure = await runFailure(run(Nested, { store, log: quiet }))
      await spinError(
        spin(Nested, "mid", { store, task: 0 }),
        NotFoundError,
        `artiflow: spin: run '${failure.runId}' of flow 'Nested' has no succeeded or failed task of step 'mid' (steps that ran: 'start'); spin another run with origin`
      )
    } finally {
      failStart = false
    }
  })

  test("a foreach task out of range lists the range; a step with several tasks needs one picked", async () => {
    const { store, runId } = await withRun()
    await spinError(
      spin(Nested, "mid", { store, task: 3 }),
      NotFoundError,
      `artiflow: spin: task 3 is out of range: step 'mid' of run '${runId}' has tasks 0 to 2`
    )
    await spinError(
      spin(Nested, "mid", { store }),
      NotFoundError,
      `artiflow: spin: step 'mid' has 3 tasks in run '${runId}': pick one with task (tasks 0 to 2)`
    )
    await spinError(
      spin(Nested, "start", { store, task: 1 }),
      NotFoundError,
      `artiflow: spin: task 1 is out of range: step 'start' of run '${runId}' has tasks: '0'`
    )
    expect((await spin(Nested, "start", { store, task: 0 })).output).toEqual({ outer: [1, 2, 3] })
  })

  test("in nested foreaches, tasks are named by id, and an unknown id lists the ids", async () => {
    const { store, runId } = await withRun()
    const ids = "'0.0', '0.1', '1.0', '1.1', '2.0', '2.1'"
    await spinError(
      spin(Nested, "leaf", { store, task: 1 }),
      NotFoundError,
      `artiflow: spin: step 'leaf' runs in nested foreaches: name its task by id, such as '0.0', not by index 1 (tasks: ${ids})`
    )
    await spinError(
      spin(Nested, "leaf", { store, task: "3.0" }),
      NotFoundError,
      `artiflow: spin: no task '3.0': step 'leaf' of run '${runId}' has tasks: ${ids}`
    )
    expect((await spin(Nested, "leaf", { store, task: "2.1" })).output).toEqual({ v: 30 })
  })
})

describe("spin refuses", () => {
  test("options of the wrong kind, from plain JavaScript", async () => {
    const { store } = await withRun()
    const untyped = spin as unknown as (flow: unknown, step: unknown, options?: unknown) => Promise<unknown>
    const cases: ReadonlyArray<[unknown, unknown, string]> = [
      ["start", { store, task: -1 }, "task"],
      ["start", { store, task: 1.5 }, "task"],
      ["start", { store, persist: "yes" }, "persist"],
      ["start", { store, origin: "../other" }, "origin"],
      ["start", { store: {} }, "store"],
      [42, { store }, "step"]
    ]
    for (const [step, options, option] of cases) {
      const error = await untyped(Nested, step, options).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(FlowDefinitionError)
      expect((error as Error).message).toMatch(new RegExp(`^artiflow: spin of flow 'Nested': option '?${option}'? `))
    }
    await expect(untyped({ not: "a flow" }, "start", { store })).rejects.toThrow(FlowDefinitionError)
  })

  test("a flow whose step now runs at another foreach depth than in the run", async () => {
    const { store, runId } = await withRun()
    const Flattened = pipe(
      flow("Nested"),
      step("start", () => ({ outer: [1, 2, 3] })),
      foreach("outer", step("leaf", (_a, ctx) => ({ v: ctx.input }))),
      join("end", (inputs) => ({ total: inputs.length }))
    )
    await spinError(
      spin(Flattened, "leaf", { store, task: "1.1" }),
      FlowDefinitionError,
      `artiflow: spin of 'leaf': in run '${runId}' it ran inside 2 foreach(es), in this version of flow 'Nested' inside 1: the task's record cannot be rebuilt; spin a run of this version of the flow`
    )
  })
})
