/**
 * Kills during gc (issue 13): a child runs `gc` on a filled store (children/gcKillable.ts) and is killed with
 * SIGKILL, by the parent after a random delay or by itself inside a random deletion call. After every kill:
 *
 * - the store's bytes are sound (the site's auditor: every blob hashes to its name, every record parses);
 * - every run the gc keeps is still listed and loads, every artifact of every task, verified;
 * - a second gc, in this process, finishes the job: the store then holds exactly the runs, blobs and step
 *   cache entries an uninterrupted gc leaves;
 * - every kept run resumes (from its last step, or from its failure), to the uninterrupted run's result, and
 *   the step cache still answers from a kept run.
 *
 * The store: runs of the GcCrash flow with fixed ids, some deleted by the keep criteria, one failed and kept
 * only because a kept run was resumed from it.
 */
import { expect } from "vitest"
import { Client, gc, resume, run } from "../../lib/index.js"
import type { Datastore, KeepCriteria } from "../../lib/index.js"
import { loadEveryArtifact } from "../gc/loadRun.js"
import { failingJoin, GC_FLOW, GcCrash, resultOf } from "./children/gcFlow.js"
import type { GcJob } from "./children/gcKillable.js"
import type { CrashSites } from "./crashSites.js"
import { Random } from "./harness.js"
import { ChildLauncher, lastJson } from "./harnessChild.js"

const CHILD = "spec/reliability/children/gcKillable.ts"

export const KEEP: KeepCriteria = { lastRuns: 2, tags: ["release"] }

/** The runs a filled store has, oldest first, with their parameter; `kept` is what a gc with {@link KEEP} keeps. */
const RUNS = [
  { id: "old-1", n: 1, kept: false },
  { id: "old-2", n: 2, kept: false },
  { id: "failed", n: 3, kept: true }, // kept: "resumed" was resumed from it
  { id: "resumed", n: 3, kept: true, tags: ["release"] },
  { id: "old-3", n: 4, kept: false },
  { id: "tagged", n: 5, kept: true, tags: ["release"] },
  { id: "old-4", n: 6, kept: false },
  { id: "new-1", n: 7, kept: true },
  { id: "new-2", n: 8, kept: true }
] as const

export const KEPT: ReadonlyArray<string> = RUNS.filter((r) => r.kept).map((r) => r.id)

const quiet = (): void => {}

/** Fills a store with {@link RUNS}. */
export const fill = async (store: Datastore): Promise<void> => {
  for (const spec of RUNS) {
    const tags = "tags" in spec ? [...spec.tags] : []
    if (spec.id === "failed") {
      failingJoin.now = true
      await expect(run(GcCrash, { store, runId: spec.id, params: { n: spec.n }, log: quiet })).rejects.toThrow(/on purpose/)
      failingJoin.now = false
    } else if (spec.id === "resumed") {
      await resume(GcCrash, { store, origin: "failed", runId: spec.id, tags, log: quiet })
    } else {
      await run(GcCrash, { store, runId: spec.id, params: { n: spec.n }, tags, log: quiet })
    }
  }
}

/** What a store holds: its runs, its blobs, and its step cache entries (by computing run; one per run at most). */
export const contents = async (
  store: Datastore
): Promise<{ readonly runs: ReadonlyArray<string>; readonly blobs: ReadonlyArray<string>; readonly cachedBy: ReadonlyArray<string> }> => {
  const blobs: Array<string> = []
  for await (const page of store.listBlobs?.() ?? []) for (const blob of page) blobs.push(blob.hash)
  const entries = new Map<string, string>()
  for await (const entry of store.listCacheEntries?.() ?? []) entries.set(`${entry.key}/${entry.id}`, entry.cachedFrom.runId)
  return { runs: (await store.listRuns(GC_FLOW)).map((r) => r.id).sort(), blobs: blobs.sort(), cachedBy: [...entries.values()].sort() }
}

