/**
 * A flow's runs are ordered newest first by start time, then by id; runs one process starts within one
 * millisecond (a fast flow's on a memory store, about half of them) must still sort in the order they were
 * started, since `resume`, `spin`, `client.run(flow)` and gc's `lastRuns` take the newest.
 */
import { describe, expect, test } from "vitest"
import { Client, flow, memoryStore, resume, run, step } from "../../lib/index.js"
import { newRunId } from "../../lib/interpreter/runId.js"
import { quiet } from "../stores.js"

const Quick = flow("Quick").pipe(step("start", () => ({ x: 1 })), step("end", (a) => ({ y: a.x + 1 })))

describe("run order", () => {
  test("ids made within one millisecond increase, in the documented format", () => {
    const now = new Date(Date.UTC(2026, 11, 7, 15, 30, 0, 123))
    const ids = Array.from({ length: 1000 }, () => newRunId(now))
    for (const id of ids) expect(id).toMatch(/^20261207-153000-123-[0-9a-z]{6}$/)
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as string))).toBe(true)
    // Another millisecond starts from a random suffix again.
    expect(newRunId(new Date(now.getTime() + 1)).slice(0, 19)).toBe("20261207-153000-124")
  })

  test("back-to-back runs list in the order they started, and the last one is the flow's latest", async () => {
    const store = memoryStore()
    const started: Array<string> = []
    for (let i = 0; i < 30; i++) started.push((await run(Quick, { store, log: quiet })).runId)
    expect((await store.listRuns("Quick")).map((summary) => summary.id)).toEqual([...started].reverse())
    expect((await Client.open(store).run("Quick")).id).toBe(started.at(-1))
    const resumed = await resume(Quick, { store, from: "end", log: quiet })
    expect((await Client.open(store).run("Quick", resumed.runId)).originRunId).toBe(started.at(-1))
  })
})
