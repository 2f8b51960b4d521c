/** DESIGN.md §3.4-§3.5 at run time: split branches and the merge at their join. */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { FlowDefinitionError } from "../../lib/errors.js"
import { flow, join, run, split, step } from "../../lib/index.js"
import { conflictUnhandled, equalMismatch, notAConflict } from "../../lib/types/messages.js"
import { expectCause, runFailure } from "./failure.js"
import { manifestOf } from "./manifests.js"
import { forEachStore, quiet } from "../stores.js"
import { chain, js } from "./untyped.js"

/** start writes base and x; left writes x and onlyLeft; right writes y (x inherited there): x conflicts. */
const conflicted = (name: string, joinStage: (flow: unknown) => unknown): unknown =>
  chain(
    js.flow(name),
    js.step("start", () => ({ base: 0, x: 1 })),
    js.split({
      left: js.step("l", () => ({ x: 10, onlyLeft: "L" })),
      right: js.step("r", () => ({ y: 2 }))
    }),
    joinStage
  )

forEachStore((_name, makeStore) => {
  describe("pass-through", () => {
    test("keys written in no branch, or in one branch and absent before, pass through", async () => {
      const seen: Array<Record<string, unknown>> = []
      const F = pipe(
        flow("Pass"),
        step("start", () => ({ kept: "k" })),
        split({
          left: step("l", (a) => {
            seen.push({ ...a })
            return { fromLeft: 1 }
          }),
          right: (f) =>
            pipe(
              f,
              step("r1", (a) => {
                seen.push({ ...a })
                return { fromRight: 2 }
              }),
              step("r2", (a) => ({ fromR2: a.fromRight + 1 }))
            )
        }),
        join("merge", (inputs, a) => ({ keys: Object.keys(a).sort(), branches: Object.keys(inputs).sort() }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(seen).toEqual([{ kept: "k" }, { kept: "k" }])
      expect(result.artifacts).toEqual({
        kept: "k",
        fromLeft: 1,
        fromRight: 2,
        fromR2: 3,
        keys: ["fromLeft", "fromR2", "fromRight", "kept"],
        branches: ["left", "right"]
      })
    })
  })

  describe("conflicts", () => {
    test("resolve computes the value from every branch's (written or inherited) value", async () => {
      const resolved: Array<unknown> = []
      const F = pipe(
        flow("Resolve"),
        step("start", () => ({ x: 1 })),
        split({ left: step("l", () => ({ x: 10 })), right: step("r", () => ({ y: 2 })) }),
        join("merge", {
          resolve: {
            x: (xs) => {
              resolved.push(xs)
              return xs.left + xs.right
            }
          }
        })
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(resolved).toEqual([{ left: 10, right: 1 }])
      expect(result.artifacts).toEqual({ x: 11, y: 2 })
    })

    test("take keeps one branch's value; exclude drops the key (the join's manifest removes it)", async () => {
      const store = await makeStore()
      const F = pipe(
        flow("TakeExclude"),
        step("start", () => ({ x: 1, z: "before" })),
        split({
          left: step("l", () => ({ x: 10, z: "left" })),
          right: step("r", () => ({ x: 20 }))
        }),
        join("merge", { take: { x: "right" }, exclude: ["z"] })
      )
      const result = await run(F, { store, log: quiet })
      expect(result.artifacts).toEqual({ x: 20 })
      const merge = await manifestOf(store, "TakeExclude", result.runId, "merge")
      expect(merge.removed).toEqual(["z"])
      expect(Object.keys(merge.artifacts)).toEqual(["x"])
      expect(merge.base).toEqual({ runId: result.runId, step: "start", taskId: "0", attempt: 0 })
    })

    test("equal passes when every branch holds the same content (key order ignored)", async () => {
      const F = pipe(
        flow("EqualSplit"),
        step("start", () => ({ n: 1 })),
        split({
          left: step("l", () => ({ cfg: { a: 1, b: [2] } })),
          right: step("r", () => ({ cfg: { b: [2], a: 1 } }))
        }),
        join("merge", { equal: ["cfg"] })
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts).toEqual({ n: 1, cfg: { a: 1, b: [2] } })
    })

    test("equal with differing branch values fails with equalMismatch", async () => {
      const F = pipe(
        flow("EqualSplitBad"),
        step("start", () => ({ n: 1 })),
        split({ left: step("l", () => ({ cfg: 1 })), right: step("r", () => ({ cfg: 2 })) }),
        join("merge", { equal: ["cfg"] })
      )
      const failure = await runFailure(run(F, { store: await makeStore(), log: quiet }))
      expectCause(failure, FlowDefinitionError, equalMismatch("merge", "cfg", "left", "right"))
      expect([failure.step, failure.taskId]).toEqual(["merge", "0"])
    })

    test("a join function may return the conflict instead", async () => {
      const F = pipe(
        flow("FnConflict"),
        step("start", () => ({ x: 1 })),
        split({ left: step("l", () => ({ x: 10 })), right: step("r", () => ({ x: 20 })) }),
        join("merge", (inputs, a) => ({ x: inputs.left.x + inputs.right.x, sawX: "x" in a }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts).toEqual({ x: 30, sawX: false })
    })

    test("an unhandled conflict fails with the conflictUnhandled message", async () => {
      const store = await makeStore()
      const F = conflicted("Unhandled", js.join("merge"))
      const failure = await runFailure(js.run(F, { store, log: quiet, runId: "r1" }))
      expectCause(failure, FlowDefinitionError, conflictUnhandled("merge", "x"))
      expect([failure.step, failure.taskId]).toEqual(["merge", "0"])
      const merge = await manifestOf(store, "Unhandled", "r1", "merge")
      expect([merge.status, merge.artifacts]).toEqual(["failed", {}])
    })

    test("a join function that does not return the conflict fails the same way", async () => {
      const F = conflicted("UnhandledFn", js.join("merge", () => ({ other: 1 })))
      const failure = await runFailure(js.run(F, { store: await makeStore(), log: quiet }))
      expectCause(failure, FlowDefinitionError, conflictUnhandled("merge", "x"))
    })

    test.each([
      ["resolve", { resolve: { x: () => 0, y: () => 0 } }],
      ["take", { take: { x: "left", onlyLeft: "left" } }],
      ["exclude", { exclude: ["x", "base"] }],
      ["equal", { exclude: ["x"], equal: ["y"] }]
    ])("handling a key that is not a conflict (%s) fails with notAConflict", async (option, options) => {
      const F = conflicted("NotConflict", js.join("merge", options))
      const failure = await runFailure(js.run(F, { store: await makeStore(), log: quiet }))
      const stray = { resolve: "y", take: "onlyLeft", exclude: "base", equal: "y" }[option] as string
      expectCause(failure, FlowDefinitionError, notAConflict("merge", stray, option))
    })

    test("a typed flow cast past the compiler fails the same way", async () => {
      const F = pipe(
        flow("CastConflict"),
        step("start", () => ({ x: 1 })),
        split({ left: step("l", () => ({ x: 10 })), right: step("r", () => ({ y: 2 })) }),
        join("merge" as never)
      )
      const failure = await runFailure(run(F, { store: await makeStore(), log: quiet }))
      expectCause(failure, FlowDefinitionError, conflictUnhandled("merge", "x"))
    })
  })

  describe("nested splits", () => {
    test("an inner split merges first, and its result takes part in the outer merge", async () => {
      const F = pipe(
        flow("NestedSplit"),
        step("start", () => ({ x: 0 })),
        split({
          outerA: (f) =>
            pipe(
              f,
              split({ innerA: step("ia", () => ({ x: 1, p: "a" })), innerB: step("ib", () => ({ x: 2, q: "b" })) }),
              join("innerMerge", { resolve: { x: (xs) => xs.innerA * 10 + xs.innerB } })
            ),
          outerB: step("ob", (a) => ({ r: a.x + 100 }))
        }),
        join("outerMerge", { resolve: { x: (xs) => [xs.outerA, xs.outerB].join("/") } })
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts).toEqual({ x: "12/0", p: "a", q: "b", r: 100 })
    })
  })
})
