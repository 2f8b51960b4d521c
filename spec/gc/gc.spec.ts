/**
 * gc(store, { keep, dryRun, graceMs }): which runs go (never a running run, never a run a kept run refers
 * to; lastRuns per flow; any criterion keeps), which blobs go (none a kept run references, none touched within
 * the grace period), what it resolves to, and its errors. On the memory and the local store.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { expect, test, vi } from "vitest"
import { sha256Hex } from "../../lib/codec/hash.js"
import { CACHE_FORMAT, cacheEntryId } from "../../lib/datastore/CacheEntry.js"
import type { CacheEntry } from "../../lib/datastore/CacheEntry.js"
import { STORE_FORMAT } from "../../lib/datastore/Manifest.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import { flow, FlowDefinitionError, foreach, gc, join, param, resume, run, step, StorageError } from "../../lib/index.js"
import { forEachStore, quiet } from "../stores.js"
import { loadEveryArtifact } from "./loadRun.js"

const failing = new Set<string>()

/** Every run of it stores a large raw array (its own blob per `n`), an attachment, and a foreach. */
const Train = pipe(
  flow("Train", { params: { n: param(t.number, { default: 1 }) } }),
  step("start", (a) => ({
    weights: new Float64Array(1 << 15).fill(a.n),
    model: { name: `model-${a.n}`, bias: new Float32Array(1 << 15).fill(a.n) },
    xs: [a.n, a.n + 1]
  })),
  foreach("xs", step("square", (_a, ctx) => ({ y: String(ctx.input).repeat(5000) }))),
  join("total", (inputs) => {
    if (failing.has("total")) throw new Error("total failed")
    return { total: inputs.map((input) => input.y.length).reduce((x, y) => x + y, 0) }
  }),
  step("end", (a) => ({ result: a.total * 2 }))
)

const Other = pipe(
  flow("Other"),
  step("start", () => ({ big: new Float64Array(1 << 14).fill(7) }))
)

const trainRun = async (store: Datastore, n: number, tags: ReadonlyArray<string> = []): Promise<string> =>
  (await run(Train, { store, params: { n }, log: quiet, tags })).runId

const blobCount = async (store: Datastore): Promise<number> => {
  let count = 0
  for await (const page of store.listBlobs?.() ?? []) count += page.length
  return count
}

/** A cached step (its start is answered by the step cache when `n` is one a run already computed). */
const Cached = pipe(
  flow("Cached", { params: { n: param(t.number, { default: 1 }) } }),
  step("start", (a) => ({ table: new Float64Array(1 << 13).fill(a.n) }), { cache: true }),
  step("end", (a) => ({ total: a.table.length }))
)

/** The blob of the table a Cached run's start stored. */
const tableHash = async (store: Datastore, runId: string): Promise<string> => {
  const table = (await store.readManifests("Cached", runId)).find((manifest) => manifest.step === "start")?.artifacts.table
  if (table === undefined) throw new Error(`run ${runId} has no table`)
  return table.stored?.hash ?? table.hash
}

const cacheEntries = async (store: Datastore): Promise<Array<CacheEntry>> => {
  const entries: Array<CacheEntry> = []
  for await (const entry of store.listCacheEntries?.() ?? []) entries.push(entry)
  return entries
}

const runIds = async (store: Datastore, name: string): Promise<ReadonlyArray<string>> =>
  (await store.listRuns(name)).map((summary) => summary.id)

