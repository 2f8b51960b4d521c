/**
 * Garbage collection (issue 13): `gc` over a local store of 1,000 runs (10 flows of 100) and 100,000 blobs,
 * keeping the 50 newest runs of each flow, so that it deletes 500 runs and the 50,000 blobs only they
 * referenced. Target: at most 10 s, and at most 300 MB of peak RSS (the gc runs in a child process of its own).
 *
 * Baseline, in the same run and on the same store: a plain recursive walk of the store's directory that stats
 * every file (in a child process too), the least any collector that looks at every blob must do. The dry run
 * (the same decisions, nothing deleted: listing, reading every kept run's manifests, walking the blobs) is
 * measured side by side with the walk, `repetitions` times; the real gc once (it deletes what it measures).
 *
 * The store is built through the store API (writeBlob, createRun, commitManifests), not by running flows:
 * 1,000 runs of 100 tasks would take minutes. Each run has 10 manifests of 10 artifacts, each artifact its own
 * small blob.
 */
import { localStore } from "artiflow"
import type { Datastore, RunMeta, TaskManifest } from "artiflow"
import { runChild } from "./child.js"
import type { Figure } from "./measure.js"
import { median, ms, ratio, withTempDir } from "./measure.js"

const FLOWS = 10
const RUNS_PER_FLOW = 100
const TASKS_PER_RUN = 10
const ARTIFACTS_PER_TASK = 10
const KEEP_LAST = 50
const TARGET_MS = 10_000
const TARGET_RSS_MB = 300
const CHILD = "spec/bench/children/gc.ts"

interface GcChild {
  readonly ms: number
  readonly peakRssMegabytes: number
  readonly runsDeleted?: number
  readonly blobsDeleted?: number
  readonly bytesFreed?: number
  readonly files?: number
  readonly deleteRunMs?: number
  readonly deleteBlobsMs?: number
}

const meta = (flow: string, runId: string, startedAt: number): RunMeta => ({
  format: 1,
  flow,
  runId,
  status: "succeeded",
  startedAt,
  finishedAt: startedAt + 1000,
  params: {},
  paramDefs: {},
  graph: { nodes: [] },
  versions: { artiflow: "bench", node: process.version },
  user: "bench",
  tags: []
})

/** One run: its blobs written 100 at a time, then its run.json and its 10 manifests. */
const buildRun = async (store: Datastore, flow: string, r: number): Promise<void> => {
  const runId = `run-${String(r).padStart(4, "0")}`
  const blobs = await Promise.all(
    Array.from({ length: TASKS_PER_RUN * ARTIFACTS_PER_TASK }, (_, i) =>
      store.writeBlob(new TextEncoder().encode(`${flow}/${runId}/${i}: ${"x".repeat(200)}`))
    )
  )
  await store.createRun(meta(flow, runId, 1_700_000_000_000 + r * 1000))
  const manifests: Array<TaskManifest> = Array.from({ length: TASKS_PER_RUN }, (_, t) => {
    const artifacts: Record<string, { hash: string; size: number; type: string; encoding: "json" }> = {}
    for (let a = 0; a < ARTIFACTS_PER_TASK; a++) {
      const blob = blobs[t * ARTIFACTS_PER_TASK + a] as { hash: string; size: number }
      artifacts[`a${a}`] = { hash: blob.hash, size: blob.size, type: "string", encoding: "json" }
    }
    return { step: `s${t}`, taskId: "0", attempt: 0, foreachStack: [], status: "succeeded", startedAt: 1, finishedAt: 2, artifacts }
  })
  await store.commitManifests(flow, runId, manifests)
}

/** 1,000 runs and 100,000 blobs, four runs at a time. */
const buildStore = async (dir: string): Promise<number> => {
  const started = performance.now()
  const store = localStore(dir)
  const jobs: Array<readonly [string, number]> = []
  for (let f = 0; f < FLOWS; f++) for (let r = 0; r < RUNS_PER_FLOW; r++) jobs.push([`Flow${f}`, r])
  for (let i = 0; i < jobs.length; i += 4) await Promise.all(jobs.slice(i, i + 4).map(([flow, r]) => buildRun(store, flow, r)))
  return performance.now() - started
}

const child = (dir: string, mode: string): Promise<GcChild> => runChild<GcChild>(CHILD, [dir, mode, String(KEEP_LAST)])

