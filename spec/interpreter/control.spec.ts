/**
 * DESIGN.md §8 at run time, on both stores: `choose` runs exactly the case its selector's value picks and the
 * record after it holds what that case wrote; `loop` runs its body until `until` says so, each iteration in
 * tasks of its own; the caps and the failures name the loop; both nest in every direction.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import {
  choose,
  Client,
  FlowDefinitionError,
  flow,
  foreach,
  join,
  loop,
  memoryStore,
  param,
  ResourceLimitError,
  run,
  split,
  step,
  UntilError
} from "../../lib/index.js"
import type { RunEvent } from "../../lib/index.js"
import { chooseMissing, chooseWide, iterationOutsideLoop, loopLimit, noCaseFor, untilFailed, untilNotBoolean } from "../../lib/types/messages.js"
import { expectCause, runFailure } from "./failure.js"
import { latestManifests } from "./manifests.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import type { TaskManifest } from "../../lib/datastore/Manifest.js"
import { forEachStore, quiet } from "../stores.js"
import { chain, js } from "./untyped.js"

const jsChoose = choose as unknown as (selector: unknown, cases: unknown) => (f: unknown) => unknown
const jsLoop = loop as unknown as (name: unknown, body: unknown, options: unknown) => (f: unknown) => unknown

/** The design's example (DESIGN.md §8), with the steps it ran recorded. */
const Route = pipe(
  flow("Route", { params: { n: param(t.number) } }),
  step("start", (a) => ({ size: a.n > 100 ? ("big" as const) : ("small" as const), w: 0, loss: 1 })),
  choose("size", {
    big: (f) => pipe(f, step("shard", () => ({ parts: 8 })), step("plan", (a) => ({ plan: `x${a.parts}` }))),
    small: step("inline", () => ({ plan: "inline" }))
  }),
  loop("fit", (f) => pipe(f, step("update", (a) => ({ w: Math.round((a.w + 0.1) * 10) / 10 })), step("evaluate", (a) => ({ loss: (1 - a.w) ** 2 }))), {
    until: (a) => a.loss < 0.01,
    maxIterations: 100
  }),
  step("end", (a) => ({ summary: `${a.plan} ${a.w}` }))
)

/** The latest attempt of every task of a run. */
const manifestsOf = async (store: Datastore, flowName: string, runId: string): Promise<ReadonlyArray<TaskManifest>> => [
  ...(await latestManifests(store, flowName, runId)).values()
]

/** The tasks a run finished, as "step/taskId", in the order they finished. */
const finishedTasks = () => {
  const tasks: Array<string> = []
  const onEvent = (event: RunEvent): void => {
    if (event.type === "task-finished") tasks.push(`${event.step}/${event.taskId}`)
  }
  return { tasks, onEvent }
}

