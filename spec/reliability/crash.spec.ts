/**
 * Crashes (issue 5, item 1): child processes run or resume the Crash flow (children/crashFlow.ts) on a local
 * store and are killed with SIGKILL at random moments, hundreds of times per test run. After every kill:
 *
 * - the store's files are sound: every blob file hashes to its name, every manifest log is intact records
 *   (a torn last record is allowed), every run.json parses (harnessStore.ts `FileAuditor`);
 * - every committed task of the killed run that succeeded resolves and loads its artifacts, verified, and
 *   holds exactly what the same task holds in an uninterrupted run (same names, same content hashes); the
 *   only failed attempt visible is the flow's deliberate one; a run marked succeeded has all its tasks.
 *
 * Then the chain of runs goes on: sometimes another child resumes the latest run and is killed too (kills
 * during a resume, of a resumed run...), and finally a resume in this process completes it: its tasks and
 * final artifacts, read back with the client, must equal the uninterrupted run's.
 *
 * Kills are planned with a seeded PRNG, in two kinds: the parent kills the child after a random delay spread
 * over the run's duration, or the child kills itself at a random persistence call, a random number of event
 * loop turns after starting it (inside the write: between a temp file's write and its rename, mid-commit).
 * Two lanes (stores) run at once; each store serves several chains, then its stray temp files are aged past
 * the sweep threshold and the next run on it must remove them all.
 */
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { Client, localStore, resume, run } from "../../lib/index.js"
import type { Datastore } from "../../lib/index.js"
import { STALE_TEMP_MS } from "../../lib/datastore/localTemps.js"
import { Crash, taskCount } from "./children/crashFlow.js"
import type { KillableJob, KillableResult } from "./children/killable.js"
import { DRAWN_SEED, FIXED_SEED, Random, scaled, STRESS } from "./harness.js"
import { ChildLauncher, lastJson } from "./harnessChild.js"
import { captureRun, FileAuditor, logRecords } from "./harnessStore.js"
import type { CapturedRun } from "./harnessStore.js"

const KILLABLE = "spec/reliability/children/killable.ts"
const FLOW = "Crash"
const WIDTH = 6

/** Kills per test; two tests (fixed and drawn seed) make 200 per `npm test`, 2,000 under stress. */
const KILLS = scaled(100)
const LANES = 2
/** Chains of runs per store before a lane retires it and starts a fresh one. */
const CHAINS_PER_STORE = 15
/** Kills in one chain at most (a run, then resumes of resumes...) before this process completes it. */
const MAX_KILLS_PER_CHAIN = 6
/**
 * The chance that a killed chain goes on with another child (a resume, killed in turn) rather than being
 * completed here: most kills then hit resumes of killed runs, and completions (which cost this process a
 * whole run and a full check) stay fewer than kills.
 */
const CONTINUE_CHAIN = 0.7
/**
 * Persistence calls every resume makes at least: it creates its run, commits one manifest per task (a clone
 * or a new attempt) and updates its run at the end. Self-kill points are drawn below this for resumes (and
 * below a fresh run's count for runs), so that they land before the child would finish.
 */
const RESUME_CALLS = taskCount(WIDTH) + 2

const quiet = (): void => {}
const launcher = new ChildLauncher()
let workDir = ""

/** The uninterrupted run: what every task holds, the final values, and a child's figures for a whole run. */
interface Reference {
  readonly run: CapturedRun
  readonly artifacts: Readonly<Record<string, unknown>>
  readonly persistCalls: number
  readonly runMs: number
}
let reference: Reference

/** What the tests did; problems fail the test instead of being counted. */
interface Stats {
  kills: number
  timerKills: number
  pointKills: number
  killsDuringResume: number
  finishedBeforeKill: number
  chainsCompleted: number
  runsVerified: number
  tasksVerified: number
  valuesLoaded: number
  tempsSwept: number
  /** Of those, second links to a run.json (a createRun killed between linking and cleaning up). */
  linkedStrays: number
  /** Logs left ending in part of a record (by kills mid-append of the large manifest). */
  tornTails: number
}

const emptyStats = (): Stats => ({
  kills: 0,
  timerKills: 0,
  pointKills: 0,
  killsDuringResume: 0,
  finishedBeforeKill: 0,
  chainsCompleted: 0,
  runsVerified: 0,
  tasksVerified: 0,
  valuesLoaded: 0,
  tempsSwept: 0,
  linkedStrays: 0,
  tornTails: 0
})

