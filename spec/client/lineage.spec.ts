/** DESIGN.md §9 on the read side: task.reads() with producers, task.lineage(name) trees, against both stores. */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { expect, test } from "vitest"
import { Client, flow, foreach, join, NotFoundError, param, resume, run, split, step } from "artiflow"
import type { LineageNode } from "artiflow"
import { forEachStore } from "../stores.js"

const quiet = { log: () => {} }

const Train = pipe(
  flow("LTrain", { params: { lr: param(t.number, { default: 0.5 }) } }),
  step("start", (a) => ({ grid: [a.lr, a.lr * 2], seed: 3, unused: "u" })),
  foreach("grid", step("fit", (a, ctx) => ({ score: ctx.input * a.seed }))),
  join("pick", (inputs) => ({ best: Math.max(...inputs.map((i) => i.score)) })),
  step("report", (a) => ({ text: `best ${a.best}` })),
  step("end", () => ({ done: true }))
)

/** A tree as step names only: "step(read <- producer step: subtree, ...)". */
const shape = (node: LineageNode): string =>
  `${node.step}[${node.artifact}](${node.reads
    .map((r) => `${r.input === undefined ? "" : `${r.input}:`}${r.name}<-${r.lineage === undefined ? r.producer.step : shape(r.lineage)}`)
    .join(", ")})`

forEachStore((_name, makeStore) => {
  test("reads() lists what a task read with the producing task, parameters included", async () => {
    const store = await makeStore()
    const { runId } = await run(Train, { store, ...quiet })
    const r = await Client.open(store).run("LTrain", runId)
    const start = await r.step("start").task("0")
    expect(await start.reads()).toEqual([
      { name: "lr", hash: (await start.info("lr")).hash, producer: { runId, step: "_parameters", taskId: "0" } }
    ])
    const fit = (await r.step("fit").tasks())[1]
    expect(await fit?.reads()).toEqual([{ name: "seed", hash: (await start.info("seed")).hash, producer: { runId, step: "start", taskId: "0" } }])
    const pick = await r.step("pick").task("0")
    const reads = await pick.reads()
    expect(reads.map((read) => [read.input, read.name, read.producer.step, read.producer.taskId])).toEqual([
      ["0", "score", "fit", "0"],
      ["1", "score", "fit", "1"]
    ])
    expect(reads[1]?.hash).toBe((await fit?.info("score"))?.hash)
    expect(await (await r.step("end").task("0")).reads()).toEqual([])
  })

  test("lineage(name) is rooted at the producing task, also when asked from a task that inherited it", async () => {
    const store = await makeStore()
    const { runId } = await run(Train, { store, ...quiet })
    const r = await Client.open(store).run("LTrain", runId)
    const end = await r.step("end").task("0")
    const tree = await end.lineage("best")
    expect(tree).toMatchObject({ runId, step: "pick", taskId: "0", artifact: "best", hash: (await end.info("best")).hash })
    expect(shape(tree)).toBe("pick[best](0:score<-fit[score](seed<-start[seed](lr<-_parameters)), 1:score<-fit[score](seed<-start[seed](lr<-_parameters)))")
    expect(shape(await end.lineage("text", { depth: 1 }))).toBe("report[text](best<-pick)")
    expect(shape(await end.lineage("text", { depth: 2 }))).toBe("report[text](best<-pick[best](0:score<-fit, 1:score<-fit))")
    // Default depth 3: report, pick, fit; fit's reads name their producer without a subtree.
    expect(shape(await end.lineage("text"))).toBe("report[text](best<-pick[best](0:score<-fit[score](seed<-start), 1:score<-fit[score](seed<-start)))")
    expect(await end.lineage("lr")).toEqual({ runId, step: "_parameters", taskId: "0", artifact: "lr", hash: (await end.info("lr")).hash, reads: [] })
  })

  test("a missing artifact or a bad depth is an error naming what exists", async () => {
    const store = await makeStore()
    const { runId } = await run(Train, { store, ...quiet })
    const end = await (await Client.open(store).run("LTrain", runId)).step("end").task("0")
    await expect(end.lineage("bset")).rejects.toThrow(NotFoundError)
    await expect(end.lineage("bset")).rejects.toThrow(/no artifact 'bset' \(artifacts: .*best/)
    await expect(end.lineage("best", { depth: 0 })).rejects.toThrow(/'depth' must be a whole number of at least 1, not 0/)
  })

  test("a split join's reads name each branch; a resumed run's inherited values lead back to the origin run", async () => {
    let fail = true
    const F = pipe(
      flow("LSplit"),
      step("start", () => ({ base: 1 })),
      split({ left: step("l", (a) => ({ x: a.base + 1 })), right: step("r", (a) => ({ y: a.base + 2 })) }),
      join("merge", (inputs) => ({ sum: inputs.left.x + inputs.right.y })),
      step("end", (a) => {
        if (fail) throw new Error("fails once")
        return { out: a.sum * 2 }
      })
    )
    const store = await makeStore()
    const first = await run(F, { store, ...quiet }).catch((error: { runId: string }) => error)
    fail = false
    const second = await resume(F, { store, ...quiet })
    const r = await Client.open(store).run("LSplit", second.runId)
    const end = await r.step("end").task("0")
    const tree = await end.lineage("out")
    expect(tree.runId).toBe(second.runId)
    expect(shape(tree)).toBe("end[out](sum<-merge[sum](left:x<-l[x](base<-start), right:y<-r[y](base<-start)))")
    // The merge the resumed run reused was computed in the first run: the value's producer is there.
    expect(tree.reads[0]?.lineage?.runId).toBe(first.runId)
    const clone = await r.step("merge").task("0")
    expect(clone.originTaskId).toBe("0")
    expect((await clone.reads()).map((read) => [read.input, read.name, read.producer.runId])).toEqual([
      ["left", "x", first.runId],
      ["right", "y", first.runId]
    ])
  })
})