export const measureGc = async (repetitions: number): Promise<ReadonlyArray<Figure>> =>
  withTempDir(async (dir): Promise<ReadonlyArray<Figure>> => {
    const buildMs = await buildStore(dir)
    const dry: Array<GcChild> = []
    const walks: Array<GcChild> = []
    for (let rep = 0; rep < repetitions; rep++) {
      if (rep % 2 === 0) {
        dry.push(await child(dir, "dry-run"))
        walks.push(await child(dir, "walk"))
      } else {
        walks.push(await child(dir, "walk"))
        dry.push(await child(dir, "dry-run"))
      }
    }
    const walkMs = median(walks.map((w) => w.ms))
    const dryMs = median(dry.map((d) => d.ms))
    const real = await child(dir, "gc")
    const after = await child(dir, "walk")
    // The deletion baseline: removing as many blob files (the 50,000 the gc kept) without any artiflow code.
    const unlinked = await child(dir, "unlink")
    const expectedBlobs = (FLOWS * (RUNS_PER_FLOW - KEEP_LAST)) * TASKS_PER_RUN * ARTIFACTS_PER_TASK
    if (real.runsDeleted !== FLOWS * (RUNS_PER_FLOW - KEEP_LAST) || real.blobsDeleted !== expectedBlobs) {
      throw new Error(`gc deleted ${real.runsDeleted} runs and ${real.blobsDeleted} blobs, not ${FLOWS * (RUNS_PER_FLOW - KEEP_LAST)} and ${expectedBlobs}`)
    }
    const store = `1,000 runs, 100,000 blobs (${(walks[0]?.files ?? 0).toLocaleString("en")} files, built in ${(buildMs / 1000).toFixed(1)} s)`
    return [
      {
        name: `gc: delete 500 runs and 50,000 blobs of ${store}`,
        ours: ms(real.ms),
        baseline: `${ms(walkMs)} (walk + stat)`,
        ratio: ratio(real.ms / walkMs),
        target: `<= ${TARGET_MS / 1000} s`,
        stored: `${(after.files ?? 0).toLocaleString("en")} files left`,
        met: real.ms <= TARGET_MS,
        measured: {
          gcMs: real.ms,
          walkMs,
          buildMs,
          runsDeleted: real.runsDeleted,
          blobsDeleted: real.blobsDeleted,
          bytesFreed: real.bytesFreed ?? 0,
          deleteRunMs: real.deleteRunMs ?? 0,
          deleteBlobsMs: real.deleteBlobsMs ?? 0
        } satisfies Record<string, number>
      },
      {
        name: "gc: of which deleting the 50,000 blobs (deleteBlobs calls)",
        ours: ms(real.deleteBlobsMs ?? 0),
        baseline: `${ms(unlinked.ms)} (unlink ${(unlinked.files ?? 0).toLocaleString("en")} files)`,
        ratio: ratio((real.deleteBlobsMs ?? 0) / unlinked.ms),
        target: "",
        stored: "",
        met: undefined,
        measured: { deleteBlobsMs: real.deleteBlobsMs ?? 0, unlinkMs: unlinked.ms, deleteRunMs: real.deleteRunMs ?? 0 }
      },
      {
        name: "gc: peak RSS of the gc process",
        ours: `${real.peakRssMegabytes.toFixed(0)} MB`,
        baseline: `${median(walks.map((w) => w.peakRssMegabytes)).toFixed(0)} MB (walk + stat)`,
        ratio: ratio(real.peakRssMegabytes / median(walks.map((w) => w.peakRssMegabytes))),
        target: `<= ${TARGET_RSS_MB} MB`,
        stored: "",
        met: real.peakRssMegabytes <= TARGET_RSS_MB,
        measured: { peakRssMegabytes: real.peakRssMegabytes }
      },
      {
        name: "gc --dry-run over the same store (median)",
        ours: ms(dryMs),
        baseline: `${ms(walkMs)} (walk + stat)`,
        ratio: ratio(dryMs / walkMs),
        target: "",
        stored: "",
        met: undefined,
        measured: { dryRunMs: dryMs, walkMs, dryRunPeakRssMegabytes: median(dry.map((d) => d.peakRssMegabytes)) }
      }
    ]
  })
