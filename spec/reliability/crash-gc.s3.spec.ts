/**
 * Kills during gc on S3 stores (gcCrash.ts says what is checked after each; crash-gc.spec.ts runs it on local
 * stores): every kept run still loads and resumes, and a second gc finishes the job. Fewer kills than on
 * local stores: each case fills a store over the network first.
 */
import { afterAll, expect, test } from "vitest"
import { gcCrashTest } from "./gcCrash.js"
import { DRAWN_SEED, scaled, STRESS } from "./harness.js"
import { s3Sites } from "./s3CrashSites.js"

const sites = s3Sites()
afterAll(() => sites.dispose(), 120_000)

test(
  `SIGKILLs during gc on S3 stores leave every kept run loadable and resumable; a second gc finishes (seed ${DRAWN_SEED})`,
  async () => {
    const kills = scaled(4)
    const stats = await gcCrashTest(sites, DRAWN_SEED, kills)
    console.info(
      `artiflow gc crash on S3 stores (seed ${DRAWN_SEED}): ${stats.kills} SIGKILLs (${stats.timerKills} timed by the parent, ` +
        `${stats.pointKills} inside a deletion call), ${stats.finishedFirst} gc(s) finished first; ${stats.runsLoaded} kept runs ` +
        `(${stats.artifactsLoaded} artifacts) loaded and ${stats.resumes} resumed after the kills`
    )
    expect(stats.kills).toBeGreaterThanOrEqual(kills)
  },
  STRESS ? 3_600_000 : 300_000
)
