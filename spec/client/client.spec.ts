/**
 * The read side against both stores: flows, runs newest first, a run's metadata, steps, tasks in index order,
 * attempts, artifacts loaded one at a time with their storage info, and errors that name what is missing and
 * list what exists.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { expect, test } from "vitest"
import { Client, flow, foreach, join, NotFoundError, param, run, step } from "artiflow"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import { forEachStore, spyingStore } from "../stores.js"

const quiet = { log: () => {} }

const Train = pipe(
  flow("Train", { params: { lr: param(t.number, { default: 0.1 }), tag: param(t.string) } }),
  step("start", (a) => ({ grid: [a.lr, a.lr * 2, a.lr * 3], seed: 42, _scratch: "gone" })),
  foreach("grid", step("fit", (a, ctx) => ({ score: ctx.input * a.seed }), { retry: 1 })),
  join("pick", (inputs) => ({ best: Math.max(...inputs.map((i) => i.score)) })),
  step("end", (a) => ({ done: a.best + 1 }))
)

const Other = pipe(flow("Other"), step("start", () => ({ secret: "other flow" })))

/** Fails the first attempt of task 1 of `fit`, so it has two attempts. */
const flaky = new Set<string>()
const Flaky = pipe(
  flow("Flaky"),
  step("start", () => ({ xs: [1, 2, 3] })),
  foreach(
    "xs",
    step(
      "work",
      (_a, ctx) => {
        const key = `${ctx.runId}/${ctx.index}`
        if (ctx.index === 1 && !flaky.has(key)) {
          flaky.add(key)
          throw new Error("first try fails")
        }
        return { y: ctx.input * 10 }
      },
      { retry: 1 }
    )
  ),
  join("collect", (inputs) => ({ ys: inputs.map((i) => i.y) }))
)

