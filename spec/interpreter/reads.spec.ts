/** DESIGN.md §9 lineage: every task's manifest records what its function read, name -> hash; joins their inputs' too. */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { flow, foreach, join, param, run, split, step } from "../../lib/index.js"
import { ReadLog, tracked } from "../../lib/interpreter/reads.js"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { forEachStore, quiet } from "../stores.js"
import { manifestOf } from "./manifests.js"

const entry = (hash: string): ArtifactEntry => ({ hash, size: 1, type: "number", encoding: "json", inline: "1" })

describe("tracked records", () => {
  const record = Object.freeze({ x: 1, y: { deep: [1, 2] }, z: "z" })
  const entries = new Map([
    ["x", entry("hx")],
    ["y", entry("hy")],
    ["z", entry("hz")]
  ])
  const readsOf = (use: (a: typeof record) => unknown): Readonly<Record<string, string>> => {
    const log = new ReadLog()
    use(tracked(record, log))
    log.close()
    return { ...log.hashes((name) => entries.get(name)) }
  }

  test("a property get, destructuring and nested access read the top-level artifact", () => {
    expect(readsOf((a) => a.x)).toEqual({ x: "hx" })
    expect(readsOf(({ z }) => z)).toEqual({ z: "hz" })
    expect(readsOf((a) => a.y.deep[1])).toEqual({ y: "hy" })
  })

  test("`in` reads the name; absent names and non-artifact keys are not reads", () => {
    expect(readsOf((a) => "z" in a && "nope" in a)).toEqual({ z: "hz" })
    expect(readsOf((a) => [(a as { toJSON?: unknown }).toJSON, String(Object.keys({}))])).toEqual({})
  })

  test("spread, Object.keys, JSON.stringify and for...in read every artifact", () => {
    const all = { x: "hx", y: "hy", z: "hz" }
    expect(readsOf((a) => ({ ...a }))).toEqual(all)
    expect(readsOf((a) => Object.keys(a))).toEqual(all)
    expect(readsOf((a) => JSON.stringify(a))).toEqual(all)
    expect(
      readsOf((a) => {
        const names: Array<string> = []
        for (const name in a) names.push(name)
        return names
      })
    ).toEqual(all)
  })

  test("the view has the record's values, keys and freeze", () => {
    const view = tracked(record, new ReadLog())
    expect(view.y).toBe(record.y)
    expect(Object.keys(view)).toEqual(["x", "y", "z"])
    expect(Object.isFrozen(view)).toBe(true)
    expect({ ...view }).toEqual(record)
  })

  test("nothing is recorded after the log is closed", () => {
    const log = new ReadLog()
    const view = tracked(record, log)
    log.close()
    void view.x
    expect(log.size).toBe(0)
  })
})