type KillPlan =
  | { readonly kind: "timer"; readonly delayMs: number }
  | { readonly kind: "point"; readonly point: number; readonly turns: number }

/** Starts a child on `job`, carries out the kill plan, and tells whether the kill landed. */
const runKillable = async (job: KillableJob, plan: KillPlan): Promise<{ killed: boolean; runMs?: number }> => {
  const withPlan = plan.kind === "point" ? { ...job, selfKill: { point: plan.point, turns: plan.turns } } : job
  const child = await launcher.start(KILLABLE, [JSON.stringify(withPlan)])
  let timer: NodeJS.Timeout | undefined
  if (plan.kind === "timer") {
    await child.waitForLine("ready").catch(() => undefined)
    timer = setTimeout(() => child.kill(), plan.delayMs)
  }
  const exit = await child.exited
  clearTimeout(timer)
  if (exit.signal === "SIGKILL") return { killed: true }
  if (exit.code !== 0) {
    throw new Error(`child ${JSON.stringify(withPlan)} failed (${exit.signal ?? exit.code}):\n${exit.stderr}`)
  }
  const result = lastJson<KillableResult>(exit)
  expect(result.runId).toBe(job.runId)
  return { killed: false, runMs: result.runMs }
}

/**
 * Checks a run after its process died (or finished): each committed task is what the uninterrupted run has
 * there, and the run claims success only with every task committed.
 */
const verifyRun = async (store: Datastore, runId: string, stats: Stats): Promise<CapturedRun> => {
  const captured = await captureRun(store, FLOW, runId)
  for (const [key, task] of captured.tasks) {
    const expected = reference.run.tasks.get(key)
    expect(expected, `run ${runId}: task ${key} is not a task of the flow`).toBeDefined()
    if (task.status === "succeeded") expect(task.hashes, `run ${runId}: task ${key}`).toEqual(expected?.hashes)
    // The flow fails body/2 once on purpose; any other failure means an attempt was recorded wrongly.
    else expect({ key, attempt: task.attempt }, `run ${runId}: failed task`).toEqual({ key: "body/2", attempt: 0 })
  }
  if (captured.status === "succeeded") expect(captured.tasks.size, `run ${runId} succeeded`).toBe(taskCount(WIDTH))
  stats.runsVerified++
  stats.tasksVerified += captured.tasks.size
  stats.valuesLoaded += captured.loaded
  return captured
}

/** Completes a chain in this process (a resume, or a run if no run of the chain exists), checked whole. */
const complete = async (store: Datastore, origin: string | undefined, runId: string, stats: Stats): Promise<void> => {
  if (origin === undefined) await run(Crash, { store, runId, log: quiet })
  else await resume(Crash, { store, origin, runId, log: quiet })
  const captured = await verifyRun(store, runId, stats)
  expect(captured.status).toBe("succeeded")
  expect(await (await Client.open(store).run(FLOW, runId)).artifacts()).toEqual(reference.artifacts)
  stats.chainsCompleted++
}

/**
 * Ages every stray temp file past the sweep threshold, then starts a run on the store with a new store object
 * (each object sweeps at its first run): tmp/ must be empty afterwards, and the store still sound (a stray
 * temp file can be a second link to a run.json: removing it must leave the run alone).
 */
const sweepStrays = async (root: string, auditor: FileAuditor, stats: Stats): Promise<void> => {
  const tmp = join(root, "tmp")
  const strays = await fs.readdir(tmp).catch(() => [])
  const strayInodes = new Set<number>()
  const aged = new Date(Date.now() - 2 * STALE_TEMP_MS)
  for (const name of strays) {
    strayInodes.add((await fs.stat(join(tmp, name))).ino)
    await fs.utimes(join(tmp, name), aged, aged)
  }
  await complete(localStore(root), undefined, "after-sweep", stats)
  expect(await fs.readdir(tmp).catch(() => []), "stray temp files a new run left in place").toEqual([])
  // Besides the new run, only a run.json that shared its inode with a stray (whose time was just set) changed.
  for (const run of (await auditor.audit()).changedRuns) {
    if (run === `${FLOW}/after-sweep`) continue
    expect(strayInodes.has((await fs.stat(join(root, "runs", run, "run.json"))).ino), `run ${run} changed`).toBe(true)
    stats.linkedStrays++
  }
  stats.tempsSwept += strays.length
}

