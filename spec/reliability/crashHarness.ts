/**
 * The crash harness (issue 5, item 1; issue 10 for S3): child processes run or resume the Crash flow
 * (children/crashFlow.ts) on a store and are killed with SIGKILL at random moments, many times per test run.
 * The kind of store is a {@link CrashSites} (crashSites.ts: local directories; s3CrashSites.ts: S3 prefixes).
 * After every kill:
 *
 * - the stored bytes are sound, as the site's auditor checks them from the outside: every blob hashes to its
 *   name, every manifest record is intact, every run document parses (see each site);
 * - every committed task of the killed run that succeeded resolves and loads its artifacts, verified, and
 *   holds exactly what the same task holds in an uninterrupted run (same names, same content hashes); the
 *   only failed attempt visible is the flow's deliberate one; a run marked succeeded has all its tasks;
 * - no run changed but the one the child wrote (a resume never writes to its origin).
 *
 * Then the chain of runs goes on: sometimes another child resumes the latest run and is killed too (kills
 * during a resume, of a resumed run...), and finally a resume in this process completes it: its tasks and
 * final artifacts, read back with the client, must equal the uninterrupted run's.
 *
 * Kills are planned with a seeded PRNG, in two kinds: the parent kills the child after a random delay spread
 * over the run's duration, or the child kills itself at a random persistence call, a random number of event
 * loop turns (or, on a network store, milliseconds) after starting it: inside the write (between a temp
 * file's write and its rename, mid-commit, amid a multipart upload's parts). Lanes (stores) run at once; each
 * store serves several chains, then is retired: what killed writers left there is aged past the store's
 * threshold, and must all be swept without any visible change.
 */
import { expect, test } from "vitest"
import { Client, resume, run } from "../../lib/index.js"
import type { Datastore } from "../../lib/index.js"
import { Crash, taskCount } from "./children/crashFlow.js"
import type { KillableJob, KillableResult } from "./children/killable.js"
import { Lane } from "./crashLane.js"
import { FLOW, sum, WIDTH } from "./crashStats.js"
import type { KillPlan, Stats } from "./crashStats.js"
import type { CrashSites } from "./crashSites.js"
import { Random, STRESS } from "./harness.js"
import { ChildLauncher, lastJson } from "./harnessChild.js"
import { captureRun } from "./harnessStore.js"
import type { CapturedRun } from "./harnessStore.js"

export { emptyStats, FLOW } from "./crashStats.js"
export type { KillPlan, Stats } from "./crashStats.js"

const KILLABLE = "spec/reliability/children/killable.ts"

/** How a crash test runs; see {@link CrashHarness}. */
export interface CrashOptions {
  readonly sites: CrashSites
  /** Kills per test (each seed is a test). */
  readonly kills: number
  /** Stores crashed on at once. */
  readonly lanes: number
  /** Chains of runs per store before a lane retires it and starts a fresh one. */
  readonly chainsPerStore: number
  /** Parameters of every run (a resume takes its origin's). */
  readonly params?: { readonly bulkBytes: number }
  /**
   * Self-kills at a persistence point are timed in milliseconds after the call starts, up to this many, half
   * of the time (the other half in event loop turns): a network store's write takes milliseconds.
   */
  readonly selfKillMs?: number
  /**
   * The share of the self-kills of fresh runs aimed inside the write of a blob larger than `minBytes` (the
   * `bulkBytes` blob), at a random moment of its upload, which takes about `uploadMs`. (Few enough kills that
   * a seed may draw none: a test of its own must make sure such a kill happens.)
   */
  readonly largeBlobKills?: { readonly share: number; readonly minBytes: number; readonly uploadMs: number }
  /** The test's time limit. */
  readonly timeoutMs: number
}

const quiet = (): void => {}

/** The uninterrupted run: what every task holds, the final values, and a child's figures for a whole run. */
export interface Reference {
  readonly run: CapturedRun
  readonly artifacts: Readonly<Record<string, unknown>>
  readonly persistCalls: number
  readonly runMs: number
}

/** Runs crash tests on one kind of store: `prepare()` in beforeAll, `dispose()` in afterAll, `crashTest(seed)`. */
export class CrashHarness {
  private readonly launcher = new ChildLauncher()
  private referenceRun: Reference | undefined

  constructor(readonly options: CrashOptions) {}

  get reference(): Reference {
    if (this.referenceRun === undefined) throw new Error("CrashHarness: call prepare() first (in beforeAll)")
    return this.referenceRun
  }

