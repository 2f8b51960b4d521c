/**
 * Concurrency (issue 5, item 2): several processes write to one local store at once, while this process
 * reads it.
 *
 * Writers (children/concurrentWriter.ts), released together: two run the same flow (identical artifacts, so
 * identical blobs written at the same moment, and two runs at a time within each process), one runs the same
 * steps under another flow name (identical blobs across flows), one runs it wider (some blobs shared, some
 * not). The two same-flow writers also both try to create one run id first: exactly one may get it.
 *
 * The reader polls all along: it lists flows and runs, opens every run (finished or not) with the client,
 * loads every committed task's artifacts and audits the files. It must never fail: no run.json that does not
 * parse, no manifest naming a missing or corrupt blob, no committed task holding other values than an
 * uninterrupted run's, no run marked succeeded with tasks missing. A torn log tail (an append in progress)
 * is allowed, as the store promises.
 *
 * Afterwards: every run each writer reported is listed and succeeded, whole and equal to a run made alone;
 * the blob files are exactly the blobs the runs refer to (none lost, none extra, each once), all whole; and
 * tmp/ is empty (no process crashed, so no temp file may be left).
 */
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { Client, localStore, run } from "../../lib/index.js"
import type { Datastore } from "../../lib/index.js"
import { crashFlow, taskCount } from "./children/crashFlow.js"
import type { WriterJob, WriterResult } from "./children/concurrentWriter.js"
import { scaled, STRESS } from "./harness.js"
import { ChildLauncher, lastJson } from "./harnessChild.js"
import type { Child } from "./harnessChild.js"
import { captureRun, FileAuditor, referencedBlobs } from "./harnessStore.js"
import type { CapturedRun } from "./harnessStore.js"

const WRITER = "spec/reliability/children/concurrentWriter.ts"
const ROUNDS = scaled(2)
const RUNS_PER_WRITER = 3

/** The flows the writers run: name -> foreach width. "Twin" stores exactly what "Same" stores. */
const FLOWS = { Same: 6, Twin: 6, Wide: 9 } as const
type FlowName = keyof typeof FLOWS
const FLOW_NAMES = Object.keys(FLOWS) as ReadonlyArray<FlowName>

const quiet = (): void => {}
const launcher = new ChildLauncher()
let workDir = ""
/** What a run of each flow holds when it runs alone, and its final values. */
interface Reference {
  readonly run: CapturedRun
  readonly artifacts: Readonly<Record<string, unknown>>
}
const references = new Map<string, Reference>()

const writerJobs = (root: string, round: number): ReadonlyArray<WriterJob> => {
  const ids = (prefix: string) => Array.from({ length: RUNS_PER_WRITER }, (_, i) => `r${round}-${prefix}${i}`)
  const contested = `r${round}-contested`
  return [
    { store: root, flow: "Same", width: FLOWS.Same, runIds: ids("a"), parallel: 2, contested },
    { store: root, flow: "Same", width: FLOWS.Same, runIds: ids("b"), parallel: 2, contested },
    { store: root, flow: "Twin", width: FLOWS.Twin, runIds: ids("c"), parallel: 1 },
    { store: root, flow: "Wide", width: FLOWS.Wide, runIds: ids("d"), parallel: 1 }
  ]
}

/** Checks a run as a reader sees it: committed tasks equal the lone run's, success only when complete. */
const checkRun = (flow: string, runId: string, captured: CapturedRun): void => {
  const reference = references.get(flow)
  expect(reference, `flow ${flow}`).toBeDefined()
  for (const [key, task] of captured.tasks) {
    const expected = reference?.run.tasks.get(key)
    expect(expected, `${flow}/${runId}: task ${key} is not a task of the flow`).toBeDefined()
    if (task.status === "succeeded") expect(task.hashes, `${flow}/${runId}: task ${key}`).toEqual(expected?.hashes)
    else expect({ key, attempt: task.attempt }, `${flow}/${runId}: failed task`).toEqual({ key: "body/2", attempt: 0 })
  }
  if (captured.status === "succeeded") {
    expect(captured.tasks.size, `${flow}/${runId} succeeded`).toBe(reference?.run.tasks.size)
  }
}

interface ReaderStats {
  polls: number
  /** Listings of every flow's runs (each reads every run.json), between the full passes. */
  listings: number
  runsRead: number
  runsReadUnfinished: number
  tasksRead: number
  tornTailsSeen: number
}

const emptyReaderStats = (): ReaderStats => ({
  polls: 0,
  listings: 0,
  runsRead: 0,
  runsReadUnfinished: 0,
  tasksRead: 0,
  tornTailsSeen: 0
})

/**
 * Full passes: lists flows and runs, opens every run not yet seen succeeded with the client, loads every
 * committed task's artifacts and audits the files; until `isFinished()`.
 */
