/**
 * The index of an ended run's manifest log (lib/datastore/logIndex.ts): reading through it gives exactly what
 * reading the log record by record gives, and anything that makes the index not describe the log byte for
 * byte makes readers fall back to the log itself, with the log's own errors.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, test } from "vitest"
import type { ManifestRecord } from "../../lib/datastore/Datastore.js"
import { localStore } from "../../lib/datastore/local.js"
import { buildLogIndex, indexedRecords } from "../../lib/datastore/logIndex.js"
import { frameRecord, parseLog } from "../../lib/datastore/manifestLog.js"
import { encodeManifest, lazyRecord } from "../../lib/datastore/records.js"
import { IntegrityError } from "../../lib/errors.js"
import { manifest, runMeta } from "./contract/fixtures.js"
import { localHarness } from "./localHarness.js"

const WHERE = "/x/manifests.jsonl"

const logOf = (...manifests: ReadonlyArray<ReturnType<typeof manifest>>): Buffer =>
  Buffer.concat(manifests.map((m) => frameRecord(encodeManifest(m))))

/** What a reader sees of records: headers and decoded manifests. */
const seen = (records: ReadonlyArray<ManifestRecord>) =>
  records.map((record) => ({ step: record.step, taskId: record.taskId, attempt: record.attempt, manifest: record.manifest() }))

const byRecord = (bytes: Buffer) => parseLog(bytes, WHERE).records.map((text, i) => lazyRecord(text, WHERE, i))

const sample = () =>
  logOf(
    manifest("start"),
    manifest("work", "0"),
    manifest("work", "1", 0, { artifacts: { "naïve é": { hash: "a".repeat(64), size: 1, type: "string", encoding: "json", inline: '"ü"' } } }),
    manifest("work", "1", 1),
    manifest('odd "step"\\name', "2"),
    manifest("end")
  )

/** A copy of `bytes` with one bit of the byte at `at` flipped. */
const flipped = (bytes: Buffer, at: number): Buffer => {
  const copy = Buffer.from(bytes)
  copy[at] = (copy[at] as number) ^ 1
  return copy
}

/** The index's JSON, to craft variants of it. */
const indexJson = (index: Buffer): Record<string, unknown> => JSON.parse(index.toString("utf8").slice(9)) as Record<string, unknown>

describe("manifest log index", () => {
  test("records read through the index are the records of the log, non-ASCII and escaped names included", () => {
    const bytes = sample()
    const index = buildLogIndex(bytes, WHERE)
    expect(index).toBeDefined()
    const indexed = indexedRecords(bytes, index as Buffer, WHERE)
    expect(indexed).toBeDefined()
    expect(seen(indexed ?? [])).toEqual(seen(byRecord(bytes)))
  })

  test("is not used for a log that grew after it (a late record, a torn tail): the caller reads the log", () => {
    const bytes = sample()
    const index = buildLogIndex(bytes, WHERE) as Buffer
    expect(indexedRecords(Buffer.concat([bytes, logOf(manifest("late"))]), index, WHERE)).toBeUndefined()
    expect(indexedRecords(Buffer.concat([bytes, Buffer.from("0000")]), index, WHERE)).toBeUndefined()
  })

  test("is not used when a byte of the log changed, or the log was cut", () => {
    const bytes = sample()
    const index = buildLogIndex(bytes, WHERE) as Buffer
    expect(indexedRecords(flipped(bytes, 40), index, WHERE)).toBeUndefined()
    expect(indexedRecords(bytes.subarray(0, bytes.length - 1), index, WHERE)).toBeUndefined()
  })

  test("is not used when it is damaged, of another format or out of range", () => {
    const bytes = sample()
    const index = buildLogIndex(bytes, WHERE) as Buffer
    expect(indexedRecords(bytes, flipped(index, 20), WHERE)).toBeUndefined()
    expect(indexedRecords(bytes, index.subarray(0, index.length - 1), WHERE)).toBeUndefined()
    const json = indexJson(index)
    const variant = (change: Record<string, unknown>) => frameRecord(JSON.stringify({ ...json, ...change }))
    expect(indexedRecords(bytes, variant({ artiflowLogIndex: 2 }), WHERE)).toBeUndefined()
    const records = json.records as Array<string | number>
    expect(indexedRecords(bytes, variant({ records: records.slice(0, -1) }), WHERE)).toBeUndefined()
    expect(indexedRecords(bytes, variant({ records: [9, ...records.slice(1)] }), WHERE)).toBeUndefined()
    expect(indexedRecords(bytes, variant({ records: ["__proto__", ...records.slice(1)] }), WHERE)).toBeUndefined()
    expect(indexedRecords(bytes, variant({ records: [...records.slice(0, 4), bytes.length + 5, ...records.slice(5)] }), WHERE)).toBeUndefined()
    expect(indexedRecords(bytes, variant({ records: [...records.slice(0, 2), "x", ...records.slice(3)] }), WHERE)).toBeUndefined()
  })

  test("an index whose header does not match the record it points at is an IntegrityError when that record is used", () => {
    const bytes = sample()
    const json = indexJson(buildLogIndex(bytes, WHERE) as Buffer)
    const records = [...(json.records as Array<string | number>)]
    records[6] = "7" // the second record (work/0) claims to be task 7
    const indexed = indexedRecords(bytes, frameRecord(JSON.stringify({ ...json, records })), WHERE) ?? []
    expect(indexed[1]?.taskId).toBe("7")
    expect(() => indexed[1]?.manifest()).toThrow(IntegrityError)
    expect(() => indexed[1]?.manifest()).toThrow(`manifest record 2 of ${WHERE} does not match its index entry: delete the index beside the log`)
    expect(indexed[0]?.manifest().step).toBe("start")
  })

  test("covers only a log's intact records; a corrupt or empty log gets none", () => {
    const bytes = sample()
    const torn = Buffer.concat([bytes, Buffer.from("0123")])
    expect(indexJson(buildLogIndex(torn, WHERE) as Buffer).length).toBe(bytes.length)
    expect(buildLogIndex(flipped(bytes, 12), WHERE)).toBeUndefined()
    expect(buildLogIndex(Buffer.alloc(0), WHERE)).toBeUndefined()
  })
})

