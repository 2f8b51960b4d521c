/**
 * Crashes (issue 5, item 1) on local stores: child processes run or resume the Crash flow and are killed with
 * SIGKILL at random moments, hundreds of times per test run (crashHarness.ts says how, and what is checked
 * after every kill). Here the auditor is harnessStore.ts `FileAuditor`: every blob file hashes to its name,
 * every manifests.jsonl is intact records (a torn last record is allowed), every run.json parses. Each lane's
 * stores end with their stray temp files aged past the sweep threshold: the next run must remove them all.
 *
 * crash.s3.spec.ts runs the same harness on S3.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { CrashHarness, emptyStats, FLOW } from "./crashHarness.js"
import { localSites } from "./crashSites.js"
import { DRAWN_SEED, FIXED_SEED, scaled } from "./harness.js"
import { logRecords } from "./harnessStore.js"

const harness = new CrashHarness({
  sites: localSites(),
  /** Kills per test; two tests (fixed and drawn seed) make 200 per `npm test`, 2,000 under stress. */
  kills: scaled(100),
  lanes: 2,
  chainsPerStore: 15,
  timeoutMs: 240_000
})

/**
 * The `ledger` step commits a manifest of about 600 KB, which Node appends in two write calls (512 KiB at most
 * each); a kill between them leaves the log ending in part of a record. Its commit is a fresh run's 5th
 * persistence call (run created, `table` and `notes` blobs, `start` committed, then `ledger`), and the second
 * write follows the first a few event loop turns after the commit starts.
 */
const LEDGER_COMMIT = 5

describe("crashes", () => {
  beforeAll(() => harness.prepare())
  afterAll(() => harness.dispose())

  test("a kill in the middle of a large manifest's append leaves a torn record readers skip; resume completes", async () => {
    const stats = emptyStats()
    // How long the first write takes depends on the machine and its load: try until one kill lands between the
    // writes, first a few turns of the event loop after the commit starts, then (on a loaded machine, where the
    // thread pool lags the event loop) a few milliseconds.
    const turns = [2, 3, 4, 1, 5, 6, 7, 8, 9, 10, 11, 12, 16, 24, 32].map((n) => ({ turns: n }))
    const delays = [1, 2, 3, 5, 8, 12, 20, 30].map((ms) => ({ afterMs: ms }))
    for (const [i, when] of [...turns, ...delays].entries()) {
      const site = await harness.options.sites.create(`torn-${i}`)
      const store = site.open()
      const { killed } = await harness.runKillable({ store: site.location, runId: "torn" }, { kind: "point", point: LEDGER_COMMIT, ...when })
      expect(killed).toBe(true)
      const log = logRecords(await fs.readFile(join(site.location, "runs", FLOW, "torn", "manifests.jsonl")), "manifests.jsonl")
      if (!log.torn) continue
      // Only `start` committed; `ledger` is on disk in part, and nobody may see it.
      expect(log.records).toHaveLength(1)
      expect((await store.readManifests(FLOW, "torn")).map((manifest) => manifest.step)).toEqual(["start"])
      expect([...(await harness.verifyRun(store, "torn", stats)).tasks.keys()]).toEqual(["start/0"])
      await harness.complete(store, "torn", "resumed", stats)
      return
    }
    throw new Error(`no kill at persistence call ${LEDGER_COMMIT} tore the ledger's manifest: has the flow changed?`)
  })

  harness.crashTest(FIXED_SEED)
  harness.crashTest(DRAWN_SEED)
})
