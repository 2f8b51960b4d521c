/**
 * The local store's tag logs (lib/datastore/localTags.ts): where they are, that listing reads only the logs
 * of runs whose tags changed, and what a torn or damaged record does (it is skipped; the others count).
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, test, vi } from "vitest"
import { localStore } from "../../lib/datastore/local.js"
import { IntegrityError } from "../../lib/errors.js"
import { frameRecord } from "../../lib/datastore/manifestLog.js"
import { runMeta } from "./contract/fixtures.js"
import { localHarness } from "./localHarness.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

const tagged = async () => {
  const harness = await localHarness()
  cleanups.push(harness.cleanup)
  await harness.store.createRun(runMeta("Train", "r1", 1, { tags: ["initial"] }))
  return { ...harness, log: join(harness.root, "runs", "Train", ".tags", "r1.jsonl") }
}

describe("local store: tag logs", () => {
  test("changes go to runs/<flow>/.tags/<runId>.jsonl, one framed record each; run.json keeps the created tags", async () => {
    const { store, root, log } = await tagged()
    await store.updateTags("Train", "r1", { add: ["a"], remove: [] })
    await store.updateTags("Train", "r1", { add: [], remove: ["initial"] })
    const text = await fs.readFile(log, "utf8")
    expect(text).toMatch(/^\n[0-9a-f]{8} \{"add":\["a"\],"remove":\[\]\}\n\n[0-9a-f]{8} \{"add":\[\],"remove":\["initial"\]\}\n$/)
    const runJson = JSON.parse(await fs.readFile(join(root, "runs", "Train", "r1", "run.json"), "utf8")) as { tags: unknown }
    expect(runJson.tags).toEqual(["initial"])
    expect((await store.readRun("Train", "r1"))?.tags).toEqual(["a"])
    // The .tags directory is neither a run nor a flow.
    expect((await store.listRuns("Train")).map((run) => run.id)).toEqual(["r1"])
    expect(await localStore(root).listFlows()).toEqual(["Train"])
  })

  test("listing runs reads the tag log of the runs that have one, and no other", async () => {
    const { store, root } = await tagged()
    for (const runId of ["r2", "r3", "r4"]) await store.createRun(runMeta("Train", runId, 2))
    await store.updateTags("Train", "r3", { add: ["x"], remove: [] })
    const reads = vi.spyOn(fs, "readFile")
    const runs = await localStore(root).listRuns("Train")
    const files = reads.mock.calls.map(([path]) => String(path).slice(root.length))
    expect(files.filter((file) => file.includes(".tags")).sort()).toEqual([join("/runs/Train/.tags/r3.jsonl")])
    expect(files.filter((file) => file.endsWith("run.json"))).toHaveLength(4)
    expect(runs.map((run) => [run.id, run.tags])).toEqual([
      ["r4", []],
      ["r3", ["x"]],
      ["r2", []],
      ["r1", ["initial"]]
    ])
  })

  test("a torn record (a write cut by a power loss) is skipped, and changes appended after it count", async () => {
    const { store, root, log } = await tagged()
    await store.updateTags("Train", "r1", { add: ["a"], remove: [] })
    await store.updateTags("Train", "r1", { add: ["torn"], remove: [] })
    await fs.truncate(log, (await fs.stat(log)).size - 5)
    const reopened = localStore(root)
    expect((await reopened.readRun("Train", "r1"))?.tags).toEqual(["a", "initial"])
    expect(await reopened.updateTags("Train", "r1", { add: ["b"], remove: [] })).toEqual(["a", "b", "initial"])
    expect((await localStore(root).listRuns("Train"))[0]?.tags).toEqual(["a", "b", "initial"])
  })

  test("a damaged record (bad checksum) is skipped; a well-framed record that is no tag change is IntegrityError", async () => {
    const { store, root, log } = await tagged()
    for (const tag of ["a", "b", "c"]) await store.updateTags("Train", "r1", { add: [tag], remove: [] })
    await fs.writeFile(log, (await fs.readFile(log, "utf8")).replace('"b"', '"B"'))
    expect((await localStore(root).readRun("Train", "r1"))?.tags).toEqual(["a", "c", "initial"])
    await fs.appendFile(log, Buffer.concat([Buffer.from("\n"), frameRecord('{"add":"oops"}')]))
    await expect(localStore(root).readRun("Train", "r1")).rejects.toBeInstanceOf(IntegrityError)
    await expect(localStore(root).listRuns("Train")).rejects.toThrow(`tag change 4 in ${log} is not a tag change`)
  })

  test("with fsync, tag changes are flushed and read back the same", async () => {
    const harness = await localHarness({ fsync: true })
    cleanups.push(harness.cleanup)
    await harness.store.createRun(runMeta("Train", "r1"))
    expect(await harness.store.updateTags("Train", "r1", { add: ["durable"], remove: [] })).toEqual(["durable"])
    expect((await localStore(harness.root).readRun("Train", "r1"))?.tags).toEqual(["durable"])
  })
})