const readPasses = async (
  store: Datastore,
  root: string,
  isFinished: () => boolean,
  stats: ReaderStats
): Promise<void> => {
  const auditor = new FileAuditor(root)
  const client = Client.open(store)
  // Runs read once succeeded no longer change: reading them again would only slow the passes down.
  const settled = new Set<string>()
  while (!isFinished()) {
    stats.polls++
    const audit = await auditor.audit()
    stats.tornTailsSeen = Math.max(stats.tornTailsSeen, audit.tornTails)
    for (const flow of await client.flows()) {
      for (const summary of await client.runs(flow)) {
        if (settled.has(`${flow}/${summary.id}`)) continue
        const captured = await captureRun(store, flow, summary.id)
        checkRun(flow, summary.id, captured)
        stats.runsRead++
        stats.tasksRead += captured.tasks.size
        if (captured.status === "succeeded") settled.add(`${flow}/${summary.id}`)
        else stats.runsReadUnfinished++
      }
    }
    // Leave the writers some CPU: there are two cores for five processes.
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/**
 * Lists every flow's runs in a tight loop until `isFinished()`: a listing reads every run.json, so a run.json
 * replaced in place instead of atomically would be caught half-written here, in the short window a full pass
 * would miss.
 */
const listings = async (store: Datastore, isFinished: () => boolean, stats: ReaderStats): Promise<void> => {
  while (!isFinished()) {
    for (const flow of await store.listFlows()) await store.listRuns(flow)
    stats.listings++
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Both readers, until `done` settles; the first failure stops both and rejects. */
const readUntil = async (store: Datastore, root: string, done: Promise<unknown>): Promise<ReaderStats> => {
  const stats = emptyReaderStats()
  let finished = false
  const isFinished = (): boolean => finished
  void done.finally(() => (finished = true))
  const stopOnFailure = (reading: Promise<void>): Promise<void> =>
    reading.catch((error: unknown) => {
      finished = true
      throw error
    })
  await Promise.all([
    stopOnFailure(readPasses(store, root, isFinished, stats)),
    stopOnFailure(listings(store, isFinished, stats))
  ])
  return stats
}

const round = async (round: number): Promise<ReaderStats & { runs: number; blobs: number }> => {
  const root = join(workDir, `round${round}`)
  const store = localStore(root)
  const jobs = writerJobs(root, round)
  const writers: Array<Child> = []
  for (const job of jobs) writers.push(await launcher.start(WRITER, [JSON.stringify(job)]))
  await Promise.all(writers.map((writer) => writer.waitForLine("ready")))
  for (const writer of writers) writer.send("go")
  const exits = Promise.all(writers.map((writer) => writer.exited))
  const reading = await readUntil(store, root, exits)
  const results = (await exits).map((exit, i) => {
    if (exit.code !== 0) throw new Error(`writer ${i} failed (${exit.signal ?? exit.code}):\n${exit.stderr}`)
    return lastJson<WriterResult>(exit)
  })

  // Exactly one of the two writers that tried the contested run id created it.
  expect(results.map((result) => result.wonContest).filter((won) => won === true)).toHaveLength(1)
  expect(results.map((result) => result.wonContest).filter((won) => won === false)).toHaveLength(1)

  // No lost run: every run a writer finished is listed, succeeded, and equals a run made alone.
  const referenced = new Set<string>()
  let runs = 0
  for (const flow of FLOW_NAMES) {
    const expected = results.flatMap((result, i) => (jobs[i]?.flow === flow ? result.succeeded : [])).sort()
    const listed = await store.listRuns(flow)
    expect(listed.map((summary) => summary.id).sort(), `runs of ${flow}`).toEqual(expected)
    for (const summary of listed) {
      expect(summary.status).toBe("succeeded")
      const captured = await captureRun(store, flow, summary.id)
      checkRun(flow, summary.id, captured)
      expect(captured.tasks.size).toBe(taskCount(FLOWS[flow]))
      const artifacts = await (await Client.open(store).run(flow, summary.id)).artifacts()
      expect(artifacts).toEqual(references.get(flow)?.artifacts)
      for (const hash of await referencedBlobs(store, flow, summary.id)) referenced.add(hash)
      runs++
    }
  }

  // No lost blob and no stray one: the blob files are exactly the blobs referred to, each whole, each once.
  const audit = await new FileAuditor(root).audit()
  expect([...audit.blobHashes].sort()).toEqual([...referenced].sort())
  expect(audit.tempFiles, "temp files left by writers that did not crash").toBe(0)
  expect(audit.tornTails).toBe(0)
  await fs.rm(root, { recursive: true, force: true })
  return { ...reading, runs, blobs: audit.blobHashes.size }
}

describe("concurrent processes on one local store", () => {
  beforeAll(async () => {
    workDir = await fs.mkdtemp(join(tmpdir(), "artiflow-concurrency-"))
    await launcher.prepare(WRITER)
    const store = localStore(join(workDir, "reference"))
    for (const flow of FLOW_NAMES) {
      const width = FLOWS[flow]
      const alone = await run(crashFlow(flow), { store, runId: "alone", params: { width }, log: quiet })
      references.set(flow, { run: await captureRun(store, flow, "alone"), artifacts: alone.artifacts })
    }
  })

  afterAll(async () => {
    await launcher.dispose()
    if (workDir !== "") await fs.rm(workDir, { recursive: true, force: true })
  })

  const name = "4 writer processes and a reader on one store: no corruption, no lost run or blob, no half-written run"
  test(`${name} (${ROUNDS} round${ROUNDS > 1 ? "s" : ""})`, async () => {
    const started = performance.now()
    const totals = { runs: 0, blobs: 0, ...emptyReaderStats() }
    for (let i = 0; i < ROUNDS; i++) {
      const figures = await round(i)
      for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += figures[key]
    }
    const seconds = (performance.now() - started) / 1000
    console.info(
      `artiflow concurrency: ${ROUNDS} rounds of 4 writer processes, ${totals.runs} runs written and checked, ` +
        `${totals.blobs} distinct blobs; the reader made ${totals.polls} full passes and ${totals.listings} ` +
        `listings, read ${totals.runsRead} runs (${totals.runsReadUnfinished} still being written) and ` +
        `${totals.tasksRead} tasks, saw ${totals.tornTailsSeen} appends in progress; errors: 0; ${seconds.toFixed(1)} s`
    )
    // The reader must have overlapped the writers, or it proved nothing about reading during writes.
    expect(totals.runsReadUnfinished).toBeGreaterThan(0)
  }, STRESS ? 1_800_000 : 60_000)
})
