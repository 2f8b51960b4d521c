/** DESIGN.md §9, the step cache at run time, against both stores: keys, hits, misses, modes, foreach items. */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { Client, flow, foreach, join, memoryStore, param, resume, run, step } from "../../lib/index.js"
import type { RunEvent } from "../../lib/index.js"
import { FlowDefinitionError } from "../../lib/errors.js"
import { forEachStore, quiet, spyingStore } from "../stores.js"
import { manifestOf } from "./manifests.js"
import { chain, js } from "./untyped.js"

/** Counts the calls of each step function, by step name. */
const counter = () => {
  const calls = new Map<string, number>()
  return {
    calls,
    count: (name: string): void => {
      calls.set(name, (calls.get(name) ?? 0) + 1)
    },
    of: (name: string): number => calls.get(name) ?? 0
  }
}

const Scores = (calls: ReturnType<typeof counter>, version = "1") =>
  pipe(
    flow("CScores", { params: { factor: param(t.number, { default: 2 }), noise: param(t.string, { default: "n" }) } }),
    step("start", (a) => ({ items: [1, 2, 3], scale: a.factor * 10 })),
    step(
      "prep",
      (a) => {
        calls.count("prep")
        return { base: a.scale + 1, note: "prepared" }
      },
      { cache: { version } }
    ),
    foreach(
      "items",
      step(
        "score",
        (a, ctx) => {
          calls.count("score")
          return { score: ctx.input * a.base }
        },
        { cache: true }
      )
    ),
    join("sum", (inputs) => ({ total: inputs.reduce((acc, i) => acc + i.score, 0) }))
  )

