/** DESIGN.md §4: what a run leaves in the store, and that it reconstructs exactly what the steps saw. */
import { hostname, userInfo } from "node:os"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import type { RunMeta } from "../../lib/datastore/Manifest.js"
import { flow, foreach, join, param, run, split, step } from "../../lib/index.js"
import { runFailure } from "./failure.js"
import { latestManifests, manifestOf, readMeta, rebuildEntries, rebuildSnapshot } from "./manifests.js"
import { spyingStore, forEachStore, quiet } from "../stores.js"

const pkg = (await import("../../package.json", { with: { type: "json" } })).default as { version: string }

forEachStore((_name, makeStore) => {
  describe("run metadata", () => {
    test("records flow, params, definitions, graph, versions, user, host, tags, times; status running then succeeded", async () => {
      const store = await makeStore()
      let during: RunMeta | undefined
      const F = pipe(
        flow("Meta", { params: { n: param(t.number, { default: 2 }) }, description: "metadata test" }),
        step("start", async (_a, ctx) => {
          during = await store.readRun(ctx.flow, ctx.runId)
          return { xs: [1] }
        }, { retry: 1 }),
        foreach("xs", step("body", () => ({})), { concurrency: 2 }),
        join("gather", { equal: [] }, () => ({}))
      )
      const before = Date.now()
      await run(F, { store, log: quiet, runId: "r1", params: { n: 5 } })
      expect(during?.status).toBe("running")
      expect(during?.finishedAt).toBeUndefined()
      const meta = await readMeta(store, "Meta", "r1")
      expect(meta).toMatchObject({
        format: 1,
        flow: "Meta",
        runId: "r1",
        status: "succeeded",
        description: "metadata test",
        versions: { artiflow: pkg.version, node: process.version },
        user: process.env["USER"] || userInfo().username,
        host: hostname(),
        tags: []
      })
      expect(meta.startedAt).toBeGreaterThanOrEqual(before)
      expect(meta.finishedAt).toBeGreaterThanOrEqual(meta.startedAt)
      expect(meta.failure).toBeUndefined()
      expect(Object.keys(meta.params)).toEqual(["n"])
      expect(meta.params.n?.inline).toBe("5")
      expect({ ...meta.paramDefs.n }).toEqual({ kind: "param", type: "number", required: false, default: "2" })
      expect(meta.graph).toEqual({
        nodes: [
          { kind: "step", name: "start", options: { retry: 1 } },
          {
            kind: "foreach",
            artifact: "xs",
            concurrency: 2,
            body: [{ kind: "step", name: "body", options: {} }],
            join: { name: "gather", equal: [], hasFunction: true }
          }
        ]
      })
      expect((await store.listRuns("Meta")).map((r) => [r.id, r.status])).toEqual([["r1", "succeeded"]])
    })

    test("a failed run records its status, end time and failure", async () => {
      const store = await makeStore()
      const F = pipe(
        flow("MetaFail"),
        step("bad", (): { x: number } => {
          throw new Error("nope")
        })
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
      const meta = await readMeta(store, "MetaFail", "r1")
      expect(meta.status).toBe("failed")
      expect(meta.finishedAt).toBeGreaterThanOrEqual(meta.startedAt)
      expect({ ...meta.failure }).toEqual({ step: "bad", taskId: "0", message: failure.message })
    })
  })

  describe("task manifests", () => {
    test("every task's base chain reconstructs the record the steps saw", async () => {
      const store = await makeStore()
      const seen: Record<string, unknown> = {}
      const F = pipe(
        flow("Chain", { params: { n: param(t.number, { default: 2 }), tag: param(t.string) } }),
        step("start", () => ({ xs: [1, 2, 3], cfg: { a: 1, nested: { b: [true] } }, gone: "g", _tmp: 1 })),
        step("scale", (a) => {
          seen.scale = a
          return { factor: a.n * 2, when: new Date(0), big: 10n ** 30n }
        }),
        foreach(
          "xs",
          (f) =>
            pipe(
              f,
              step("fit", (a, ctx) => {
                if (ctx.index === 0) seen.fit = a
                return { score: ctx.input * a.factor, _s: 0 }
              }),
              step("post", (a) => ({ scoreSq: a.score ** 2, tags: new Set([a.tag]) }))
            )
        ),
        join("pick", (inputs) => {
          seen.pick = inputs
          return { best: Math.max(...inputs.map((i) => i.score)) }
        }),
        split({
          left: step("l", (a) => {
            seen.l = a
            return { x: 1, m: new Map([["k", [1, 2]]]) }
          }),
          right: (f) => pipe(f, step("r1", () => ({ x: 2, gone: "r" })), step("r2", (a) => ({ y: a.x })))
        }),
        join("merge", { resolve: { x: (xs) => xs.left + xs.right }, exclude: ["gone"] }, (inputs, a) => {
          seen.merge = inputs
          return { z: a.x }
        }),
        step("end", (a) => {
          seen.end = a
          return { done: true }
        })
      )
      const result = await run(F, { store, log: quiet, runId: "r1", params: { tag: "t" } })
      const snapshot = (step: string, taskId = "0") => rebuildSnapshot(store, "Chain", "r1", step, taskId)
      expect(await snapshot("start")).toEqual(seen.scale)
      expect(await snapshot("scale")).toEqual(seen.fit)
      const pick = seen.pick as ReadonlyArray<unknown>
      for (const i of [0, 1, 2]) expect(await snapshot("post", String(i))).toEqual(pick[i])
      expect(await snapshot("pick")).toEqual(seen.l)
      const merge = seen.merge as Record<string, unknown>
      expect(await snapshot("l")).toEqual(merge.left)
      expect(await snapshot("r2")).toEqual(merge.right)
      expect(await snapshot("merge")).toEqual(seen.end)
      expect(await snapshot("end")).toEqual(result.artifacts)
      expect(Object.keys(await snapshot("end")).sort()).toEqual(
        ["best", "big", "cfg", "done", "factor", "m", "n", "tag", "when", "x", "xs", "y", "z"]
      )
      const manifests = await store.readManifests("Chain", "r1")
      expect(manifests.every((m) => m.status === "succeeded" && m.attempt === 0)).toBe(true)
      expect(manifests).toHaveLength(14)
      expect(manifests.some((m) => Object.keys(m.artifacts).some((k) => k.startsWith("_")))).toBe(false)
    })

    test("an artifact a step did not write is not re-encoded: its entry is the parent's, unlisted", async () => {
      const counted = spyingStore(await makeStore())
      const big = { text: "z".repeat(30_000) }
      const F = pipe(
        flow("Reuse"),
        step("start", () => ({ big, small: 1 })),
        step("same", (a) => ({ big: a.big, other: 2 })),
        step("untouched", () => ({ more: 3 })),
        step("end", () => ({}))
      )
      const result = await run(F, { store: counted.store, log: quiet, runId: "r1" })
      expect(counted.writes.filter((size) => size > 30_000)).toHaveLength(1)
      const latest = await latestManifests(counted.store, "Reuse", "r1")
      expect(Object.keys(latest.get("same/0")?.artifacts ?? {})).toEqual(["other"])
      expect(Object.keys(latest.get("untouched/0")?.artifacts ?? {})).toEqual(["more"])
      const startEntry = latest.get("start/0")?.artifacts.big
      const end = await manifestOf(counted.store, "Reuse", "r1", "end")
      expect((await rebuildEntries(counted.store, "Reuse", "r1", end)).get("big")).toEqual(startEntry)
      expect(result.artifacts.big).toBe(big)
    })

    test("equal values hash equally, object key order ignored; different values do not", async () => {
      const store = await makeStore()
      const F = pipe(
        flow("Hashes"),
        step("start", () => ({
          a: { x: 1, y: { p: [1, 2], q: "s" } },
          b: { y: { q: "s", p: [1, 2] }, x: 1 },
          c: { x: 1, y: { p: [2, 1], q: "s" } },
          d: new Map([["k", { u: 1, v: 2 }]]),
          e: new Map([["k", { v: 2, u: 1 }]])
        }))
      )
      await run(F, { store, log: quiet, runId: "r1" })
      const { a, b, c, d, e } = (await manifestOf(store, "Hashes", "r1", "start")).artifacts
      expect(a?.hash).toBe(b?.hash)
      expect(c?.hash).not.toBe(a?.hash)
      expect(d?.hash).toBe(e?.hash)
      expect(d?.hash).not.toBe(a?.hash)
    })
  })
})
