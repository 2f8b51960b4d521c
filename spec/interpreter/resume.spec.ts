/**
 * resume: a new run that reuses every task of its origin that succeeded upstream of the first failure (or of
 * `from`), by reference, and runs the rest; parameters from the origin; `originRunId` and `originTaskId`
 * recorded; clear errors for runs of other flows, unknown runs and flows whose reused steps changed.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { Client, flow, FlowDefinitionError, foreach, join, NotFoundError, param, resume, run, split, step } from "../../lib/index.js"
import type { RunEvent } from "../../lib/index.js"
import { runFailure } from "./failure.js"
import { expectConsistent, readMeta } from "./manifests.js"
import { spyingStore, forEachStore, quiet } from "../stores.js"

/** Which tasks a run cloned and which it ran, as "step/task". */
const recorder = () => {
  const cloned: Array<string> = []
  const ran: Array<string> = []
  const onEvent = (event: RunEvent): void => {
    if (event.type !== "task-finished") return
    ;(event.status === "cloned" ? cloned : ran).push(`${event.step}/${event.taskId}`)
  }
  return { cloned, ran, onEvent }
}

/** A step that throws while `failing` holds its name. */
const failing = new Set<string>()
const unless = (name: string): void => {
  if (failing.has(name)) throw new Error(`${name} failed`)
}

const Pipeline = pipe(
  flow("Pipeline", { params: { n: param(t.number, { default: 3 }) } }),
  step("start", (a) => {
    unless("start")
    return { xs: Array.from({ length: a.n }, (_, i) => i + 1), big: new Float64Array(1 << 18).fill(a.n) }
  }),
  foreach(
    "xs",
    step("square", (_a, ctx) => {
      unless(`square/${ctx.index}`)
      return { y: ctx.input * ctx.input }
    })
  ),
  join("total", (inputs) => {
    unless("total")
    return { sum: inputs.reduce((s, i) => s + i.y, 0) }
  }),
  split({
    left: step("left", (a) => ({ l: a.sum + 1 })),
    right: step("right", (a) => ({ r: a.sum + 2 }))
  }),
  join("merge", (inputs) => {
    unless("merge")
    return { both: inputs.left.l + inputs.right.r }
  }),
  step("end", (a) => {
    unless("end")
    return { result: a.both * 10 }
  })
)

const all = ["start/0", "square/0", "square/1", "square/2", "total/0", "left/0", "right/0", "merge/0", "end/0"]