forEachStore((_name, makeStore) => {
  test("a step's manifest lists what it read, parameters included, with the hashes of the values read", async () => {
    const F = pipe(
      flow("Reads", { params: { n: param(t.number, { default: 2 }) } }),
      step("start", (a) => ({ x: a.n * 2, y: "unused", z: { deep: 1 } })),
      step("mid", ({ x }) => ({ w: x + 1 })),
      step("nested", (a) => ({ v: a.z.deep })),
      step("none", () => ({ c: 1 }))
    )
    const store = await makeStore()
    const result = await run(F, { store, log: quiet })
    const start = await manifestOf(store, "Reads", result.runId, "start")
    const meta = await store.readRun("Reads", result.runId)
    expect({ ...start.reads }).toEqual({ n: meta?.params.n?.hash })
    const mid = await manifestOf(store, "Reads", result.runId, "mid")
    expect({ ...mid.reads }).toEqual({ x: start.artifacts.x?.hash })
    const nested = await manifestOf(store, "Reads", result.runId, "nested")
    expect({ ...nested.reads }).toEqual({ z: start.artifacts.z?.hash })
    expect({ ...(await manifestOf(store, "Reads", result.runId, "none")).reads }).toEqual({})
  })

  test("an async step's reads after an await count; a failed attempt records none", async () => {
    let failed = false
    const F = pipe(
      flow("AsyncReads"),
      step("start", () => ({ a1: 1, a2: 2 })),
      step(
        "later",
        async (a) => {
          await new Promise((resolve) => setTimeout(resolve, 1))
          if (!failed) {
            failed = true
            throw new Error("once")
          }
          return { b: a.a2 }
        },
        { retry: 1 }
      )
    )
    const store = await makeStore()
    const result = await run(F, { store, log: quiet })
    const manifests = (await store.readManifests("AsyncReads", result.runId)).filter((m) => m.step === "later")
    expect(manifests.map((m) => m.status)).toEqual(["failed", "succeeded"])
    expect(manifests[0]?.reads).toBeUndefined()
    expect(Object.keys(manifests[1]?.reads ?? {})).toEqual(["a2"])
  })

  test("a split join records what it read from each branch (with the branch's snapshot) and from its record", async () => {
    const F = pipe(
      flow("JoinReads"),
      step("start", () => ({ base: 1, other: 2 })),
      split({
        left: step("l", () => ({ x: 10 })),
        right: step("r", () => ({ x: 20, y: 3 }))
      }),
      join("merge", { resolve: { x: (xs) => xs.left + xs.right } }, (inputs, a) => ({ sum: inputs.right.y + a.base }))
    )
    const store = await makeStore()
    const result = await run(F, { store, log: quiet })
    const merge = await manifestOf(store, "JoinReads", result.runId, "merge")
    const start = await manifestOf(store, "JoinReads", result.runId, "start")
    const l = await manifestOf(store, "JoinReads", result.runId, "l")
    const r = await manifestOf(store, "JoinReads", result.runId, "r")
    expect({ ...merge.reads }).toEqual({ base: start.artifacts.base?.hash })
    const inputs = (merge.inputReads ?? []).map((i) => ({ input: i.input, from: i.from?.step, reads: { ...i.reads } }))
    expect(inputs).toEqual([
      { input: "left", from: "l", reads: { x: l.artifacts.x?.hash } },
      { input: "right", from: "r", reads: { x: r.artifacts.x?.hash, y: r.artifacts.y?.hash } }
    ])
  })

  test("a foreach join records the tasks it read from; body tasks record their reads", async () => {
    const F = pipe(
      flow("ForeachReads"),
      step("start", () => ({ items: [1, 2, 3], k: 10 })),
      foreach("items", step("body", (a, ctx) => ({ out: ctx.input * a.k }))),
      join("gather", (inputs) => ({ first: (inputs[0] as { out: number }).out }))
    )
    const store = await makeStore()
    const result = await run(F, { store, log: quiet })
    expect(result.artifacts.first).toBe(10)
    const body = await manifestOf(store, "ForeachReads", result.runId, "body", "1")
    expect(Object.keys(body.reads ?? {})).toEqual(["k"])
    const gather = await manifestOf(store, "ForeachReads", result.runId, "gather")
    // Compactly: the step the inputs end with, and [index, attempt] of each input that read these names.
    expect(gather.inputReads).toBeUndefined()
    expect(gather.foreachReads).toEqual({ runId: result.runId, step: "body", prefix: "", groups: [{ names: ["out"], inputs: [[0, 0]] }] })
  })

  test("a nested foreach join's compact reads name its inputs by index under the enclosing task", async () => {
    const F = pipe(
      flow("NestedReads"),
      step("start", () => ({ rows: [[1, 2], [3]] })),
      foreach(
        "rows",
        (f) =>
          pipe(
            f,
            step("row", (_a, ctx) => ({ cells: ctx.input })),
            foreach("cells", step("cell", (_a, ctx) => ({ v: ctx.input * 10 }), { retry: 1 })),
            join("rowSum", (inputs) => ({ sum: inputs.reduce((acc, i) => acc + i.v, 0) }))
          )
      ),
      join("total", (inputs) => ({ total: inputs.reduce((acc, i) => acc + i.sum, 0) }))
    )
    const store = await makeStore()
    const result = await run(F, { store, log: quiet })
    expect(result.artifacts.total).toBe(60)
    const rowSum = await manifestOf(store, "NestedReads", result.runId, "rowSum", "0")
    expect(rowSum.foreachReads).toEqual({ runId: result.runId, step: "cell", prefix: "0.", groups: [{ names: ["v"], inputs: [[0, 0], [1, 0]] }] })
    const total = await manifestOf(store, "NestedReads", result.runId, "total")
    expect(total.foreachReads?.step).toBe("rowSum")
    expect(total.foreachReads?.groups).toEqual([{ names: ["sum"], inputs: [[0, 0], [1, 0]] }])
  })
})