forEachStore((_, makeStore) => {
  test("lists flows and runs newest first, without leaking other flows", async () => {
    const store = await makeStore()
    const first = await run(Train, { params: { tag: "a" }, store, ...quiet })
    const second = await run(Train, { params: { tag: "b" }, store, ...quiet })
    await run(Other, { store, ...quiet })
    const client = Client.open(store)
    expect(await client.flows()).toEqual(["Other", "Train"])
    expect((await client.runs("Train")).map((r) => r.id)).toEqual([second.runId, first.runId])
    expect((await client.runs(Train)).every((r) => r.flow === "Train" && r.status === "succeeded")).toBe(true)
    expect((await client.run("Train")).id).toBe(second.runId)
    expect((await client.run("Train", first.runId)).params).toEqual({ lr: 0.1, tag: "a" })
  })

  test("the latest run's metadata comes from the listing; a store without listRunMetas reads it with readRun", async () => {
    const store = await makeStore()
    await run(Train, { params: { tag: "a" }, store, ...quiet })
    const second = await run(Train, { params: { tag: "b" }, store, ...quiet })
    await store.updateTags("Train", second.runId, { add: ["fresh"], remove: [] })
    const readRuns: Array<string> = []
    // The store itself, but counting readRun (its methods see the same fields through the prototype).
    const counted = Object.create(store, {
      readRun: { value: (flow: string, runId: string) => (readRuns.push(runId), store.readRun(flow, runId)) }
    }) as Datastore
    expect(typeof counted.listRunMetas).toBe("function")
    const latest = await Client.open(counted).run("Train")
    expect([latest.id, latest.tags, latest.params]).toEqual([second.runId, ["fresh"], { lr: 0.1, tag: "b" }])
    expect(readRuns).toEqual([])
    // A custom store without the optional method: listRuns, then readRun of the latest, the same answer.
    const plain = Object.create(counted, {
      listRunMetas: { value: undefined },
      listRuns: { value: (flow: string) => store.listRuns(flow) }
    }) as Datastore
    const again = await Client.open(plain).run("Train")
    expect([again.id, again.tags, again.params]).toEqual([second.runId, ["fresh"], { lr: 0.1, tag: "b" }])
    expect(readRuns).toEqual([second.runId])
    expect((await (await again.step("fit").tasks()).map((task) => task.id))).toEqual(["0", "1", "2"])
    await expect(Client.open(counted).run("Other")).rejects.toThrow("no flow 'Other' in the")
  })

  test("opening a run reads no blob; artifacts load one at a time", async () => {
    const base = await makeStore()
    const Big = pipe(
      flow("Big"),
      step("start", () => ({ big: new Float64Array(100_000).fill(1), other: new Float64Array(100_000).fill(2), n: 1 }))
    )
    const result = await run(Big, { store: base, ...quiet })
    const spied = spyingStore(base)
    const r = await Client.open(spied.store).run("Big", result.runId)
    const [task] = await r.step("start").tasks()
    expect(await task?.artifactNames()).toEqual(["big", "n", "other"])
    expect((await task?.info("big"))?.size).toBe(800_000)
    expect(spied.reads).toEqual([])
    expect(((await r.artifact("big")) as Float64Array)[0]).toBe(1)
    expect(spied.reads).toHaveLength(1)
  })

  test("opens a run: metadata, graph, final record, typed artifacts", async () => {
    const store = await makeStore()
    const result = await run(Train, { params: { tag: "x", lr: 1 }, store, ...quiet })
    const r = await Client.open(store).run(Train, result.runId)
    expect([r.id, r.flow, r.status]).toEqual([result.runId, "Train", "succeeded"])
    expect(r.params).toEqual({ lr: 1, tag: "x" })
    expect(r.paramDefs["lr"]).toMatchObject({ kind: "param", type: "number", required: false, default: "0.1" })
    expect(r.graph.nodes.map((node) => node.kind)).toEqual(["step", "foreach", "step"])
    expect(r.finishedAt).toBeGreaterThanOrEqual(r.startedAt)
    expect(r.originRunId).toBeUndefined()
    const best: number = await r.artifact("best")
    expect(best).toBe(126)
    expect(await r.artifactNames()).toEqual(["best", "done", "grid", "lr", "seed", "tag"])
    expect(await r.artifacts()).toEqual(result.artifacts)
    expect(r.steps().map((s) => [s.name, s.kind])).toEqual([
      ["start", "step"],
      ["fit", "step"],
      ["pick", "join"],
      ["end", "step"]
    ])
  })

  test("foreach tasks come in index order with their own artifacts and storage info", async () => {
    const store = await makeStore()
    const result = await run(Train, { params: { tag: "x", lr: 1 }, store, ...quiet })
    const r = await Client.open(store).run("Train", result.runId)
    const tasks = await r.step("fit").tasks()
    expect(tasks.map((task) => [task.id, task.index, task.status, task.attempt])).toEqual([
      ["0", 0, "succeeded", 0],
      ["1", 1, "succeeded", 0],
      ["2", 2, "succeeded", 0]
    ])
    expect(await Promise.all(tasks.map((task) => task.artifact("score")))).toEqual([42, 84, 126])
    expect(tasks[1]?.foreachStack).toEqual([{ step: "start", artifact: "grid", index: 1, count: 3 }])
    const info = await tasks[1]?.info("score")
    expect(info).toMatchObject({ size: 2, type: "number", encoding: "json" })
    expect(info?.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(await tasks[0]?.artifactNames()).toEqual(["grid", "lr", "score", "seed", "tag"])
    const start = await r.step("start").task("0")
    expect(await start.artifactNames()).not.toContain("_scratch")
  })

  test("a retried task shows its latest attempt and keeps the earlier ones", async () => {
    const store = await makeStore()
    const result = await run(Flaky, { store, ...quiet })
    expect(result.artifacts.ys).toEqual([10, 20, 30])
    const task = await (await Client.open(store).run("Flaky", result.runId)).step("work").task("1")
    expect([task.status, task.attempt]).toEqual(["succeeded", 1])
    const first = task.attemptAt(0)
    expect([first.status, first.attempt, first.error?.message]).toEqual(["failed", 0, "first try fails"])
    expect(task.attempts().map((a) => a.attempt)).toEqual([0, 1])
    expect(await task.artifact("y")).toBe(20)
    await expect(first.artifact("y")).rejects.toThrow("has no artifact 'y'")
    expect(() => task.attemptAt(5)).toThrow("has no attempt 5 (attempts: 0, 1)")
  })

  test("unknown flows, runs, steps, tasks and artifacts are errors that list what exists", async () => {
    const store = await makeStore()
    const result = await run(Train, { params: { tag: "x" }, store, ...quiet })
    const client = Client.open(store)
    await expect(client.run("Nope")).rejects.toThrow(NotFoundError)
    await expect(client.run("Nope")).rejects.toThrow("no flow 'Nope' in the")
    await expect(client.run("Nope")).rejects.toThrow("(flows: 'Train')")
    await expect(client.run("Train", "missing-run")).rejects.toThrow(
      `flow 'Train' has no run 'missing-run' (latest runs: '${result.runId}')`
    )
    const r = await client.run("Train")
    expect(() => r.step("fti")).toThrow("has no step 'fti' (steps: 'start', 'fit', 'pick', 'end')")
    await expect(r.step("fit").task("9")).rejects.toThrow("has no task '9' (tasks: '0', '1', '2')")
    await expect(r.artifact("bset" as never)).rejects.toThrow("has no artifact 'bset' (artifacts: 'best', 'done', 'grid'")
    await expect(client.runs("Nope")).rejects.toThrow("no flow 'Nope'")
  })

  test("a failed run has no final record but its tasks stay readable", async () => {
    const store = await makeStore()
    const Failing = pipe(
      flow("Failing"),
      step("start", () => ({ n: 1 })),
      step("boom", (): { m: number } => {
        throw new Error("kaput")
      })
    )
    await expect(run(Failing, { store, ...quiet })).rejects.toThrow("kaput")
    const r = await Client.open(store).run("Failing")
    expect(r.status).toBe("failed")
    expect(r.failure).toMatchObject({ step: "boom", taskId: "0" })
    await expect(r.artifact("m")).rejects.toThrow("has no final record (status failed, failed in step 'boom')")
    expect(await (await r.step("start").task("0")).artifact("n")).toBe(1)
    const boom = await r.step("boom").task("0")
    expect([boom.status, boom.error?.message]).toEqual(["failed", "kaput"])
  })
})
