/**
 * Whole flows on the store: what users do with a store, through the interpreter, the client and the report,
 * so that every adapter proves every feature works on it (not only the port's calls one by one): runs with
 * splits, foreaches, retries and caught failures; resume reusing tasks by reference; tags; listing without
 * reading blobs; a binary value large enough for an adapter's large-blob path; the HTML report; choose and
 * loop (decisions, iterations, skipped cases, resume inside a loop).
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { choose, Client, flow, foreach, join, loop, param, resume, run, split, step } from "../../../lib/index.js"
import type { Datastore } from "../../../lib/index.js"
import { renderRunReport } from "../../../lib/report/html.js"
import { withStore } from "./fixtures.js"
import type { MakeHarness } from "./fixtures.js"

const quiet = { log: () => {} }

/** A flow touching every kind of node; `failAt` makes that foreach item fail (for resume), `flaky` retries once. */
const Pipeline = (failAt: number | undefined) => {
  const flaked = new Set<string>()
  return pipe(
    flow("Pipeline", { params: { n: param(t.number, { default: 4 }) } }),
    step("start", (a) => ({ xs: Array.from({ length: a.n }, (_, i) => i), note: "x".repeat(40_000) })),
    foreach(
      "xs",
      step(
        "fit",
        (_a, ctx) => {
          if (ctx.input === failAt) throw new Error(`item ${failAt} fails`)
          if (ctx.index === 1 && !flaked.has(ctx.runId)) {
            flaked.add(ctx.runId)
            throw new Error("flaky once")
          }
          return { score: ctx.input * 10 }
        },
        { retry: 1 }
      )
    ),
    join("pick", (inputs) => ({ best: Math.max(...inputs.map((input) => input.score)) })),
    split({
      guarded: step("guarded", (): { risky: number } => { throw new Error("caught") }, { catch: "err" }),
      plain: step("double", (a) => ({ doubled: a.best * 2 }))
    }),
    join("merge"),
    step("end", (a) => ({ summary: `${a.best}/${a.doubled}/${a.err?.message ?? "-"}` }))
  )
}

/** A choose on a computed category, then a loop whose iteration `failIn` fails (for resume). */
const Controlled = (failIn: number | undefined) =>
  pipe(
    flow("Controlled", { params: { n: param(t.number, { default: 7 }) } }),
    step("start", (a) => ({ kind: a.n % 2 === 0 ? ("even" as const) : ("odd" as const), x: a.n })),
    choose("kind", {
      even: step("halve", (a) => ({ x: a.x / 2, path: "even" })),
      odd: (f) => pipe(f, step("triple", (a) => ({ x: a.x * 3 + 1 })), step("mark", () => ({ path: "odd" })))
    }),
    loop(
      "collatz",
      step("next", (a, ctx) => {
        if (ctx.iteration === failIn) throw new Error(`iteration ${failIn} fails`)
        return { x: a.x % 2 === 0 ? a.x / 2 : a.x * 3 + 1 }
      }),
      { until: (a) => a.x === 1, maxIterations: 50 }
    ),
    step("end", (a) => ({ summary: `${a.path}:${a.x}` }))
  )

/** The store seen through a counter of blob reads. */
const countingBlobReads = (store: Datastore): { readonly store: Datastore; readonly reads: () => number } => {
  let reads = 0
  const counting: Datastore = Object.create(store) as Datastore
  Object.defineProperty(counting, "readBlob", {
    value: (hash: string) => {
      reads += 1
      return store.readBlob(hash)
    }
  })
  return { store: counting, reads: () => reads }
}