/** The records of run Train/r1 as a fresh store over `root` reads them. */
const recordsIn = (root: string): Promise<ReadonlyArray<ManifestRecord>> => {
  const store = localStore(root)
  if (store.readManifestRecords === undefined) throw new Error("the local store reads manifest records")
  return store.readManifestRecords("Train", "r1")
}

const deleteIn = (root: string): Promise<void> => {
  const store = localStore(root)
  if (store.deleteRun === undefined) throw new Error("the local store deletes runs")
  return store.deleteRun("Train", "r1")
}

describe("local store: the index of an ended run's log", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
  })

  const endedRun = async () => {
    const harness = await localHarness()
    cleanups.push(harness.cleanup)
    const { store, root } = harness
    await store.createRun(runMeta("Train", "r1"))
    await store.commitManifests("Train", "r1", [manifest("a"), manifest("b", "0"), manifest("b", "1")])
    const dir = join(root, "runs", "Train", "r1")
    return { ...harness, dir, log: join(dir, "manifests.jsonl"), index: join(dir, "manifests.index") }
  }

  test("is written when the run ends, not before, and reads the same records", async () => {
    const { store, root, dir, index } = await endedRun()
    const before = seen(await recordsIn(root))
    expect(await fs.readdir(dir)).not.toContain("manifests.index")
    await store.updateRun(runMeta("Train", "r1", 1_000, { status: "succeeded", finishedAt: 2_000 }))
    await fs.access(index)
    expect(seen(await recordsIn(root))).toEqual(before)
  })

  test("the index a store makes as it writes is the one reading the log would make", async () => {
    const { store, log, index } = await endedRun()
    await store.commitManifests("Train", "r1", [manifest("ü-step", "0", 0, { artifacts: { "é": { hash: "b".repeat(64), size: 1, type: "string", encoding: "json", inline: '"ö"' } } })])
    await store.updateRun(runMeta("Train", "r1", 1_000, { status: "succeeded", finishedAt: 2_000 }))
    expect(await fs.readFile(index)).toEqual(buildLogIndex(await fs.readFile(log), log))
  })

  test("a log another writer appended to is indexed from what it holds", async () => {
    const { store, root, log, index } = await endedRun()
    await localStore(root).commitManifests("Train", "r1", [manifest("c", "0")])
    await store.commitManifests("Train", "r1", [manifest("d", "0")])
    await store.updateRun(runMeta("Train", "r1", 1_000, { status: "succeeded", finishedAt: 2_000 }))
    expect(await fs.readFile(index)).toEqual(buildLogIndex(await fs.readFile(log), log))
    expect((await recordsIn(root)).map((r) => r.step)).toEqual(["a", "b", "b", "c", "d"])
  })

  test("a log that had records before this store first wrote to it is indexed from what it holds", async () => {
    const { root, log, index } = await endedRun()
    const later = localStore(root)
    await later.commitManifests("Train", "r1", [manifest("e", "0")])
    await later.updateRun(runMeta("Train", "r1", 1_000, { status: "succeeded", finishedAt: 2_000 }))
    expect(await fs.readFile(index)).toEqual(buildLogIndex(await fs.readFile(log), log))
    expect((await recordsIn(root)).map((r) => r.step)).toEqual(["a", "b", "b", "e"])
  })

  test("a record committed after the run ended is read (the log is read record by record)", async () => {
    const { store, root } = await endedRun()
    await store.updateRun(runMeta("Train", "r1", 1_000, { status: "failed", finishedAt: 2_000 }))
    await store.commitManifests("Train", "r1", [manifest("b", "1", 1)])
    const records = await recordsIn(root)
    expect(records.map((r) => `${r.step}/${r.taskId}/${r.attempt}`)).toEqual(["a/0/0", "b/0/0", "b/1/0", "b/1/1"])
  })

  test("a log corrupted after its index was written is the same IntegrityError as without an index", async () => {
    const { store, root, log } = await endedRun()
    await store.updateRun(runMeta("Train", "r1", 1_000, { status: "succeeded", finishedAt: 2_000 }))
    const text = await fs.readFile(log, "utf8")
    await fs.writeFile(log, text.replace('"step":"b"', '"step":"B"'))
    await expect(recordsIn(root)).rejects.toThrow(`manifest log ${log} is corrupt at record 2`)
  })

  test("goes with its run", async () => {
    const { store, root, dir } = await endedRun()
    await store.updateRun(runMeta("Train", "r1", 1_000, { status: "succeeded", finishedAt: 2_000 }))
    await deleteIn(root)
    await expect(fs.access(dir)).rejects.toThrow()
  })
})