forEachStore((_name, makeStore) => {
  const failFirst = async (names: ReadonlyArray<string>, params?: { n: number }) => {
    const counted = spyingStore(await makeStore())
    names.forEach((name) => failing.add(name))
    try {
      const failure = await runFailure(run(Pipeline, { store: counted.store, log: quiet, ...(params && { params }) }))
      return { counted, origin: failure.runId }
    } finally {
      names.forEach((name) => failing.delete(name))
    }
  }

  describe("resume", () => {
    test("after the first step failed, everything runs again, with the origin's parameters", async () => {
      const { counted, origin } = await failFirst(["start"], { n: 4 })
      const seen = recorder()
      const result = await resume(Pipeline, { store: counted.store, log: quiet, onEvent: seen.onEvent })
      expect(result.artifacts.n).toBe(4)
      expect(result.artifacts.result).toBe((1 + 4 + 9 + 16) * 2 * 10 + 30)
      expect(seen.cloned).toEqual([])
      expect(seen.ran).toContain("start/0")
      expect((await readMeta(counted.store, "Pipeline", result.runId)).originRunId).toBe(origin)
    })

    test("after the last step failed, every other task is reused by reference, no blob copied", async () => {
      const { counted, origin } = await failFirst(["end"])
      const blobsBefore = counted.writes.length
      const seen = recorder()
      const result = await resume(Pipeline, { store: counted.store, log: quiet, onEvent: seen.onEvent })
      expect(result.artifacts.result).toBe((1 + 4 + 9) * 2 * 10 + 30)
      expect(seen.cloned.sort()).toEqual(all.filter((task) => task !== "end/0").sort())
      expect(seen.ran).toEqual(["end/0"])
      expect(counted.writes.length).toBe(blobsBefore)
      const handle = await Client.open(counted.store).run("Pipeline", result.runId)
      expect(handle.originRunId).toBe(origin)
      const square = await handle.step("square").tasks()
      expect(square.map((task) => task.originTaskId)).toEqual(["0", "1", "2"])
      expect(await square[2]?.artifact("y")).toBe(9)
      expect((await (await handle.step("end").task("0")).artifact("big"))).toEqual(result.artifacts.big)
      expect(await expectConsistent(counted.store, "Pipeline", result.runId)).toBe(all.length)
    })

    test("a failed foreach task runs again while its succeeded siblings are reused", async () => {
      const { counted } = await failFirst(["square/1"])
      const seen = recorder()
      const result = await resume(Pipeline, { store: counted.store, log: quiet, onEvent: seen.onEvent })
      expect(result.artifacts.sum).toBe(14)
      expect(seen.cloned.sort()).toEqual(["square/0", "square/2", "start/0"])
      expect(seen.ran).toEqual(expect.arrayContaining(["square/1", "total/0", "left/0", "right/0", "merge/0", "end/0"]))
    })

    test("a failed join runs again; its branches are reused", async () => {
      const { counted } = await failFirst(["merge"])
      const seen = recorder()
      await resume(Pipeline, { store: counted.store, log: quiet, onEvent: seen.onEvent })
      expect(seen.cloned.sort()).toEqual(["left/0", "right/0", "square/0", "square/1", "square/2", "start/0", "total/0"])
      expect(seen.ran).toEqual(["merge/0", "end/0"])
    })

    test("`from` runs a step that succeeded, and everything after it, again", async () => {
      const store = await makeStore()
      const origin = await run(Pipeline, { store, log: quiet })
      const seen = recorder()
      const again = await resume(Pipeline, { store, log: quiet, origin: origin.runId, from: "total", onEvent: seen.onEvent })
      expect(again.artifacts).toEqual(origin.artifacts)
      expect(seen.cloned.sort()).toEqual(["square/0", "square/1", "square/2", "start/0"])
      expect(seen.ran.sort()).toEqual(["end/0", "left/0", "merge/0", "right/0", "total/0"])
    })

    test("a resumed run can be resumed again, and its reused artifacts stay readable", async () => {
      const { counted } = await failFirst(["end"])
      const first = await resume(Pipeline, { store: counted.store, log: quiet })
      const seen = recorder()
      const second = await resume(Pipeline, { store: counted.store, log: quiet, from: "merge", onEvent: seen.onEvent })
      expect(second.artifacts).toEqual(first.artifacts)
      expect(seen.ran).toEqual(["merge/0", "end/0"])
      const handle = await Client.open(counted.store).run("Pipeline", second.runId)
      expect(await (await handle.step("square").task("1")).artifact("y")).toBe(4)
      expect(await expectConsistent(counted.store, "Pipeline", second.runId)).toBe(all.length)
    })
  })

  describe("resume refuses", () => {
    test("a flow without runs, and an unknown run", async () => {
      const store = await makeStore()
      await expect(resume(Pipeline, { store, log: quiet })).rejects.toThrow(NotFoundError)
      await expect(resume(Pipeline, { store, log: quiet })).rejects.toThrow("artiflow: flow 'Pipeline' has no run to resume")
      const origin = await run(Pipeline, { store, log: quiet })
      await expect(resume(Pipeline, { store, log: quiet, origin: "nope" })).rejects.toThrow(
        `artiflow: flow 'Pipeline' has no run 'nope' to resume (latest runs: '${origin.runId}')`
      )
    })

    test("a run of another flow", async () => {
      const store = await makeStore()
      const Other = pipe(flow("Other"), step("start", () => ({ z: 1 })))
      const other = await run(Other, { store, log: quiet })
      await run(Pipeline, { store, log: quiet })
      await expect(resume(Pipeline, { store, log: quiet, origin: other.runId })).rejects.toThrow(
        `artiflow: run '${other.runId}' is a run of flow 'Other', not of 'Pipeline': resume it with that flow`
      )
    })

    test("a step that does not exist", async () => {
      const store = await makeStore()
      await run(Pipeline, { store, log: quiet })
      await expect(resume(Pipeline, { store, log: quiet, from: "sqaure" as never })).rejects.toThrow(
        "artiflow: resume from 'sqaure': flow 'Pipeline' has no step or join of that name (steps: 'start', 'square', 'total', 'left', 'right', 'merge', 'end')"
      )
    })

    test("a flow whose reused steps now have other inputs, unless they run again", async () => {
      const store = await makeStore()
      failing.add("end")
      await runFailure(run(Pipeline, { store, log: quiet }))
      failing.delete("end")
      const Changed = pipe(
        flow("Pipeline", { params: { n: param(t.number, { default: 3 }) } }),
        step("start", (a) => ({ xs: Array.from({ length: a.n }, (_, i) => i + 1) })),
        step("prepare", (a) => ({ xs: a.xs.map((x) => x * 2) })),
        foreach("xs", step("square", (_a, ctx) => ({ y: ctx.input * ctx.input }))),
        join("total", (inputs) => ({ sum: inputs.reduce((s, i) => s + i.y, 0) })),
        step("end", (a) => ({ result: a.sum }))
      )
      const error = await resume(Changed, { store, log: quiet }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(FlowDefinitionError)
      expect((error as Error).message).toMatch(
        /^artiflow: cannot resume run '[^']+' of flow 'Pipeline': step 'square' has other inputs in this version of the flow/
      )
      const fromPrepare = await resume(Changed, { store, log: quiet, from: "prepare" })
      expect(fromPrepare.artifacts.sum).toBe(4 + 16 + 36)
    })
  })
})
