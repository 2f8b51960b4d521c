/**
 * Kills during gc on local stores (gcCrash.ts says what is checked after each): every kept run still loads
 * and resumes, and a second gc finishes the job. crash-gc.s3.spec.ts runs the same on S3.
 */
import { afterAll, expect, test } from "vitest"
import { localSites } from "./crashSites.js"
import { gcCrashTest } from "./gcCrash.js"
import { DRAWN_SEED, FIXED_SEED, scaled, STRESS } from "./harness.js"

const sites = localSites()
afterAll(() => sites.dispose())

for (const seed of [FIXED_SEED, DRAWN_SEED]) {
  test(
    `SIGKILLs during gc on local stores leave every kept run loadable and resumable; a second gc finishes (seed ${seed})`,
    async () => {
      const kills = scaled(12)
      const stats = await gcCrashTest(sites, seed, kills)
      console.info(
        `artiflow gc crash on local stores (seed ${seed}): ${stats.kills} SIGKILLs (${stats.timerKills} timed by the parent, ` +
          `${stats.pointKills} inside a deletion call), ${stats.finishedFirst} gc(s) finished first; ${stats.runsLoaded} kept runs ` +
          `(${stats.artifactsLoaded} artifacts) loaded and ${stats.resumes} resumed after the kills`
      )
      expect(stats.kills).toBeGreaterThanOrEqual(kills)
      expect(stats.pointKills).toBeGreaterThan(0)
    },
    STRESS ? 3_600_000 : 240_000
  )
}