export interface GcCrashStats {
  kills: number
  timerKills: number
  pointKills: number
  finishedFirst: number
  runsLoaded: number
  artifactsLoaded: number
  resumes: number
}

/** Runs `kills` killed gcs on fresh stores of `sites`, checking each as the module comment says. */
export const gcCrashTest = async (sites: CrashSites, seed: number, kills: number): Promise<GcCrashStats> => {
  const children = new ChildLauncher()
  await children.prepare(CHILD)
  const random = new Random(seed)
  const stats: GcCrashStats = { kills: 0, timerKills: 0, pointKills: 0, finishedFirst: 0, runsLoaded: 0, artifactsLoaded: 0, resumes: 0 }
  try {
    // The reference: an uninterrupted gc in a child, which also says how many deletion calls there are and
    // how long a gc takes (the range timed kills are drawn from).
    const reference = await sites.create(`seed${seed}-reference`)
    await fill(reference.open())
    const first = await children.start(CHILD, [JSON.stringify({ store: reference.location, keep: KEEP } satisfies GcJob)], sites.childEnv)
    await first.waitForLine("ready")
    const started = performance.now()
    const exit = await first.exited
    // From "ready" to the end: the span timed kills are spread over.
    const gcMs = performance.now() - started
    const { deletionCalls } = lastJson<{ readonly deletionCalls: number }>(exit)
    const expected = await contents(reference.open())
    expect(expected.runs).toEqual([...KEPT].sort())
    // The cached start of every kept run that computed it; "resumed" reused the start of "failed".
    expect(expected.cachedBy).toEqual(KEPT.filter((runId) => runId !== "resumed").sort())
    for (let i = 0; stats.kills < kills; i++) {
      const site = await sites.create(`seed${seed}-${i}`)
      const store = site.open()
      await fill(store)
      const selfKill = random.chance(0.5) ? { point: random.int(1, deletionCalls), turns: random.int(0, 12) } : undefined
      const child = await children.start(CHILD, [JSON.stringify({ store: site.location, keep: KEEP, selfKill } satisfies GcJob)], sites.childEnv)
      await child.waitForLine("ready")
      if (selfKill === undefined) setTimeout(() => child.kill(), random.next() * gcMs)
      const ended = await child.exited
      await site.settle()
      if (ended.signal === "SIGKILL") {
        stats.kills++
        if (selfKill === undefined) stats.timerKills++
        else stats.pointKills++
      } else {
        expect(ended.code, ended.stderr).toBe(0)
        stats.finishedFirst++
      }
      await site.audit()
      const after = site.open()
      const listed = new Set((await after.listRuns(GC_FLOW)).map((r) => r.id))
      for (const runId of KEPT) {
        expect(listed.has(runId), `kept run ${runId} after a kill`).toBe(true)
        stats.artifactsLoaded += await loadEveryArtifact(after, GC_FLOW, runId)
        stats.runsLoaded++
      }
      // Whatever the killed gc did not get to, a second one does.
      await gc(after, { keep: KEEP, graceMs: 0 })
      expect(await contents(after)).toEqual(expected)
      for (const runId of KEPT) {
        const meta = await Client.open(after).run(GC_FLOW, runId)
        const again =
          meta.status === "failed"
            ? await resume(GcCrash, { store: after, origin: runId, log: quiet })
            : await resume(GcCrash, { store: after, origin: runId, from: "end", log: quiet })
        const n = RUNS.find((r) => r.id === runId)?.n ?? Number.NaN
        expect(again.artifacts.result, `resume of ${runId}`).toBe(resultOf(n))
        stats.resumes++
      }
      // The cache still answers: a run with a kept run's parameter reuses that run's start.
      const hit = await run(GcCrash, { store: after, params: { n: 7 }, log: quiet })
      expect(hit.artifacts.result).toBe(resultOf(7))
      const start = (await after.readManifests(GC_FLOW, hit.runId)).find((manifest) => manifest.step === "start")
      expect(start?.cachedFrom?.runId).toBe("new-1")
    }
  } finally {
    await children.dispose()
  }
  return stats
}
