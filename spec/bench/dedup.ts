/**
 * Deduplication: a start step creates a 100 MB Float64Array, then 100 steps each change only a small counter
 * while the big array passes through unchanged. A step that does not write an artifact reuses its parent's
 * entry (no encoding, hashing or I/O), so the 100 steps must add no blob bytes and cost what they cost
 * without the big array.
 *
 * Measured on a local store with real runs:
 * - blob bytes: the store's blobs after the 101-step run, less those after a run of the start step alone
 *   (target 0: the big blob is written once);
 * - the `verify` run option's cost: the same steps re-hashing the inherited 100 MB array at every commit
 *   (10 steps, reported without a target: it is off by default for exactly this reason);
 * - per-step time: from the end of the start step to the end of the last step (task-finished events),
 *   divided by 100 (target < 1 ms). The baseline is the same flow carrying a tiny array instead, so the
 *   ratio shows what the big artifact adds to each step. Its start step writes the same 100 MB to a scratch
 *   file with fs: otherwise only our 100 steps would run while the OS flushes 100 MB of fresh page cache to
 *   disk, and the ratio would measure that flush.
 */
import { readdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { flow, localStore, run, step } from "artiflow"
import type { Flow, RunEvent } from "artiflow"
import type { Figure } from "./measure.js"
import { bytesUnder, median, megabytes, ratio, withTempDir } from "./measure.js"

type AnyStage = (flow: Flow) => Flow
const quiet = { log: () => {} }
const STEPS = 100
const BIG_MEGABYTES = 100
const TARGET_MS_PER_STEP = 1
/** Steps of the verify run: each re-hashes 100 MB, so a few are enough. */
const VERIFY_STEPS = 10

/** A start step returning `signal` (made by `make`, before the timed steps) and steps that each bump `n`. */
const carrying = (name: string, make: () => Promise<Float64Array>, steps: number): Flow => {
  const start = step("start" as never, (async () => ({ signal: await make(), n: 0 })) as never) as unknown as AnyStage
  const bumps = Array.from(
    { length: steps },
    (_, i) => step(`s${i}` as never, ((a: { n: number }) => ({ n: a.n + 1 })) as never) as unknown as AnyStage
  )
  return (flow(name) as unknown as { pipe: (...stages: ReadonlyArray<AnyStage>) => Flow }).pipe(start, ...bumps)
}

/** The big artifact: 100 MB of doubles. */
const bigArray = async (): Promise<Float64Array> => {
  const values = new Float64Array((BIG_MEGABYTES * 1024 * 1024) / 8)
  for (let i = 0; i < values.length; i++) values[i] = i * 0.5
  return values
}

/** A tiny array, after writing a big one to `scratch` as the big flow's store does (see the module comment). */
const tinyArray = (scratch: string) => async (): Promise<Float64Array> => {
  await writeFile(scratch, await bigArray())
  return Float64Array.of(1, 2, 3)
}

/** One run on a fresh store: ms per step after the start step, and the store's blob and manifest bytes. */
const runOnce = async (dir: string, target: Flow, verify = false) => {
  const finished: Array<number> = []
  const onEvent = (event: RunEvent): void => {
    if (event.type === "task-finished") finished.push(performance.now())
  }
  await run(target, { store: localStore(dir), onEvent, verify, ...quiet })
  const first = finished[0] ?? Number.NaN
  const last = finished.at(-1) ?? Number.NaN
  return {
    msPerStep: (last - first) / (finished.length - 1),
    blobBytes: await bytesUnder(join(dir, "blobs")),
    blobFiles: (await readdir(join(dir, "blobs"), { recursive: true, withFileTypes: true }).catch(() => []))
      .filter((entry) => entry.isFile()).length,
    storeBytes: await bytesUnder(dir)
  }
}

/**
 * Runs the 101-step flow carrying a 100 MB array and the same flow carrying a tiny one, alternating which goes
 * first, `repetitions` times each; reports median ms per step and the blob bytes the 100 steps added.
 */
export const measureDedup = async (repetitions: number): Promise<ReadonlyArray<Figure>> =>
  withTempDir(async (dir): Promise<ReadonlyArray<Figure>> => {
    const big = carrying("Dedup", bigArray, STEPS)
    const tiny = carrying("DedupTiny", tinyArray(join(dir, "scratch")), STEPS)
    const startOnly = await runOnce(join(dir, "start-only"), carrying("DedupStart", bigArray, 0))
    const bigRuns: Array<Awaited<ReturnType<typeof runOnce>>> = []
    const tinyRuns: Array<number> = []
    for (let rep = 0; rep < repetitions; rep++) {
      const runBig = async () => bigRuns.push(await runOnce(join(dir, `big-${rep}`), big))
      const runTiny = async () => tinyRuns.push((await runOnce(join(dir, `tiny-${rep}`), tiny)).msPerStep)
      if (rep % 2 === 0) await runBig().then(runTiny)
      else await runTiny().then(runBig)
    }
    const perStep = median(bigRuns.map((r) => r.msPerStep))
    const tinyPerStep = median(tinyRuns)
    const added = Math.max(...bigRuns.map((r) => r.blobBytes)) - startOnly.blobBytes
    // Everything but blobs is run.json and the manifest log: what each step does add.
    const notBlobs = (r: { readonly storeBytes: number; readonly blobBytes: number }) => r.storeBytes - r.blobBytes
    const manifestBytesPerStep = (median(bigRuns.map(notBlobs)) - notBlobs(startOnly)) / STEPS
    const blobFiles = Math.max(...bigRuns.map((r) => r.blobFiles))
    const verified = await runOnce(join(dir, "verified"), carrying("DedupVerified", bigArray, VERIFY_STEPS), true)
    return [
      {
        name: `${BIG_MEGABYTES} MB artifact unchanged through ${STEPS} steps: blob bytes added`,
        ours: `${added} bytes (${blobFiles} blob file${blobFiles === 1 ? "" : "s"})`,
        baseline: `${megabytes(startOnly.blobBytes)} after the start step`,
        ratio: "",
        target: "0 bytes",
        stored: megabytes(median(bigRuns.map((r) => r.storeBytes))),
        met: added === 0,
        measured: {
          addedBlobBytes: added,
          startBlobBytes: startOnly.blobBytes,
          blobFiles,
          manifestBytesPerStep
        }
      },
      {
        name: `${BIG_MEGABYTES} MB artifact unchanged through ${STEPS} steps: time per step`,
        ours: `${perStep.toFixed(2)} ms/step (manifests ${megabytes(manifestBytesPerStep)}/step)`,
        baseline: `${tinyPerStep.toFixed(2)} ms/step carrying a tiny array`,
        ratio: ratio(perStep / tinyPerStep),
        target: `< ${TARGET_MS_PER_STEP} ms/step`,
        stored: "",
        met: perStep < TARGET_MS_PER_STEP,
        measured: { msPerStep: perStep, tinyMsPerStep: tinyPerStep, ratio: perStep / tinyPerStep }
      },
      {
        name: `the same with the verify option (${VERIFY_STEPS} steps): time per step`,
        ours: `${verified.msPerStep.toFixed(1)} ms/step (${(verified.msPerStep / BIG_MEGABYTES).toFixed(2)} ms per inherited MB)`,
        baseline: `${perStep.toFixed(2)} ms/step without`,
        ratio: ratio(verified.msPerStep / perStep),
        target: "(reported)",
        stored: "",
        met: undefined,
        measured: { msPerStep: verified.msPerStep, msPerInheritedMegabyte: verified.msPerStep / BIG_MEGABYTES }
      }
    ]
  })
