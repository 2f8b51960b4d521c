/** discardingStore: reads go to the wrapped store, writes are hashed and dropped. */
import { expect, test } from "vitest"
import { sha256Hex } from "../../lib/codec/hash.js"
import { discardingStore } from "../../lib/datastore/discarding.js"
import { memoryStore } from "../../lib/datastore/memory.js"
import type { RunMeta } from "../../lib/datastore/Manifest.js"

const meta = (runId: string): RunMeta => ({
  format: 1,
  flow: "F",
  runId,
  status: "running",
  startedAt: 1,
  params: {},
  paramDefs: {},
  tags: ["kept"],
  graph: { nodes: [] },
  versions: { artiflow: "0", node: "v20" },
  user: "me"
})

test("reads through, writes nothing", async () => {
  const store = memoryStore()
  const kept = await store.writeBlob(new Uint8Array([1, 2]))
  await store.createRun(meta("r1"))
  const discarding = discardingStore(store)
  expect(discarding.description).toBe(store.description)
  expect(await discarding.readBlob(kept.hash)).toEqual(new Uint8Array([1, 2]))
  expect(await discarding.readRun("F", "r1")).toEqual(meta("r1"))

  const bytes = new Uint8Array([9, 9, 9])
  expect(await discarding.writeBlob(bytes)).toEqual({ hash: sha256Hex(bytes), size: 3 })
  await discarding.createRun(meta("r2"))
  await discarding.commitManifests("F", "r1", [
    { step: "s", taskId: "0", attempt: 0, foreachStack: [], status: "succeeded", startedAt: 1, finishedAt: 2, artifacts: {} }
  ])
  await discarding.updateRun({ ...meta("r1"), status: "succeeded" })
  expect(store.blobs.size).toBe(1)
  expect(await store.hasBlob(sha256Hex(bytes))).toBe(false)
  expect((await store.listRuns("F")).map((run) => [run.id, run.status])).toEqual([["r1", "running"]])
  expect(await discarding.updateTags("F", "r1", { add: ["new"], remove: ["kept"] })).toEqual(["kept"])
  expect((await store.readRun("F", "r1"))?.tags).toEqual(["kept"])
  expect(await store.readManifests("F", "r1")).toEqual([])
  expect(await discarding.readManifestRecords?.("F", "r1")).toEqual([])
})