forEachStore((_name, makeStore) => {
  test("a rerun answers cached steps from the first run: no call, same hashes, cachedFrom, counts", async () => {
    const store = await makeStore()
    const calls = counter()
    const first = await run(Scores(calls), { store, log: quiet })
    expect([calls.of("prep"), calls.of("score")]).toEqual([1, 3])
    expect(first.cachedTasks).toBeUndefined()
    const events: Array<RunEvent> = []
    const second = await run(Scores(calls), { store, log: quiet, onEvent: (event) => events.push(event) })
    expect([calls.of("prep"), calls.of("score")]).toEqual([1, 3])
    expect(second.artifacts.total).toBe(first.artifacts.total)
    expect(second.cachedTasks).toBe(4)
    expect(events.filter((e) => e.type === "task-finished" && e.status === "cached")).toHaveLength(4)
    const r = await Client.open(store).run("CScores", second.runId)
    const prep = await r.step("prep").task("0")
    expect(prep.cachedFrom).toEqual({ runId: first.runId, taskId: "0" })
    const scores = await r.step("score").tasks()
    expect(scores.map((task) => task.cachedFrom)).toEqual(["0", "1", "2"].map((taskId) => ({ runId: first.runId, taskId })))
    expect((await r.step("sum").task("0")).cachedFrom).toBeUndefined()
    const before = await Client.open(store).run("CScores", first.runId)
    expect((await prep.info("base")).hash).toBe((await (await before.step("prep").task("0")).info("base")).hash)
    expect((await store.readRun("CScores", second.runId))?.cachedTasks).toBe(4)
    // The hit records what the computing task read, so lineage goes on through this run.
    expect((await scores[0]?.reads())?.map((read) => [read.name, read.producer.runId, read.producer.step])).toEqual([
      ["base", second.runId, "prep"]
    ])
  })

  test("a hit writes no blob and reuses the entries by reference; a chain of hits names the computing run", async () => {
    const store = await makeStore()
    const calls = counter()
    const Big = pipe(
      flow("CBig"),
      step("start", () => ({ n: 5 })),
      step("make", (a) => {
        calls.count("make")
        return { big: "x".repeat(50_000 + a.n), small: a.n }
      }, { cache: true })
    )
    const first = await run(Big, { store, log: quiet })
    const spy = spyingStore(store)
    const second = await run(Big, { store: spy.store, log: quiet })
    const third = await run(Big, { store: spy.store, log: quiet })
    expect(calls.of("make")).toBe(1)
    expect(spy.writes).toEqual([])
    const made = [first, second, third].map((r) => manifestOf(store, "CBig", r.runId, "make"))
    const [m1, m2, m3] = await Promise.all(made)
    expect(m2?.artifacts).toEqual(m1?.artifacts)
    expect(m3?.cachedFrom).toEqual({ runId: first.runId, taskId: "0" })
    expect(m2?.cachedFrom).toEqual({ runId: first.runId, taskId: "0" })
    expect(m1?.cachedFrom).toBeUndefined()
    expect(third.artifacts.big).toHaveLength(50_005)
  })

  test("a changed artifact the step read misses; a changed artifact it did not read still hits", async () => {
    const store = await makeStore()
    const calls = counter()
    await run(Scores(calls), { store, log: quiet })
    await run(Scores(calls), { store, log: quiet, params: { noise: "other" } })
    expect([calls.of("prep"), calls.of("score")]).toEqual([1, 3])
    const changed = await run(Scores(calls), { store, log: quiet, params: { factor: 3 } })
    expect([calls.of("prep"), calls.of("score")]).toEqual([2, 6])
    expect(changed.artifacts.total).toBe(31 * 6)
    expect(changed.cachedTasks).toBeUndefined()
  })

  test("another code version misses: a bumped version, or another function", async () => {
    const store = await makeStore()
    const calls = counter()
    await run(Scores(calls, "1"), { store, log: quiet })
    await run(Scores(calls, "2"), { store, log: quiet })
    expect(calls.of("prep")).toBe(2)
    // The foreach body's code did not change, and prep's outputs are the same: its items hit.
    expect(calls.of("score")).toBe(3)
    const other = pipe(
      flow("CScores", { params: { factor: param(t.number, { default: 2 }), noise: param(t.string, { default: "n" }) } }),
      step("start", (a) => ({ items: [1, 2, 3], scale: a.factor * 10 })),
      step("prep", (a) => ({ base: a.scale + 2, note: "other function" }), { cache: { version: "2" } })
    )
    const result = await run(other, { store, log: quiet })
    expect(result.artifacts.base).toBe(22)
  })

  test("foreach bodies match item by item, keyed on their element", async () => {
    const store = await makeStore()
    const calls = counter()
    const Items = (items: ReadonlyArray<number>) =>
      pipe(
        flow("CItems"),
        step("start", () => ({ items: [...items], k: 2 })),
        foreach("items", step("double", (a, ctx) => {
          calls.count("double")
          return { y: ctx.input * a.k }
        }, { cache: true })),
        join("gather", (inputs) => ({ ys: inputs.map((i) => i.y) }))
      )
    await run(Items([1, 2, 3]), { store, log: quiet })
    expect(calls.of("double")).toBe(3)
    const more = await run(Items([3, 1, 2, 4, 1]), { store, log: quiet })
    expect(more.artifacts.ys).toEqual([6, 2, 4, 8, 2])
    // 4 is new; 3, 1, 2 and the second 1 hit, whatever their position.
    expect(calls.of("double")).toBe(4)
    expect(more.cachedTasks).toBe(4)
  })

  test("a body that looks at its position (ctx.index) is keyed on it too", async () => {
    const store = await makeStore()
    const calls = counter()
    const Positional = (items: ReadonlyArray<string>) =>
      pipe(
        flow("CPositional"),
        step("start", () => ({ items: [...items] })),
        foreach("items", step("label", (_a, ctx) => {
          calls.count("label")
          return { label: `${ctx.index}:${ctx.input}` }
        }, { cache: true })),
        join("gather", (inputs) => ({ labels: inputs.map((i) => i.label) }))
      )
    await run(Positional(["a", "b"]), { store, log: quiet })
    const swapped = await run(Positional(["b", "a"]), { store, log: quiet })
    expect(swapped.artifacts.labels).toEqual(["0:b", "1:a"])
    expect(calls.of("label")).toBe(4)
    const again = await run(Positional(["b", "a"]), { store, log: quiet })
    expect(again.cachedTasks).toBe(2)
    expect(calls.of("label")).toBe(4)
  })

  test("failed and caught attempts are never cached; a retried success is", async () => {
    const store = await makeStore()
    let fails = 1
    const calls = counter()
    const Flaky = (catchIt: boolean) =>
      pipe(
        flow(catchIt ? "CCaught" : "CRetried"),
        step("start", () => ({ n: 1 })),
        step("work", (a) => {
          calls.count("work")
          if (fails > 0) {
            fails--
            throw new Error("flaky")
          }
          return { out: a.n + 1 }
        }, catchIt ? { cache: true, catch: "err" } : { cache: true, retry: 1 })
      )
    const caught = await run(Flaky(true), { store, log: quiet })
    expect(caught.artifacts).toHaveProperty("err")
    // The caught failure answers nothing: the next run calls the function, and its success is recorded.
    await run(Flaky(true), { store, log: quiet })
    expect(calls.of("work")).toBe(2)
    expect((await run(Flaky(true), { store, log: quiet })).cachedTasks).toBe(1)
    expect(calls.of("work")).toBe(2)
    // A retried task that succeeds is recorded (its failed attempt is not), and answers the next run.
    fails = 1
    await run(Flaky(false), { store, log: quiet })
    expect(calls.of("work")).toBe(4)
    const hit = await run(Flaky(false), { store, log: quiet })
    expect(calls.of("work")).toBe(4)
    expect(hit.cachedTasks).toBe(1)
    expect(hit.artifacts.out).toBe(2)
  })

  test("cache modes: refresh runs anyway and records a fresh entry; off neither reads nor writes", async () => {
    const store = await makeStore()
    const calls = counter()
    const first = await run(Scores(calls), { store, log: quiet, cache: "off" })
    const second = await run(Scores(calls), { store, log: quiet })
    expect(calls.of("prep")).toBe(2)
    const refreshed = await run(Scores(calls), { store, log: quiet, cache: "refresh" })
    expect(calls.of("prep")).toBe(3)
    expect(refreshed.cachedTasks).toBeUndefined()
    const used = await run(Scores(calls), { store, log: quiet, cache: "use" })
    expect(calls.of("prep")).toBe(3)
    expect((await manifestOf(store, "CScores", used.runId, "prep")).cachedFrom).toEqual({ runId: refreshed.runId, taskId: "0" })
    expect(first.runId).not.toBe(second.runId)
    await run(Scores(calls), { store, log: quiet, cache: "off" })
    expect(calls.of("prep")).toBe(4)
  })

  test("resume takes the cache option; tasks it reuses are clones, the rest may hit", async () => {
    const store = await makeStore()
    const calls = counter()
    let fail = true
    const F = pipe(
      flow("CResume"),
      step("start", () => ({ n: 1 })),
      step("cached", (a) => {
        calls.count("cached")
        return { m: a.n + 1 }
      }, { cache: true }),
      step("end", (a) => {
        if (fail) throw new Error("once")
        return { done: a.m }
      })
    )
    await expect(run(F, { store, log: quiet })).rejects.toThrow(/once/)
    fail = false
    const resumed = await resume(F, { store, log: quiet, cache: "off" })
    expect(resumed.artifacts.done).toBe(2)
    expect(calls.of("cached")).toBe(1)
    const fresh = await run(F, { store, log: quiet })
    expect(fresh.cachedTasks).toBe(1)
    expect(calls.of("cached")).toBe(1)
  })
})

