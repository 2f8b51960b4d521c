/**
 * gc on the S3 store (the run's radosgw): runs and blobs deleted as on the other stores, a large blob's
 * pointer and data object both deleted (and counted at its real size), listings that span pages and
 * deletions that span DeleteObjects batches of 1,000, and the read cache not serving what gc deleted.
 */
import { pipe } from "fp-ts/lib/function.js"
import { expect, test } from "vitest"
import { MULTIPART_THRESHOLD } from "../../lib/datastore/s3Blobs.js"
import { flow, gc, run, step } from "../../lib/index.js"
import { NotFoundError } from "../../lib/errors.js"
import { s3Server } from "../support/s3.js"
import { listKeys, s3Harness } from "../datastore/s3Harness.js"
import { loadEveryArtifact } from "./loadRun.js"

const Small = pipe(
  flow("Small"),
  step("start", () => ({ table: new Float64Array(4096).fill(Math.random()) }))
)

test("gc on S3 deletes runs and their blobs, a large blob's data object included, and keeps the rest loadable", async () => {
  const { store, bucket, client, cleanup } = await s3Harness(s3Server())
  try {
    const old = (await run(Small, { store, log: () => {} })).runId
    const kept = (await run(Small, { store, log: () => {} })).runId
    const large = new Uint8Array(MULTIPART_THRESHOLD + 1024).fill(9)
    const { hash } = await store.writeBlob(large)
    await store.readBlob(hash) // now in the read cache too
    expect((await listKeys(client, bucket, "data/")).length).toBe(1)
    const result = await gc(store, { keep: { lastRuns: 1 }, graceMs: 0 })
    expect(result.runsDeleted).toBe(1)
    expect(result.blobsDeleted).toBe(2)
    expect(result.bytesFreed).toBeGreaterThanOrEqual(large.byteLength)
    expect(await store.readRun("Small", old)).toBeUndefined()
    expect(await listKeys(client, bucket, `runs/Small/${old}`)).toEqual([])
    expect(await listKeys(client, bucket, "data/")).toEqual([])
    await expect(store.readBlob(hash)).rejects.toBeInstanceOf(NotFoundError)
    expect(await loadEveryArtifact(store, "Small", kept)).toBe(1)
  } finally {
    await cleanup()
  }
}, 120_000)

test("gc on S3 lists blobs across pages and deletes them in DeleteObjects batches of 1,000", async () => {
  const { store, bucket, client, cleanup } = await s3Harness(s3Server())
  try {
    const count = 1_234
    const texts = Array.from({ length: count }, (_, i) => new TextEncoder().encode(`orphan ${i}`))
    for (let i = 0; i < count; i += 64) await Promise.all(texts.slice(i, i + 64).map((bytes) => store.writeBlob(bytes)))
    expect(await gc(store, { keep: () => true, graceMs: 0, dryRun: true })).toMatchObject({ blobsDeleted: count })
    const result = await gc(store, { keep: () => true, graceMs: 0 })
    expect(result.blobsDeleted).toBe(count)
    expect(await listKeys(client, bucket, "blobs/")).toEqual([])
  } finally {
    await cleanup()
  }
}, 300_000)
