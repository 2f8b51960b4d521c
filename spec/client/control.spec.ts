/**
 * The read side of `choose` and `loop` (DESIGN.md §5, §8): the graph records chooses and loops; a loop body
 * step's tasks come ordered by iteration, then foreach index, each with `task.iteration`; steps of cases not
 * taken are `skipped`; the decisions are readable from the choose's and the loop's records.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { expect, test } from "vitest"
import { choose, Client, flow, foreach, join, loop, param, run, step } from "artiflow"
import { forEachStore } from "../stores.js"

const Tuned = pipe(
  flow("Tuned", { params: { n: param(t.number) } }),
  step("start", (a) => ({ size: a.n > 100 ? ("big" as const) : ("small" as const), xs: [10, 20, 30], w: 0 })),
  choose("size", {
    big: (f) => pipe(f, step("shard", () => ({ parts: 8 })), step("plan", (a) => ({ plan: `x${a.parts}` }))),
    small: step("inline", () => ({ plan: "inline" }))
  }),
  loop(
    "fit",
    (f) =>
      pipe(
        f,
        foreach("xs", step("score", (a, ctx) => ({ s: ctx.input + ctx.iteration }))),
        join("best", (inputs, a) => ({ w: a.w + 1, best: Math.max(...inputs.map((i) => i.s)) }))
      ),
    { until: (a) => a.w >= 11, maxIterations: 20 }
  ),
  step("end", (a) => ({ summary: `${a.plan}:${a.best}` }))
)

forEachStore((_name, makeStore) => {
  test("the graph records the choose (selector, id, cases) and the loop (body, cap)", async () => {
    const store = await makeStore()
    const result = await run(Tuned, { params: { n: 500 }, store })
    const r = await Client.open(store).run("Tuned", result.runId)
    const [, chooseNode, loopNode] = r.graph.nodes
    expect(chooseNode).toMatchObject({ kind: "choose", id: "size", selector: "size" })
    expect(chooseNode?.kind === "choose" && chooseNode.cases.map((c) => c.name)).toEqual(["big", "small"])
    expect(loopNode).toMatchObject({ kind: "loop", name: "fit", maxIterations: 20 })
    expect(r.steps().map((s) => [s.name, s.kind])).toEqual([
      ["start", "step"],
      ["shard", "step"],
      ["plan", "step"],
      ["inline", "step"],
      ["score", "step"],
      ["best", "join"],
      ["fit", "loop"],
      ["end", "step"]
    ])
  })

  test("a loop body step's tasks: by iteration, then by index (i10 after i9), each with task.iteration", async () => {
    const store = await makeStore()
    const result = await run(Tuned, { params: { n: 500 }, store })
    const r = await Client.open(store).run(Tuned, result.runId)
    const tasks = await r.step("score").tasks()
    expect(tasks).toHaveLength(33)
    expect(tasks.slice(0, 4).map((task) => [task.id, task.iteration, task.index])).toEqual([
      ["i0.0", 0, 0],
      ["i0.1", 0, 1],
      ["i0.2", 0, 2],
      ["i1.0", 1, 0]
    ])
    expect(tasks.slice(27, 31).map((task) => task.id)).toEqual(["i9.0", "i9.1", "i9.2", "i10.0"])
    expect(await tasks[31]?.artifact("s")).toBe(30)
    expect((await r.step("best").tasks()).map((task) => task.iteration)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect((await r.step("start").tasks())[0]?.iteration).toBeUndefined()
    expect(await r.artifact("summary")).toBe("x8:40")
  })

  test("steps of the case not taken are skipped; the others succeeded; the decisions are on the records", async () => {
    const store = await makeStore()
    const small = await run(Tuned, { params: { n: 5 }, store })
    const r = await Client.open(store).run("Tuned", small.runId)
    expect(await r.step("inline").status()).toBe("succeeded")
    expect(await r.step("shard").status()).toBe("skipped")
    expect(await r.step("plan").status()).toBe("skipped")
    expect(await r.step("shard").tasks()).toEqual([])
    const [record] = await r.step("choose:size").tasks()
    expect(record?.decision).toEqual({ kind: "choose", value: "small", case: "small" })
    const [loopRecord] = await r.step("fit").tasks()
    expect(loopRecord?.decision).toMatchObject({ kind: "loop", iterations: 11 })
    expect((await r.choices()).taken.get("size")).toEqual(new Map([["small", 1]]))
    expect(await r.artifact("summary")).toBe("inline:40")
  })

  test("a flow ending with a choose: the run's artifacts are the taken case's final record", async () => {
    const EndsInChoice = pipe(
      flow("EndsInChoice"),
      step("start", () => ({ mode: "a" as "a" | "b" })),
      choose("mode", { a: step("doA", () => ({ out: "A" })), b: (f) => f })
    )
    const store = await makeStore()
    const result = await run(EndsInChoice, { store })
    // By name: the typed handle knows that only one case writes `out`.
    const r = await Client.open(store).run("EndsInChoice", result.runId)
    expect(await r.artifact("out")).toBe("A")
    expect(await r.artifactNames()).toEqual(["mode", "out"])
  })
})