  /** Bundles the child, makes the uninterrupted reference run, and times a whole run in a child. */
  async prepare(): Promise<void> {
    await this.launcher.prepare(KILLABLE)
    const site = await this.options.sites.create("reference")
    const store = site.open()
    const params = this.options.params ?? {}
    const uninterrupted = await run(Crash, { store, runId: "reference", params, log: quiet })
    const captured = await captureRun(store, FLOW, "reference")
    expect(captured.tasks.size).toBe(taskCount(WIDTH))
    // Calibration: how many persistence calls a run makes and how long it takes, in a child like the others.
    const calibrationSite = await this.options.sites.create("calibration")
    const job: KillableJob = { store: calibrationSite.location, runId: "calibration", params }
    const calibration = await this.launcher.start(KILLABLE, [JSON.stringify(job)], this.options.sites.childEnv)
    const { persistCalls, runMs } = lastJson<KillableResult>(await calibration.exited)
    this.referenceRun = { run: captured, artifacts: uninterrupted.artifacts, persistCalls, runMs }
  }

  async dispose(): Promise<void> {
    await this.launcher.dispose()
    await this.options.sites.dispose()
  }

  /** Starts a child on `job`, carries out the kill plan, and tells whether the kill landed. */
  async runKillable(job: KillableJob, plan: KillPlan): Promise<{ killed: boolean; runMs?: number }> {
    let withPlan = job
    if (plan.kind === "point") {
      const { kind: _point, ...selfKill } = plan
      withPlan = { ...job, selfKill }
    }
    const child = await this.launcher.start(KILLABLE, [JSON.stringify(withPlan)], this.options.sites.childEnv)
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
  async verifyRun(store: Datastore, runId: string, stats: Stats): Promise<CapturedRun> {
    const captured = await captureRun(store, FLOW, runId)
    for (const [key, task] of captured.tasks) {
      const expected = this.reference.run.tasks.get(key)
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
  async complete(store: Datastore, origin: string | undefined, runId: string, stats: Stats): Promise<void> {
    if (origin === undefined) await run(Crash, { store, runId, params: this.options.params ?? {}, log: quiet })
    else await resume(Crash, { store, origin, runId, log: quiet })
    const captured = await this.verifyRun(store, runId, stats)
    expect(captured.status).toBe("succeeded")
    expect(await (await Client.open(store).run(FLOW, runId)).artifacts()).toEqual(this.reference.artifacts)
    stats.chainsCompleted++
  }

  /** Registers the randomized test for `seed`: {@link CrashOptions.kills} kills over the lanes. */
  crashTest(seed: number): void {
    const { kills, lanes, sites } = this.options
    const name = `${kills} SIGKILLs at random points on ${sites.kind} stores leave every committed task whole, and resume completes the run`
    test(
      `${name} (seed ${seed})`,
      async () => {
        const started = performance.now()
        const cpu = process.cpuUsage()
        const random = new Random(seed)
        const all = Array.from({ length: lanes }, (_, i) => new Lane(this, random.fork(), `seed${seed}-lane${i}`))
        const total = sum(await Promise.all(all.map((lane) => lane.go(Math.ceil(kills / lanes)))))
        const used = process.cpuUsage(cpu)
        console.info(this.summary(seed, total, (performance.now() - started) / 1000, (used.user + used.system) / 1e6))
        expect(total.kills).toBeGreaterThanOrEqual(kills)
        // Both kinds of kill, and kills of resumes, must have happened, or the plan (or the calibration) is broken.
        expect(total.timerKills).toBeGreaterThan(0)
        expect(total.pointKills).toBeGreaterThan(0)
        expect(total.killsDuringResume).toBeGreaterThan(0)
      },
      STRESS ? 3_600_000 : this.options.timeoutMs
    )
  }

  private summary(seed: number, total: Stats, seconds: number, cpuSeconds: number): string {
    const large = this.options.largeBlobKills === undefined ? "" : `, ${total.largeBlobKills} of them inside a multipart upload`
    const linked = this.options.sites.kind === "local" ? ` (${total.linkedStrays} linked to a run.json)` : ""
    const late = this.options.sites.kind === "local" ? "" : `; ${total.lateWrites} kills left a request the server completed after the process died`
    return (
      `artiflow crash on ${this.options.sites.kind} stores (seed ${seed}): ${total.kills} SIGKILLs survived ` +
      `(${total.timerKills} timed by the parent, ${total.pointKills} at a persistence point${large}; ` +
      `${total.killsDuringResume} during a resume), ${total.finishedBeforeKill} child(ren) finished first; ` +
      `${total.runsVerified} runs, ${total.tasksVerified} committed tasks and ${total.valuesLoaded} stored values ` +
      `verified; ${total.chainsCompleted} runs completed equal to the uninterrupted run; corruptions: 0; ` +
      `${total.tornTails} torn log tails skipped by readers; ${total.leftoversSwept} ${this.options.sites.leftovers}` +
      `${linked} swept once stale${late}; ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU in this process)`
    )
  }
}