export const flowSection = (make: MakeHarness): void => {
  describe("flows on the store", () => {
    test("a run with a foreach, a retry, a split and a caught failure reads back through the client", () =>
      withStore(make, async ({ store }) => {
        const result = await run(Pipeline(undefined), { store, tags: ["nightly"], ...quiet })
        expect(result.artifacts.summary).toBe("30/60/caught")
        const handle = await Client.open(store).run(Pipeline(undefined), result.runId)
        expect(handle.status).toBe("succeeded")
        expect(handle.tags).toEqual(["nightly"])
        expect(await handle.artifact("summary")).toBe("30/60/caught")
        expect(await handle.artifact("note")).toBe("x".repeat(40_000))
        const fits = await handle.step("fit").tasks()
        expect(fits.map((task) => task.index)).toEqual([0, 1, 2, 3])
        expect(await Promise.all(fits.map((task) => task.artifact("score")))).toEqual([0, 10, 20, 30])
        expect(fits[1]?.attempt).toBe(1)
        expect((await handle.step("guarded").tasks())[0]?.status).toBe("succeeded")
        await handle.addTags("good")
        await handle.removeTags("nightly")
        expect((await Client.open(store).runs("Pipeline", { tags: ["good"] })).map((listed) => listed.id)).toEqual([result.runId])
      }))

    test("resume reuses what succeeded by reference and completes the run", () =>
      withStore(make, async ({ store }) => {
        const failed = run(Pipeline(2), { store, ...quiet })
        await expect(failed).rejects.toMatchObject({ step: "fit", taskId: "2" })
        const [origin] = await Client.open(store).runs("Pipeline")
        const resumed = await resume(Pipeline(undefined), { store, ...quiet })
        expect(resumed.artifacts.summary).toBe("30/60/caught")
        const handle = await Client.open(store).run("Pipeline", resumed.runId)
        expect(handle.originRunId).toBe(origin?.id)
        const fits = await handle.step("fit").tasks()
        expect(fits.map((task) => task.originTaskId)).toEqual(["0", "1", undefined, "3"])
        expect((await handle.step("start").tasks())[0]?.originTaskId).toBe("0")
      }))

    test("listing runs and opening one read no blob; artifacts load one at a time", () =>
      withStore(make, async ({ store }) => {
        await run(Pipeline(undefined), { store, ...quiet })
        const counted = countingBlobReads(store)
        const client = Client.open(counted.store)
        const [listed] = await client.runs("Pipeline")
        const handle = await client.run("Pipeline", listed?.id)
        await handle.step("fit").tasks()
        expect(counted.reads()).toBe(0)
        expect(await handle.artifact("note")).toHaveLength(40_000)
        expect(counted.reads()).toBe(1)
      }))

    test("a 20 MB binary artifact round-trips through a run and the client", () =>
      withStore(make, async ({ store }) => {
        const Big = pipe(
          flow("Big"),
          step("start", () => ({ weights: new Float64Array(2_500_000).map((_, i) => i / 7) })),
          step("end", (a) => ({ last: a.weights[a.weights.length - 1] }))
        )
        const result = await run(Big, { store, ...quiet })
        const weights = (await (await Client.open(store).run(Big, result.runId)).artifact("weights")) as Float64Array
        expect(weights).toBeInstanceOf(Float64Array)
        expect(weights.length).toBe(2_500_000)
        expect(weights[1_234_567]).toBe(1_234_567 / 7)
        expect(result.artifacts.last).toBe(2_499_999 / 7)
      }))

    test("choose and loop: the case taken, each iteration's tasks, skipped steps, and resume inside the loop", () =>
      withStore(make, async ({ store }) => {
        // 7 -> odd case: 22; then 11, 34, 17, 52, 26, 13, 40, 20, 10, 5, 16, 8, 4, 2, 1: 15 iterations.
        await expect(run(Controlled(4), { store, ...quiet })).rejects.toMatchObject({ step: "next", taskId: "i4" })
        const resumed = await resume(Controlled(undefined), { store, ...quiet })
        expect(resumed.artifacts.summary).toBe("odd:1")
        const handle = await Client.open(store).run("Controlled", resumed.runId)
        const next = await handle.step("next").tasks()
        expect(next.map((task) => task.iteration)).toEqual(Array.from({ length: 15 }, (_, i) => i))
        expect(next.map((task) => task.originTaskId !== undefined)).toEqual([true, true, true, true, ...Array(11).fill(false)])
        expect(await next[2]?.artifact("x")).toBe(17)
        expect(await handle.step("halve").status()).toBe("skipped")
        expect((await handle.step("triple").tasks())[0]?.originTaskId).toBe("0")
        expect((await handle.step("choose:kind").tasks())[0]?.decision).toEqual({ kind: "choose", value: "odd", case: "odd" })
        expect((await handle.step("collatz").tasks())[0]?.decision).toMatchObject({ kind: "loop", iterations: 15 })
        const html = await renderRunReport(handle)
        for (const name of ["start", "triple", "mark", "halve", "next", "end"]) expect(html).toContain(`id="step-${name}"`)
      }))

    test("the HTML report renders a run of the store", () =>
      withStore(make, async ({ store }) => {
        const result = await run(Pipeline(undefined), { store, ...quiet })
        const html = await renderRunReport(await Client.open(store).run("Pipeline", result.runId))
        for (const name of ["start", "fit", "pick", "guarded", "double", "merge", "end"]) expect(html).toContain(`id="step-${name}"`)
        expect(html).toContain("30/60/caught")
      }))
  })
}