test("an entry whose blob is gone (deleted behind the index's back) is no hit: the task runs again", async () => {
  const store = memoryStore()
  const calls = counter()
  const Big = pipe(
    flow("CGone"),
    step("start", () => ({ n: 5 })),
    step("make", (a) => {
      calls.count("make")
      return { big: "y".repeat(40_000 + a.n) }
    }, { cache: true })
  )
  const first = await run(Big, { store, log: quiet })
  const entry = (await manifestOf(store, "CGone", first.runId, "make")).artifacts.big
  store.blobs.delete(entry?.stored?.hash ?? entry?.hash ?? "")
  const second = await run(Big, { store, log: quiet })
  expect(calls.of("make")).toBe(2)
  expect(second.cachedTasks).toBeUndefined()
  expect(second.artifacts.big).toHaveLength(40_005)
  // The recomputed task's entry is newer: the next run is answered from it.
  expect((await run(Big, { store, log: quiet })).cachedTasks).toBe(1)
  expect(calls.of("make")).toBe(2)
})

describe("bad input", () => {
  test("an unknown cache mode is an error naming the option and the modes", async () => {
    const F = pipe(flow("CBad"), step("start", () => ({ x: 1 })))
    const bad = run as unknown as (flow: unknown, options: unknown) => Promise<unknown>
    await expect(bad(F, { cache: "yes" })).rejects.toThrow(FlowDefinitionError)
    await expect(bad(F, { cache: "yes" })).rejects.toThrow(
      `artiflow: run of flow 'CBad': option 'cache' must be "use", "refresh" or "off" (received "yes")`
    )
    await expect(bad(F, { cache: true })).rejects.toThrow(/option 'cache' must be "use", "refresh" or "off" \(received true\)/)
  })

  test("a cache version that is not a string, another cache value, or cache on a join, names the option", () => {
    expect(() => chain(js.flow("CBadV"), js.step("start", () => ({}), { cache: { version: 2 } }))).toThrow(
      "artiflow: step 'start': option 'cache.version' must be a string (received 2)"
    )
    expect(() => chain(js.flow("CBadV"), js.step("start", () => ({}), { cache: "yes" }))).toThrow(
      `artiflow: step 'start': option 'cache' must be true, false or { version: string } (received "yes")`
    )
    expect(() => chain(js.flow("CBadV"), js.step("start", () => ({}), { cache: { verison: "2" } }))).toThrow(
      "option 'cache' must be true, false or { version: string }"
    )
    expect(() =>
      chain(
        js.flow("CBadJ"),
        js.step("start", () => ({ xs: [1] })),
        js.foreach("xs", js.step("body", () => ({}))),
        js.join("gather", { cache: true }, () => ({}))
      )
    ).toThrow("artiflow: join 'gather': option 'cache' is for steps only (a join is never cached); remove it")
  })
})