forEachStore((_name, makeStore) => {
  test("keeps the newest lastRuns runs of each flow, deletes the rest and the blobs only they referenced", async () => {
    const store = await makeStore()
    const old = [await trainRun(store, 1), await trainRun(store, 2)]
    const recent = [await trainRun(store, 3), await trainRun(store, 4)]
    const other = (await run(Other, { store, log: quiet })).runId
    const before = await blobCount(store)
    const result = await gc(store, { keep: { lastRuns: 2 }, graceMs: 0 })
    expect(result.runsDeleted).toBe(2)
    expect(result.blobsDeleted).toBeGreaterThanOrEqual(4) // weights and bias of n=1 and n=2, at least
    expect(result.bytesFreed).toBeGreaterThanOrEqual(2 * (8 + 4) * (1 << 15) * 0.9)
    expect(await blobCount(store)).toBe(before - result.blobsDeleted)
    expect(await runIds(store, "Train")).toEqual([...recent].reverse())
    expect(await runIds(store, "Other")).toEqual([other])
    for (const runId of recent) expect(await loadEveryArtifact(store, "Train", runId)).toBeGreaterThan(5)
    expect(await loadEveryArtifact(store, "Other", other)).toBe(1)
    for (const runId of old) expect(await store.readRun("Train", runId)).toBeUndefined()
    // A second gc has nothing left to do.
    expect(await gc(store, { keep: { lastRuns: 2 }, graceMs: 0 })).toEqual({ runsDeleted: 0, blobsDeleted: 0, bytesFreed: 0 })
  })

  test("dryRun deletes nothing and predicts exactly what the gc then deletes", async () => {
    const store = await makeStore()
    for (const n of [1, 2, 3]) await trainRun(store, n)
    const blobs = await blobCount(store)
    const predicted = await gc(store, { keep: { lastRuns: 1 }, dryRun: true, graceMs: 0 })
    expect(predicted.runsDeleted).toBe(2)
    expect(predicted.blobsDeleted).toBeGreaterThan(0)
    expect(await blobCount(store)).toBe(blobs)
    expect(await runIds(store, "Train")).toHaveLength(3)
    expect(await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })).toEqual(predicted)
  })

  test("blobs written within graceMs stay (default one hour), referenced or not", async () => {
    const store = await makeStore()
    await trainRun(store, 1)
    await trainRun(store, 2)
    const orphan = await store.writeBlob(new TextEncoder().encode("written by a run that has not committed yet"))
    const result = await gc(store, { keep: { lastRuns: 1 } })
    expect(result).toEqual({ runsDeleted: 1, blobsDeleted: 0, bytesFreed: 0 })
    expect(await store.hasBlob(orphan.hash)).toBe(true)
    expect(await gc(store, { keep: { lastRuns: 1 }, graceMs: 60_000 })).toMatchObject({ blobsDeleted: 0 })
    const later = await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })
    expect(later.blobsDeleted).toBeGreaterThan(1)
    expect(await store.hasBlob(orphan.hash)).toBe(false)
  })

  test("with the clock set past the grace period (fake timers), blobs nothing references go", async () => {
    const store = await makeStore()
    await trainRun(store, 1)
    const kept = await trainRun(store, 2)
    const orphan = await store.writeBlob(new TextEncoder().encode("nobody refers to me"))
    vi.useFakeTimers({ now: Date.now() + 2 * 60 * 60 * 1000 })
    try {
      const result = await gc(store, { keep: { lastRuns: 1 } })
      expect(result.runsDeleted).toBe(1)
      expect(result.blobsDeleted).toBeGreaterThan(1)
    } finally {
      vi.useRealTimers()
    }
    expect(await store.hasBlob(orphan.hash)).toBe(false)
    expect(await loadEveryArtifact(store, "Train", kept)).toBeGreaterThan(5)
  })

  test("since keeps the runs started at or after it; tags keep tagged runs; any criterion keeps a run", async () => {
    const store = await makeStore()
    const tagged = await trainRun(store, 1, ["prod"])
    const untagged = await trainRun(store, 2)
    const since = new Date()
    const recent = await trainRun(store, 3)
    expect(await gc(store, { keep: { since, tags: ["prod"] }, graceMs: 0 })).toMatchObject({ runsDeleted: 1 })
    expect(await runIds(store, "Train")).toEqual([recent, tagged])
    expect(await store.readRun("Train", untagged)).toBeUndefined()
    expect(await gc(store, { keep: { tags: ["prod"], lastRuns: 0 }, graceMs: 0 })).toMatchObject({ runsDeleted: 1 })
    expect(await runIds(store, "Train")).toEqual([tagged])
    expect(await loadEveryArtifact(store, "Train", tagged)).toBeGreaterThan(5)
  })

  test("a function decides per run; keep: () => false deletes every run that is not running", async () => {
    const store = await makeStore()
    const one = await trainRun(store, 1)
    await trainRun(store, 2)
    const seen: Array<string> = []
    const kept = await gc(store, {
      keep: (summary) => {
        seen.push(`${summary.flow}/${summary.id}/${summary.status}`)
        return summary.id === one
      },
      graceMs: 0
    })
    expect(kept.runsDeleted).toBe(1)
    expect(seen).toHaveLength(2)
    expect(await runIds(store, "Train")).toEqual([one])
    expect(await gc(store, { keep: () => false, graceMs: 0 })).toMatchObject({ runsDeleted: 1 })
    expect(await store.listFlows()).toEqual([])
    expect(await blobCount(store)).toBe(0)
  })

  test("never deletes a running run, nor the blobs it references", async () => {
    const store = await makeStore()
    await trainRun(store, 1)
    const blob = await store.writeBlob(new Uint8Array(4096).fill(3))
    const entry = { hash: blob.hash, size: blob.size, type: "Uint8Array", encoding: "raw" as const }
    await store.createRun({
      format: STORE_FORMAT,
      flow: "Train",
      runId: "still-running",
      status: "running",
      startedAt: 1, // the oldest run of all
      params: {},
      paramDefs: {},
      graph: { nodes: [] },
      versions: { artiflow: "0", node: "v20" },
      user: "tester",
      tags: []
    })
    const task = { step: "start", taskId: "0", attempt: 0, foreachStack: [], startedAt: 1, finishedAt: 2 }
    await store.commitManifests("Train", "still-running", [{ ...task, status: "succeeded", artifacts: { bytes: entry } }])
    const result = await gc(store, { keep: () => false, graceMs: 0 })
    expect(result.runsDeleted).toBe(1)
    expect(await runIds(store, "Train")).toEqual(["still-running"])
    expect(await store.hasBlob(blob.hash)).toBe(true)
  })

  test("a kept resumed run keeps the run it was resumed from, and still loads and resumes", async () => {
    const store = await makeStore()
    await trainRun(store, 9) // older than both: deleted
    failing.add("total")
    const origin = await run(Train, { store, params: { n: 5 }, log: quiet }).then(
      () => expect.unreachable("the join fails"),
      (error: { readonly runId: string }) => error.runId
    )
    failing.delete("total")
    const resumed = (await resume(Train, { store, log: quiet })).runId
    expect(await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })).toMatchObject({ runsDeleted: 1 })
    expect(await runIds(store, "Train")).toEqual([resumed, origin])
    expect(await loadEveryArtifact(store, "Train", resumed)).toBeGreaterThan(5)
    const again = await resume(Train, { store, origin: resumed, from: "end", log: quiet })
    expect(again.artifacts.result).toBe(2 * 2 * 5000)
    // A resume of the resume refers to both, through its reused tasks: the chain stays whole.
    expect(await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })).toMatchObject({ runsDeleted: 0 })
    expect(await runIds(store, "Train")).toEqual([again.runId, resumed, origin])
    expect(await loadEveryArtifact(store, "Train", again.runId)).toBeGreaterThan(5)
    // Once nothing kept refers to them, they go.
    expect(await gc(store, { keep: { tags: ["none"] }, graceMs: 0 })).toMatchObject({ runsDeleted: 3 })
  })

  test("a step cache entry goes with the run that computed it, and its blobs with it unless something kept references them", async () => {
    const store = await makeStore()
    const computing = await trainRun(store, 1)
    const kept = await trainRun(store, 2)
    const cachedBytes = new Uint8Array(8192).fill(42)
    const cached = await store.writeBlob(cachedBytes)
    const attachment = await store.writeBlob(new Uint8Array(4096).fill(43))
    const shared = await store.writeBlob(new Uint8Array(4096).fill(44))
    const keptOnly = await store.writeBlob(new Uint8Array(4096).fill(45))
    const raw = (hash: string, size: number) => ({ hash, size, type: "Uint8Array", encoding: "raw" }) as const
    const entryOf = (runId: string, x: string, artifacts: CacheEntry["artifacts"]): CacheEntry => {
      const reads = { x: sha256Hex(x) }
      return {
        format: CACHE_FORMAT,
        key: sha256Hex("Train\u0000start\u0000code"),
        id: cacheEntryId(reads, undefined, undefined),
        flow: "Train",
        step: "start",
        reads,
        artifacts,
        written: Object.keys(artifacts),
        cachedFrom: { runId, taskId: "0" },
        createdAt: Date.now()
      }
    }
    await store.putCacheEntries?.([
      entryOf(computing, "old", {
        table: raw(cached.hash, cached.size),
        shared: raw(shared.hash, shared.size),
        model: {
          hash: sha256Hex("model"),
          size: 10,
          type: "object",
          encoding: "seroval",
          inline: "{}",
          attachments: [{ hash: attachment.hash, size: attachment.size }]
        }
      })
    ])
    const keptEntry = entryOf(kept, "new", { shared: raw(shared.hash, shared.size), table: raw(keptOnly.hash, keptOnly.size) })
    await store.putCacheEntries?.([keptEntry])
    // Entries of a run of another flow with the same id are not the deleted run's.
    await store.putCacheEntries?.([{ ...entryOf(computing, "other", {}), flow: "Other" }])
    const predicted = await gc(store, { keep: { lastRuns: 1 }, graceMs: 0, dryRun: true })
    expect(predicted).toMatchObject({ runsDeleted: 1, cacheEntriesDeleted: 1 })
    expect(await cacheEntries(store)).toHaveLength(3)
    const result = await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })
    expect(result).toEqual(predicted)
    expect(await store.readRun("Train", computing)).toBeUndefined()
    expect(await store.hasBlob(cached.hash)).toBe(false)
    expect(await store.hasBlob(attachment.hash)).toBe(false)
    // Referenced by the kept run's entry, which stays: its blobs stay, though no manifest references them.
    expect(await store.hasBlob(shared.hash)).toBe(true)
    expect(await store.hasBlob(keptOnly.hash)).toBe(true)
    expect((await cacheEntries(store)).map((entry) => [entry.flow, entry.cachedFrom.runId])).toEqual(
      expect.arrayContaining([["Train", kept], ["Other", computing]])
    )
    expect(await cacheEntries(store)).toHaveLength(2)
    expect(await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })).toEqual({ runsDeleted: 0, blobsDeleted: 0, bytesFreed: 0 })
  })

  test("a cached step's output is freed once its computing run is deleted; a kept run's entry stays and still hits", async () => {
    const store = await makeStore()
    const computing = (await run(Cached, { store, params: { n: 1 }, log: quiet })).runId
    const keptRun = (await run(Cached, { store, params: { n: 2 }, log: quiet })).runId
    const oldTable = await tableHash(store, computing)
    const keptTable = await tableHash(store, keptRun)
    expect(oldTable).not.toBe(keptTable)
    const result = await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })
    expect(result).toMatchObject({ runsDeleted: 1, cacheEntriesDeleted: 1 })
    expect(await store.hasBlob(oldTable)).toBe(false)
    expect(await store.hasBlob(keptTable)).toBe(true)
    expect((await cacheEntries(store)).map((entry) => entry.cachedFrom.runId)).toEqual([keptRun])
    // The kept run's entry still answers; the deleted run's step is computed again.
    const hit = (await run(Cached, { store, params: { n: 2 }, log: quiet })).runId
    expect((await store.readManifests("Cached", hit)).find((manifest) => manifest.step === "start")?.cachedFrom).toEqual({ runId: keptRun, taskId: "0" })
    const miss = (await run(Cached, { store, params: { n: 1 }, log: quiet })).runId
    expect((await store.readManifests("Cached", miss)).find((manifest) => manifest.step === "start")?.cachedFrom).toBeUndefined()
    expect(await loadEveryArtifact(store, "Cached", miss)).toBe(5)
  })

  test("on a store that cannot delete cache entries, every entry stays a root: its blobs stay", async () => {
    const inner = await makeStore()
    const store: Datastore = Object.assign(Object.create(inner) as Datastore, { deleteCacheEntries: undefined })
    const computing = (await run(Cached, { store, params: { n: 1 }, log: quiet })).runId
    await run(Cached, { store, params: { n: 2 }, log: quiet })
    const table = await tableHash(store, computing)
    const result = await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })
    expect(result.runsDeleted).toBe(1)
    expect(result.cacheEntriesDeleted, "no entry deleted: the field is absent").toBeUndefined()
    expect(await store.hasBlob(table)).toBe(true)
    expect(await cacheEntries(store)).toHaveLength(2)
  })

  test("a kept run whose tasks were answered by the step cache keeps the run that computed them, and its entry", async () => {
    const store = await makeStore()
    const computing = (await run(Cached, { store, log: quiet })).runId
    const answered = await run(Cached, { store, log: quiet })
    const manifests = await store.readManifests("Cached", answered.runId)
    expect(manifests.find((manifest) => manifest.step === "start")?.cachedFrom).toEqual({ runId: computing, taskId: "0" })
    expect(await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })).toEqual({ runsDeleted: 0, blobsDeleted: 0, bytesFreed: 0 })
    expect(await runIds(store, "Cached")).toEqual([answered.runId, computing])
    expect(await loadEveryArtifact(store, "Cached", answered.runId)).toBe(5) // n and table in start; n, table and total in end
    expect((await cacheEntries(store)).map((entry) => entry.cachedFrom.runId)).toEqual([computing])
    const again = (await run(Cached, { store, log: quiet })).runId
    expect((await store.readManifests("Cached", again)).find((manifest) => manifest.step === "start")?.cachedFrom).toEqual({ runId: computing, taskId: "0" })
  })

  test("bad options are errors naming the option and what it accepts, before anything is deleted", async () => {
    const store = await makeStore()
    const runId = await trainRun(store, 1)
    const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
      [{}, /option 'keep' must be at least one of lastRuns, since or tags.*keep: \(\) => false/],
      [{ lastRuns: -1 }, /option 'keep.lastRuns' must be an integer >= 0 \(received -1\)/],
      [{ lastRuns: 1.5 }, /option 'keep.lastRuns' must be an integer >= 0 \(received 1.5\)/],
      [{ since: new Date("nope") }, /option 'keep.since' must be a valid Date/],
      [{ since: "2024-01-01" }, /option 'keep.since' must be a valid Date \(received "2024-01-01"\)/],
      [{ tags: "prod" }, /option 'keep.tags' must be an array of tag strings/],
      [null, /option 'keep' must be an object \{ lastRuns\?, since\?, tags\? \} or a function/]
    ]
    for (const [keep, message] of cases) {
      const attempt = gc(store, { keep: keep as never, graceMs: 0 })
      await expect(attempt).rejects.toBeInstanceOf(FlowDefinitionError)
      await expect(attempt).rejects.toThrow(message)
    }
    await expect(gc(store, { keep: { lastRuns: 1 }, graceMs: -5 })).rejects.toThrow(/option 'graceMs' must be a number of milliseconds >= 0/)
    await expect(gc(store, { keep: { lastRuns: 1 }, dryRun: "yes" as never })).rejects.toThrow(/option 'dryRun' must be true or false/)
    await expect(gc(store, undefined as never)).rejects.toThrow(/option 'options' must be an object/)
    const { listBlobs: _l, deleteBlobs: _d, deleteRun: _r, ...plain } = store
    const bare: Datastore = {
      ...plain,
      description: store.description,
      writeBlob: (bytes) => store.writeBlob(bytes),
      hasBlob: (hash) => store.hasBlob(hash),
      readBlob: (hash) => store.readBlob(hash),
      createRun: (meta) => store.createRun(meta),
      updateRun: (meta) => store.updateRun(meta),
      readRun: (flowName, id) => store.readRun(flowName, id),
      listRuns: (flowName) => store.listRuns(flowName),
      updateTags: (flowName, id, change) => store.updateTags(flowName, id, change),
      listFlows: () => store.listFlows(),
      commitManifests: (flowName, id, manifests) => store.commitManifests(flowName, id, manifests),
      readManifests: (flowName, id) => store.readManifests(flowName, id)
    }
    await expect(gc(bare, { keep: () => false })).rejects.toBeInstanceOf(StorageError)
    await expect(gc(bare, { keep: () => false })).rejects.toThrow(/gc needs a store that can list and delete/)
    expect(await runIds(store, "Train")).toEqual([runId])
  })
})