/** One lane: chains of runs on one store after another, each chain killed one or more times, then completed. */
class Lane {
  readonly stats = emptyStats()
  /** How long a child's run or resume takes here, learnt from children that finished: kill timers spread over it. */
  private readonly duration = { run: 0, resume: 0 }
  private root = ""
  private store!: Datastore
  private auditor!: FileAuditor

  constructor(
    private readonly random: Random,
    private readonly name: string
  ) {
    this.duration.run = reference.runMs
    // A resume clones what its origin finished: shorter, but by how much depends on where the kill landed.
    this.duration.resume = reference.runMs / 2
  }

  async go(kills: number): Promise<Stats> {
    for (let chain = 0; this.stats.kills < kills; chain++) {
      if (chain % CHAINS_PER_STORE === 0) await this.freshStore(chain / CHAINS_PER_STORE)
      await this.chain(`c${chain}`, kills - this.stats.kills)
    }
    await this.retireStore()
    return this.stats
  }

  private async freshStore(n: number): Promise<void> {
    await this.retireStore()
    this.root = join(workDir, `${this.name}-store${n}`)
    this.store = localStore(this.root)
    this.auditor = new FileAuditor(this.root)
  }

  private async retireStore(): Promise<void> {
    if (this.root === "") return
    this.stats.tornTails += (await this.auditor.audit()).tornTails
    await sweepStrays(this.root, this.auditor, this.stats)
    await fs.rm(this.root, { recursive: true, force: true })
  }

  private plan(resuming: boolean): KillPlan {
    const kind = resuming ? "resume" : "run"
    if (this.random.chance(0.5)) return { kind: "timer", delayMs: this.random.next() * this.duration[kind] }
    const calls = resuming ? RESUME_CALLS : reference.persistCalls
    return { kind: "point", point: this.random.int(1, calls), turns: this.random.int(0, 6) }
  }

  /** A run killed, maybe resumes of it killed too, then completed in this process. */
  private async chain(name: string, killBudget: number): Promise<void> {
    let latest: string | undefined
    for (let link = 0; ; link++) {
      const runId = `${name}-${link}`
      const plan = this.plan(latest !== undefined)
      const job = { store: this.root, runId, ...(latest !== undefined && { origin: latest }) }
      const { killed, runMs } = await runKillable(job, plan)
      await this.audit(runId)
      // A run exists once its run.json does: killed before that, the chain goes on from the previous one.
      const exists = (await this.store.readRun(FLOW, runId)) !== undefined
      if (exists) await verifyRun(this.store, runId, this.stats)
      if (!killed) {
        const kind = latest === undefined ? "run" : "resume"
        this.duration[kind] = 0.7 * this.duration[kind] + 0.3 * (runMs ?? 0)
        this.stats.finishedBeforeKill++
        expect((await this.store.readRun(FLOW, runId))?.status).toBe("succeeded")
        return
      }
      this.count(plan, latest !== undefined)
      if (exists) latest = runId
      if (link + 1 >= Math.min(MAX_KILLS_PER_CHAIN, killBudget) || !this.random.chance(CONTINUE_CHAIN)) break
    }
    await complete(this.store, latest, `${name}-done`, this.stats)
    await this.audit(`${name}-done`)
  }

  private count(plan: KillPlan, resuming: boolean): void {
    this.stats.kills++
    if (plan.kind === "timer") this.stats.timerKills++
    else this.stats.pointKills++
    if (resuming) this.stats.killsDuringResume++
  }

  /** Audits the files; only `runId`, the run just written, may have changed (a resume never writes to its origin). */
  private async audit(runId: string): Promise<void> {
    const { changedRuns } = await this.auditor.audit()
    expect([...changedRuns].filter((run) => run !== `${FLOW}/${runId}`), `runs changed by ${runId}`).toEqual([])
  }
}

const sum = (lanes: ReadonlyArray<Stats>): Stats => {
  const total = emptyStats()
  for (const stats of lanes) for (const key of Object.keys(total) as Array<keyof Stats>) total[key] += stats[key]
  return total
}

