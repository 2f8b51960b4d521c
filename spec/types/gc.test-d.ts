import { describe, expectTypeOf, test } from "vitest"
import { gc, localStore, memoryStore } from "../../lib/index.js"
import type { GcOptions, GcResult, Keep, KeepCriteria, RunSummary } from "../../lib/index.js"

const store = memoryStore()

describe("gc", () => {
  test("keep is criteria or a function of a run summary; the result has the three counts of DESIGN.md and the cache entries deleted", async () => {
    expectTypeOf(await gc(store, { keep: { lastRuns: 5 } })).toEqualTypeOf<GcResult>()
    expectTypeOf<GcResult>().toEqualTypeOf<{ readonly runsDeleted: number; readonly blobsDeleted: number; readonly bytesFreed: number; readonly cacheEntriesDeleted?: number }>()
    void gc(localStore(), { keep: { since: new Date(), tags: ["release"] }, dryRun: true, graceMs: 0 })
    void gc(store, { keep: { lastRuns: 1, since: new Date(), tags: [] } })
    void gc(store, {
      keep: (run) => {
        expectTypeOf(run).toEqualTypeOf<RunSummary>()
        return run.tags.includes("release")
      }
    })
    const criteria: KeepCriteria = { tags: ["a"] }
    const keep: Keep = criteria
    const options: GcOptions = { keep }
    void gc(store, options)
  })

  test("wrong options are compile errors", () => {
    // @ts-expect-error: keep is required (no keep criterion must not mean "delete everything")
    void gc(store, {})
    // @ts-expect-error: the options are required
    void gc(store)
    // @ts-expect-error: lastRuns is a number
    void gc(store, { keep: { lastRuns: "5" } })
    // @ts-expect-error: since is a Date, not text
    void gc(store, { keep: { since: "2024-01-01" } })
    // @ts-expect-error: tags is an array of strings
    void gc(store, { keep: { tags: "release" } })
    // @ts-expect-error: the keep function says true or false
    void gc(store, { keep: (run: RunSummary) => run.id })
    // @ts-expect-error: dryRun is a boolean
    void gc(store, { keep: { lastRuns: 1 }, dryRun: "yes" })
    // @ts-expect-error: there is no keepLast option (it is keep.lastRuns)
    void gc(store, { keep: { lastRuns: 1 }, keepLast: 3 })
  })
})
