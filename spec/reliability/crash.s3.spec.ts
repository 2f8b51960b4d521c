/**
 * Crashes on S3 (issue 10, faults): the crash harness of crash.spec.ts (crashHarness.ts says what it does and
 * checks after every kill) on S3 stores of the run's radosgw gateway, with the auditor and the sweep of
 * s3CrashSites.ts. The children open `s3://bucket/prefix` with `storeAt`, as the CLI would.
 *
 * The flow's body task 3 stores a blob above the multipart threshold here, so that kills land inside
 * multipart uploads too: a share of the kills of fresh runs is aimed at a random moment of that upload, and
 * a dedicated test kills one mid-upload for certain. Self-kills at a persistence point are timed in turns of
 * the event loop or in milliseconds (an S3 write takes milliseconds).
 *
 * S3 runs are slower than local ones (a run is ~1 s of round trips, a child ~0.3 s more to start): 24 kills
 * per seed (48 per `npm test`) keep this file near 1.5 minutes alone here, under 2.5 in a loaded `npm test`;
 * `ARTIFLOW_STRESS=1` makes them 240.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { MULTIPART_THRESHOLD } from "../../lib/datastore/s3Blobs.js"
import { CrashHarness, emptyStats, FLOW } from "./crashHarness.js"
import { DRAWN_SEED, FIXED_SEED, scaled } from "./harness.js"
import { s3Sites } from "./s3CrashSites.js"

/** Two parts: 16 MiB and 1 MiB. */
const BULK_BYTES = MULTIPART_THRESHOLD + 1024 * 1024

const sites = s3Sites()
const harness = new CrashHarness({
  sites,
  kills: scaled(24),
  lanes: 2,
  chainsPerStore: 4,
  params: { bulkBytes: BULK_BYTES },
  selfKillMs: 40,
  largeBlobKills: { share: 0.5, minBytes: MULTIPART_THRESHOLD, uploadMs: 600 },
  timeoutMs: 240_000
})

describe("crashes on S3", () => {
  beforeAll(() => harness.prepare(), 120_000)
  afterAll(() => harness.dispose(), 120_000)

  test("a kill in the middle of a multipart upload leaves an invisible upload, aborted once an hour old; resume completes", async () => {
    const stats = emptyStats()
    const bulk = harness.reference.run.tasks.get("body/3")?.hashes["bulk"]
    expect(bulk).toBeDefined()
    // Whether the upload has started when the kill lands depends on the machine: try until one is left.
    for (const afterMs of [150, 250, 100, 350, 60, 450, 30, 550]) {
      const site = await sites.create(`mid-upload-${afterMs}`)
      const store = site.open()
      const job = { store: site.location, runId: "cut", params: { bulkBytes: BULK_BYTES } }
      const { killed } = await harness.runKillable(job, { kind: "point", point: 1, minBlobBytes: MULTIPART_THRESHOLD, afterMs })
      expect(killed).toBe(true)
      await site.settle()
      await site.audit()
      const left = await site.pendingUploads()
      if (left.length === 0) continue
      // Nothing of the blob is visible: no object under its name, and the run has no task holding it.
      expect(await store.hasBlob(bulk as string)).toBe(false)
      expect((await harness.verifyRun(store, "cut", stats)).tasks.has("body/3")).toBe(false)
      await harness.complete(store, "cut", "resumed", stats)
      expect(await store.hasBlob(bulk as string)).toBe(true)
      expect((await site.audit()).changedRuns).toEqual(new Set([`${FLOW}/resumed`]))
      // A new run leaves the upload alone (it could be a live writer's); an hour on, the sweep aborts it.
      const { swept } = await site.retire((fresh, runId) => harness.complete(fresh, undefined, runId, stats))
      expect(swept).toBe(left.length)
      return
    }
    throw new Error(`no kill inside the ${BULK_BYTES}-byte blob's write left an incomplete upload: has the flow changed?`)
  }, 120_000)

  harness.crashTest(FIXED_SEED)
  harness.crashTest(DRAWN_SEED)
})