const summary = (seed: number, total: Stats, seconds: number, cpuSeconds: number): string =>
  `artiflow crash (seed ${seed}): ${total.kills} SIGKILLs survived (${total.timerKills} timed by the parent, ` +
  `${total.pointKills} at a persistence point; ${total.killsDuringResume} during a resume), ` +
  `${total.finishedBeforeKill} child(ren) finished first; ${total.runsVerified} runs, ${total.tasksVerified} ` +
  `committed tasks and ${total.valuesLoaded} stored values verified; ${total.chainsCompleted} runs completed ` +
  `equal to the uninterrupted run; corruptions: 0; ${total.tornTails} torn log tails skipped by readers; ` +
  `${total.tempsSwept} stray temp files (${total.linkedStrays} linked to a run.json) swept once stale; ` +
  `${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU in this process)`

const crashTest = (seed: number): void => {
  const name = `${KILLS} SIGKILLs at random points leave every committed task whole, and resume completes the run`
  test(`${name} (seed ${seed})`, async () => {
    const started = performance.now()
    const cpu = process.cpuUsage()
    const random = new Random(seed)
    const lanes = Array.from({ length: LANES }, (_, i) => new Lane(random.fork(), `seed${seed}-lane${i}`))
    const total = sum(await Promise.all(lanes.map((lane) => lane.go(Math.ceil(KILLS / LANES)))))
    const used = process.cpuUsage(cpu)
    console.info(summary(seed, total, (performance.now() - started) / 1000, (used.user + used.system) / 1e6))
    expect(total.kills).toBeGreaterThanOrEqual(KILLS)
    // Both kinds of kill, and kills of resumes, must have happened, or the plan (or the calibration) is broken.
    expect(total.timerKills).toBeGreaterThan(0)
    expect(total.pointKills).toBeGreaterThan(0)
    expect(total.killsDuringResume).toBeGreaterThan(0)
  }, STRESS ? 3_600_000 : 240_000)
}

/**
 * The `ledger` step commits a manifest of about 600 KB, which Node appends in two write calls (512 KiB at most
 * each); a kill between them leaves the log ending in part of a record. Its commit is a fresh run's 5th
 * persistence call (run created, `table` and `notes` blobs, `start` committed, then `ledger`), and the second
 * write follows the first a few event loop turns after the commit starts.
 */
const LEDGER_COMMIT = 5

describe("crashes", () => {
  beforeAll(async () => {
    workDir = await fs.mkdtemp(join(tmpdir(), "artiflow-crash-"))
    await launcher.prepare(KILLABLE)
    const store = localStore(join(workDir, "reference"))
    const uninterrupted = await run(Crash, { store, runId: "reference", log: quiet })
    const captured = await captureRun(store, FLOW, "reference")
    expect(captured.tasks.size).toBe(taskCount(WIDTH))
    // Calibration: how many persistence calls a run makes and how long it takes, in a child like the others.
    const job: KillableJob = { store: join(workDir, "calibration"), runId: "calibration" }
    const calibration = await launcher.start(KILLABLE, [JSON.stringify(job)])
    const { persistCalls, runMs } = lastJson<KillableResult>(await calibration.exited)
    reference = { run: captured, artifacts: uninterrupted.artifacts, persistCalls, runMs }
  })

  afterAll(async () => {
    await launcher.dispose()
    if (workDir !== "") await fs.rm(workDir, { recursive: true, force: true })
  })

  test("a kill in the middle of a large manifest's append leaves a torn record readers skip; resume completes", async () => {
    const stats = emptyStats()
    // How many turns the first write takes depends on the machine: try until one kill lands between the writes.
    for (const turns of [2, 3, 4, 1, 5, 6, 7, 8, 9, 10, 11, 12]) {
      const root = join(workDir, `torn-${turns}`)
      const store = localStore(root)
      const { killed } = await runKillable({ store: root, runId: "torn" }, { kind: "point", point: LEDGER_COMMIT, turns })
      expect(killed).toBe(true)
      const log = logRecords(await fs.readFile(join(root, "runs", FLOW, "torn", "manifests.jsonl")), "manifests.jsonl")
      if (!log.torn) continue
      // Only `start` committed; `ledger` is on disk in part, and nobody may see it.
      expect(log.records).toHaveLength(1)
      expect((await store.readManifests(FLOW, "torn")).map((manifest) => manifest.step)).toEqual(["start"])
      expect([...(await verifyRun(store, "torn", stats)).tasks.keys()]).toEqual(["start/0"])
      await complete(store, "torn", "resumed", stats)
      return
    }
    throw new Error(`no kill at persistence call ${LEDGER_COMMIT} tore the ledger's manifest: has the flow changed?`)
  })

  crashTest(FIXED_SEED)
  crashTest(DRAWN_SEED)
})