forEachStore((_name, makeStore) => {
  describe("choose", () => {
    test("runs the case the selector's value picks; the record after it holds what that case wrote", async () => {
      const store = await makeStore()
      const big = finishedTasks()
      const result = await run(Route, { params: { n: 500 }, store, log: quiet, onEvent: big.onEvent })
      expect(result.artifacts).toMatchObject({ size: "big", parts: 8, plan: "x8", summary: "x8 0.9" })
      expect(big.tasks).toContain("shard/0")
      expect(big.tasks).not.toContain("inline/0")
      const small = finishedTasks()
      const other = await run(Route, { params: { n: 5 }, store, log: quiet, onEvent: small.onEvent })
      expect(other.artifacts).toMatchObject({ size: "small", plan: "inline", summary: "inline 0.9" })
      expect(Object.hasOwn(other.artifacts, "parts")).toBe(false)
      expect(small.tasks.filter((task) => task.startsWith("shard") || task.startsWith("plan"))).toEqual([])
    })

    test("boolean and number selectors pick the cases keyed 'true'/'false' and by the number's string form", async () => {
      const F = pipe(
        flow("Keys", { params: { k: param(t.union([t.literal(1), t.literal(2)])) } }),
        step("start", (a) => ({ odd: a.k % 2 === 1 })),
        choose("odd", { true: step("yes", () => ({ said: "odd" })), false: step("no", () => ({ said: "even" })) }),
        choose("k", { 1: step("one", (a) => ({ n: `${a.said}1` })), 2: step("two", (a) => ({ n: `${a.said}2` })) })
      )
      const store = await makeStore()
      expect((await run(F, { params: { k: 1 }, store, log: quiet })).artifacts.n).toBe("odd1")
      expect((await run(F, { params: { k: 2 }, store, log: quiet })).artifacts.n).toBe("even2")
    })

    test("a case that does nothing leaves the record as it was", async () => {
      const F = pipe(
        flow("Noop"),
        step("start", () => ({ mode: "skip" as "skip" | "work", x: 1 })),
        choose("mode", { skip: (f) => f, work: step("work", () => ({ x: 2 })) }),
        step("end", (a) => ({ y: a.x * 10 }))
      )
      expect((await run(F, { store: await makeStore(), log: quiet })).artifacts).toEqual({ mode: "skip", x: 1, y: 10 })
    })

    test("the choose's record says which case was taken", async () => {
      const store = await makeStore()
      const result = await run(Route, { params: { n: 500 }, store, log: quiet })
      const records = (await manifestsOf(store, "Route", result.runId)).filter((m) => m.step === "choose:size")
      expect(records.map((m) => [m.taskId, m.status, m.decision])).toEqual([["0", "succeeded", { kind: "choose", value: "big", case: "big" }]])
    })

    test("plain JavaScript: a value without a case fails the run naming the value and the cases", async () => {
      const F = chain(
        js.flow("NoCase"),
        js.step("start", () => ({ size: "medium" })),
        jsChoose("size", { big: js.step("b", () => ({})), small: js.step("s", () => ({})) })
      )
      const failure = await runFailure(js.run(F, { store: await makeStore(), log: quiet }))
      expect(failure.step).toBe("start")
      expectCause(failure, FlowDefinitionError, noCaseFor("size", "medium", "'big', 'small'"))
    })

    test("plain JavaScript: a missing selector, and a selector that is not a string, number or boolean", async () => {
      const missing = chain(js.flow("Missing"), js.step("start", () => ({})), jsChoose("size", { big: js.step("b", () => ({})) }))
      expectCause(await runFailure(js.run(missing, { store: await makeStore(), log: quiet })), FlowDefinitionError, chooseMissing("size"))
      const wide = chain(js.flow("Wide"), js.step("start", () => ({ size: { big: true } })), jsChoose("size", { big: js.step("b", () => ({})) }))
      expectCause(await runFailure(js.run(wide, { store: await makeStore(), log: quiet })), FlowDefinitionError, chooseWide("size"))
    })

    test("in a foreach body each task decides for itself; the join sees what each case wrote", async () => {
      const F = pipe(
        flow("Each"),
        step("start", () => ({ xs: [1, 2, 3, 4] })),
        foreach(
          "xs",
          (f) =>
            pipe(
              f,
              step("classify", (_a, ctx) => ({ kind: ctx.input % 2 === 0 ? ("even" as const) : ("odd" as const) })),
              choose("kind", {
                even: step("half", (_a, ctx) => ({ out: ctx.input / 2 })),
                odd: step("triple", (_a, ctx) => ({ out: ctx.input * 3 }))
              })
            )
        ),
        join("collect", (inputs) => ({ outs: inputs.map((i) => i.out) }))
      )
      const store = await makeStore()
      const result = await run(F, { store, log: quiet })
      expect(result.artifacts.outs).toEqual([3, 1, 9, 2])
      const decisions = (await manifestsOf(store, "Each", result.runId))
        .filter((m) => m.step === "choose:kind")
        .map((m) => [m.taskId, m.decision?.kind === "choose" ? m.decision.case : undefined])
        .sort()
      expect(decisions).toEqual([["0", "odd"], ["1", "even"], ["2", "odd"], ["3", "even"]])
    })

    test("in a split branch: the join merges what the case taken wrote", async () => {
      const F = pipe(
        flow("Branchy"),
        step("start", () => ({ pick: "a" as "a" | "b", x: 0 })),
        split({
          left: choose("pick", { a: step("la", () => ({ l: "A" })), b: step("lb", () => ({ l: "B" })) }),
          right: step("r", () => ({ r: 1 }))
        }),
        join("merge"),
        step("end", (a) => ({ out: `${a.l}${a.r}` }))
      )
      expect((await run(F, { store: await makeStore(), log: quiet })).artifacts.out).toBe("A1")
    })

    test("a case with a split and a foreach closed inside it", async () => {
      const F = pipe(
        flow("Inner"),
        step("start", () => ({ how: "wide" as "wide" | "narrow", xs: [1, 2] })),
        choose("how", {
          wide: (f) =>
            pipe(
              f,
              split({ a: step("a", () => ({ p: 1 })), b: step("b", () => ({ q: 2 })) }),
              join("ab"),
              foreach("xs", step("each", (a, ctx) => ({ v: ctx.input + a.p + a.q }))),
              join("sum", (inputs) => ({ total: inputs.reduce((s, i) => s + i.v, 0) }))
            ),
          narrow: step("narrow", () => ({ total: 0 }))
        })
      )
      expect((await run(F, { store: await makeStore(), log: quiet })).artifacts.total).toBe(9)
    })
  })

  describe("loop", () => {
    test("runs the body until `until` holds, each iteration on the record the previous one ended with", async () => {
      const store = await makeStore()
      const seen = finishedTasks()
      const result = await run(Route, { params: { n: 5 }, store, log: quiet, onEvent: seen.onEvent })
      expect(result.artifacts.w).toBe(0.9)
      // w goes 0.1, 0.2, ..., 0.9, where (1 - 0.9) ** 2 is just below 0.01 in floating point: 9 iterations.
      expect(seen.tasks.filter((task) => task.startsWith("update/"))).toEqual(Array.from({ length: 9 }, (_, i) => `update/i${i}`))
      const record = (await manifestsOf(store, "Route", result.runId)).find((m) => m.step === "fit")
      expect(record?.decision).toEqual({ kind: "loop", iterations: 9, until: [...Array(8).fill(false), true] })
    })

    test("ctx.iteration and ctx.loopStack, outermost first; nested loops restart the inner count", async () => {
      const seen: Array<string> = []
      const F = pipe(
        flow("Nested"),
        step("start", () => ({ outer: 0, inner: 0 })),
        loop(
          "outerLoop",
          (f) =>
            pipe(
              f,
              step("resetInner", () => ({ inner: 0 })),
              loop(
                "innerLoop",
                step("tick", (a, ctx) => {
                  seen.push(`${ctx.loopStack.map((frame) => `${frame.loop}:${frame.iteration}`).join(",")}@${ctx.iteration}`)
                  return { inner: a.inner + 1 }
                }),
                { until: (a) => a.inner >= 2 }
              ),
              step("count", (a) => ({ outer: a.outer + 1 }))
            ),
          { until: (a) => a.outer >= 2 }
        )
      )
      const store = await makeStore()
      const result = await run(F, { store, log: quiet })
      expect(result.artifacts).toEqual({ outer: 2, inner: 2 })
      expect(seen).toEqual([
        "outerLoop:0,innerLoop:0@0",
        "outerLoop:0,innerLoop:1@1",
        "outerLoop:1,innerLoop:0@0",
        "outerLoop:1,innerLoop:1@1"
      ])
      const ticks = (await manifestsOf(store, "Nested", result.runId)).filter((m) => m.step === "tick")
      expect(ticks.map((m) => m.taskId).sort()).toEqual(["i0.i0", "i0.i1", "i1.i0", "i1.i1"])
      expect(ticks.find((m) => m.taskId === "i1.i0")?.loopStack).toEqual([
        { loop: "outerLoop", iteration: 1 },
        { loop: "innerLoop", iteration: 0 }
      ])
    })

    test("artifacts the body creates are visible after the loop", async () => {
      const F = pipe(
        flow("Creates"),
        step("start", () => ({ n: 0 })),
        loop("grow", step("inc", (a, ctx) => ({ n: a.n + 1, last: ctx.iteration })), { until: (a) => a.n === 3 }),
        step("end", (a) => ({ both: `${a.n}/${a.last}` }))
      )
      expect((await run(F, { store: await makeStore(), log: quiet })).artifacts.both).toBe("3/2")
    })

    test("maxIterations: needing one more iteration fails the run with a ResourceLimitError naming the loop", async () => {
      const F = pipe(
        flow("Capped"),
        step("start", () => ({ n: 0 })),
        loop("forever", step("inc", (a) => ({ n: a.n + 1 })), { until: () => false, maxIterations: 3 })
      )
      const store = await makeStore()
      const failure = await runFailure(run(F, { store, log: quiet }))
      expect(failure.step).toBe("forever")
      expectCause(failure, ResourceLimitError, loopLimit("forever", 3))
      const manifests = await manifestsOf(store, "Capped", failure.runId)
      expect(manifests.filter((m) => m.step === "inc").map((m) => m.taskId).sort()).toEqual(["i0", "i1", "i2"])
      expect(manifests.find((m) => m.step === "forever")).toMatchObject({ status: "failed", decision: { iterations: 3, until: [false, false, false] } })
    })

    test("the default cap is 100 iterations", async () => {
      const F = pipe(
        flow("DefaultCap"),
        step("start", () => ({ n: 0 })),
        loop("forever", step("inc", (a) => ({ n: a.n + 1 })), { until: () => false })
      )
      expectCause(await runFailure(run(F, { store: await makeStore(), log: quiet })), ResourceLimitError, loopLimit("forever", 100))
    })

    test("until throwing fails the run naming the loop and the iteration; a non-boolean result too", async () => {
      const F = pipe(
        flow("Throws"),
        step("start", () => ({ n: 0 })),
        loop(
          "fit",
          step("inc", (a) => ({ n: a.n + 1 })),
          {
            until: (a) => {
              if (a.n === 2) throw new Error("diverged")
              return false
            }
          }
        )
      )
      const failure = await runFailure(run(F, { store: await makeStore(), log: quiet }))
      expect(failure.step).toBe("fit")
      const cause = expectCause(failure, UntilError, untilFailed("fit", 1, "diverged"))
      expect([cause.loop, cause.iteration]).toEqual(["fit", 1])
      const odd = chain(js.flow("Odd"), js.step("start", () => ({})), jsLoop("fit", js.step("a", () => ({})), { until: () => "yes" }))
      expectCause(await runFailure(js.run(odd, { store: await makeStore(), log: quiet })), FlowDefinitionError, untilNotBoolean("fit", 0, "yes"))
    })

    test("plain JavaScript: ctx.iteration outside a loop fails the step with the compiler's message", async () => {
      const F = chain(
        js.flow("Outside"),
        js.step("start", (_a: unknown, ctx: { iteration: number }) => ({ i: ctx.iteration }))
      )
      expectCause(await runFailure(js.run(F, { store: await makeStore(), log: quiet })), FlowDefinitionError, iterationOutsideLoop("start", "iteration"))
    })

    test("a foreach and a split inside the body: task ids carry the iteration, then the index", async () => {
      const F = pipe(
        flow("Body"),
        step("start", () => ({ xs: [1, 2], total: 0 })),
        loop(
          "round",
          (f) =>
            pipe(
              f,
              foreach("xs", step("each", (a, ctx) => ({ v: ctx.input + a.total }))),
              join("sum", (inputs, a) => ({ total: a.total + inputs.reduce((s, i) => s + i.v, 0) })),
              split({ l: step("l", (a) => ({ lt: a.total })), r: step("r", () => ({ rt: 1 })) }),
              join("lr")
            ),
          { until: (a) => a.total > 10 }
        )
      )
      const store = await makeStore()
      const result = await run(F, { store, log: quiet })
      // total: 0 -> 3 -> 3 + (4 + 5) = 12
      expect(result.artifacts.total).toBe(12)
      const ids = (await manifestsOf(store, "Body", result.runId)).filter((m) => m.step === "each").map((m) => m.taskId).sort()
      expect(ids).toEqual(["i0.0", "i0.1", "i1.0", "i1.1"])
    })

    test("in a foreach body each item loops on its own; ids put the index before the iteration", async () => {
      const F = pipe(
        flow("PerItem"),
        step("start", () => ({ xs: [1, 3] })),
        foreach(
          "xs",
          (f) =>
            pipe(
              f,
              step("init", (_a, ctx) => ({ n: ctx.input })),
              loop("count", step("inc", (a) => ({ n: a.n + 1 })), { until: (a) => a.n >= 4 })
            )
        ),
        join("all", (inputs) => ({ ns: inputs.map((i) => i.n) }))
      )
      const store = await makeStore()
      const result = await run(F, { store, log: quiet })
      expect(result.artifacts.ns).toEqual([4, 4])
      const ids = (await manifestsOf(store, "PerItem", result.runId)).filter((m) => m.step === "inc").map((m) => m.taskId).sort()
      expect(ids).toEqual(["0.i0", "0.i1", "0.i2", "1.i0"])
    })

    test("a choose in the body decides again each iteration; a loop inside a case", async () => {
      const F = pipe(
        flow("Mixed"),
        step("start", () => ({ n: 0, phase: "warm" as "warm" | "hot", log: "" })),
        loop(
          "run",
          (f) =>
            pipe(
              f,
              choose("phase", {
                warm: step("warmUp", (a) => ({ n: a.n + 1, phase: a.n + 1 >= 2 ? ("hot" as const) : ("warm" as const), log: `${a.log}w` })),
                hot: loop("burn", step("burnOnce", (a) => ({ n: a.n + 10, log: `${a.log}h` })), { until: (a) => a.n >= 30 })
              })
            ),
          { until: (a) => a.n >= 30 }
        )
      )
      const store = await makeStore()
      const result = await run(F, { store, log: quiet })
      expect(result.artifacts).toMatchObject({ n: 32, log: "wwhhh" })
      const manifests = await manifestsOf(store, "Mixed", result.runId)
      expect(manifests.filter((m) => m.step === "choose:phase").map((m) => [m.taskId, m.decision?.kind === "choose" && m.decision.case]).sort()).toEqual([
        ["i0", "warm"],
        ["i1", "warm"],
        ["i2", "hot"]
      ])
      expect(manifests.filter((m) => m.step === "burnOnce").map((m) => m.taskId).sort()).toEqual(["i2.i0", "i2.i1", "i2.i2"])
    })

    test("in a split branch, next to a branch without a loop", async () => {
      const F = pipe(
        flow("LoopBranch"),
        step("start", () => ({ n: 0 })),
        split({
          looping: loop("up", step("inc", (a) => ({ n: a.n + 1 })), { until: (a) => a.n >= 3 }),
          plain: step("other", () => ({ o: "o" }))
        }),
        join("merge", { take: { n: "looping" } })
      )
      expect((await run(F, { store: await makeStore(), log: quiet })).artifacts).toEqual({ n: 3, o: "o" })
    })
  })
})

describe("a store that refuses a choose's record", () => {
  test("the run fails charged to the choose's record, after the case ran; nothing is reported skipped", async () => {
    const inner = memoryStore()
    const refusing: Datastore = Object.create(inner) as Datastore
    Object.defineProperty(refusing, "commitManifests", {
      value: (flowName: string, runId: string, manifests: ReadonlyArray<TaskManifest>) =>
        manifests.some((m) => m.step.startsWith("choose:"))
          ? Promise.reject(new Error("disk full"))
          : inner.commitManifests(flowName, runId, manifests)
    })
    const failure = await runFailure(run(Route, { params: { n: 500 }, store: refusing, log: quiet }))
    expect([failure.step, failure.taskId]).toEqual(["choose:size", "0"])
    expect((failure.cause as Error).message).toContain("disk full")
    const handle = await Client.open(inner).run("Route", failure.runId)
    expect(await handle.step("inline").status()).toBe("not run")
    expect(handle.status).toBe("failed")
  })
})
