/**
 * resume of flows with `choose` and `loop` (DESIGN.md §8): the iterations before the failed one are reused
 * and the loop continues from it; the case taken is decided again from the reused selector, and its
 * succeeded tasks are reused; `from` may name a loop (all its iterations run again) or a step in a case.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { choose, flow, foreach, join, loop, resume, run, spin, step } from "../../lib/index.js"
import type { RunEvent } from "../../lib/index.js"
import { runFailure } from "./failure.js"
import { forEachStore, quiet } from "../stores.js"

/** Which tasks a run cloned and which it ran, as "step/task". */
const recorder = () => {
  const cloned: Array<string> = []
  const ran: Array<string> = []
  const onEvent = (event: RunEvent): void => {
    if (event.type !== "task-finished") return
    ;(event.status === "cloned" ? cloned : ran).push(`${event.step}/${event.taskId}`)
  }
  return { cloned: () => [...cloned].sort(), ran: () => [...ran].sort(), onEvent }
}

/** Tasks that throw while their "step/task" is listed. */
const failing = new Set<string>()
const unless = (task: string): void => {
  if (failing.has(task)) throw new Error(`${task} failed`)
}

const Optimise = pipe(
  flow("Optimise"),
  step("start", () => ({ w: 0, xs: [1, 2] })),
  loop(
    "fit",
    (f) =>
      pipe(
        f,
        foreach(
          "xs",
          step("grad", (a, ctx) => {
            unless(`grad/i${ctx.iteration}.${ctx.index}`)
            return { g: ctx.input }
          })
        ),
        join("sum", (inputs, a) => ({ w: a.w + inputs.reduce((s, i) => s + i.g, 0) })),
        step("check", (a, ctx) => {
          unless(`check/i${ctx.iteration}`)
          return { done: a.w >= 12 }
        })
      ),
    { until: (a) => a.done, maxIterations: 10 }
  ),
  step("end", (a) => ({ result: a.w }))
)

const Route = pipe(
  flow("RouteResume"),
  step("start", () => ({ size: "big" as "big" | "small" })),
  choose("size", {
    big: (f) =>
      pipe(
        f,
        step("shard", () => ({ parts: 8 })),
        step("plan", (a) => {
          unless("plan/0")
          return { plan: `x${a.parts}` }
        })
      ),
    small: step("inline", () => ({ plan: "inline" }))
  }),
  step("end", (a) => ({ summary: a.plan }))
)

forEachStore((_name, makeStore) => {
  test("a failure in iteration 2 reuses iterations 0 and 1, and the loop continues from iteration 2", async () => {
    const store = await makeStore()
    failing.add("grad/i2.1")
    const failure = await runFailure(run(Optimise, { store, log: quiet }))
    expect([failure.step, failure.taskId]).toEqual(["grad", "i2.1"])
    failing.clear()
    const seen = recorder()
    const result = await resume(Optimise, { store, log: quiet, onEvent: seen.onEvent })
    // w: 3, 6, 9, 12: four iterations.
    expect(result.artifacts.result).toBe(12)
    expect(seen.cloned()).toEqual(["check/i0", "check/i1", "grad/i0.0", "grad/i0.1", "grad/i1.0", "grad/i1.1", "grad/i2.0", "start/0", "sum/i0", "sum/i1"])
    expect(seen.ran()).toEqual(["check/i2", "check/i3", "end/0", "fit/0", "grad/i2.1", "grad/i3.0", "grad/i3.1", "sum/i2", "sum/i3"])
  })

  test("a failure in the last step of an iteration reuses that iteration's earlier tasks", async () => {
    const store = await makeStore()
    failing.add("check/i1")
    await runFailure(run(Optimise, { store, log: quiet }))
    failing.clear()
    const seen = recorder()
    await resume(Optimise, { store, log: quiet, onEvent: seen.onEvent })
    expect(seen.cloned()).toContain("sum/i1")
    expect(seen.ran().filter((task) => task.endsWith("i1") || task.includes("i1."))).toEqual(["check/i1"])
  })

  test("from a loop's name: every iteration runs again, what comes before is reused", async () => {
    const store = await makeStore()
    await run(Optimise, { store, log: quiet })
    const seen = recorder()
    const result = await resume(Optimise, { store, log: quiet, from: "fit", onEvent: seen.onEvent })
    expect(result.artifacts.result).toBe(12)
    expect(seen.cloned()).toEqual(["start/0"])
    expect(seen.ran()).toContain("grad/i0.0")
    expect(seen.ran()).toContain("end/0")
  })

  test("a choose: the case is decided again from the reused selector, and the case's succeeded tasks are reused", async () => {
    const store = await makeStore()
    failing.add("plan/0")
    const failure = await runFailure(run(Route, { store, log: quiet }))
    expect(failure.step).toBe("plan")
    failing.clear()
    const seen = recorder()
    const result = await resume(Route, { store, log: quiet, onEvent: seen.onEvent })
    expect(result.artifacts.summary).toBe("x8")
    expect(seen.cloned()).toEqual(["shard/0", "start/0"])
    expect(seen.ran()).toEqual(["choose:size/0", "end/0", "plan/0"])
  })

  test("from a step inside a case: the case's steps before it are reused", async () => {
    const store = await makeStore()
    await run(Route, { store, log: quiet })
    const seen = recorder()
    await resume(Route, { store, log: quiet, from: "plan", onEvent: seen.onEvent })
    expect(seen.cloned()).toEqual(["shard/0", "start/0"])
    expect(seen.ran()).toEqual(["choose:size/0", "end/0", "plan/0"])
  })
})

describe("spin and control flow", () => {
  const Spun = pipe(
    flow("SpunControl"),
    step("start", () => ({ n: 0, size: "big" as "big" | "small" })),
    loop("count", step("inc", (a) => ({ n: a.n + 1 })), { until: (a) => a.n >= 3 }),
    step("after", (a) => ({ m: a.n * 10 })),
    choose("size", { big: step("bigStep", () => ({ b: 1 })), small: (f) => f }),
    step("last", (a) => ({ done: a.m }))
  )

  forEachStore((_name, makeStore) => {
    test("a step after a loop starts from the record after the loop", async () => {
      const store = await makeStore()
      await run(Spun, { store, log: quiet })
      expect((await spin(Spun, "after", { store, log: quiet })).output).toEqual({ m: 30 })
    })

    test("steps inside a loop or a case, and steps after a choose, are refused with what to do instead", async () => {
      const store = await makeStore()
      await run(Spun, { store, log: quiet })
      await expect(spin(Spun, "inc", { store, log: quiet })).rejects.toThrow(
        "artiflow: spin: 'inc' is inside loop 'count': spin runs one task of a step outside loops; run the loop again with resume(flow, { from: 'count' })"
      )
      await expect(spin(Spun, "bigStep", { store, log: quiet })).rejects.toThrow(/^artiflow: spin: step 'bigStep' is in a case of choose on 'size'/)
      await expect(spin(Spun, "last", { store, log: quiet })).rejects.toThrow(/record after choose on 'size', which depends on the case/)
    })
  })
})
