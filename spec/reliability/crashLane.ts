/**
 * One lane of the crash harness (crashHarness.ts): chains of runs on one store after another, each chain
 * killed one or more times (the run, then resumes of it), then completed in this process; every few chains
 * the store is retired (what killed writers left is swept) and a fresh one taken.
 */
import { expect } from "vitest"
import type { Datastore } from "../../lib/index.js"
import type { KillableJob } from "./children/killable.js"
import type { CrashHarness } from "./crashHarness.js"
import { emptyStats, FLOW, RESUME_CALLS } from "./crashStats.js"
import type { KillPlan, Stats } from "./crashStats.js"
import type { CrashSite } from "./crashSites.js"
import type { Random } from "./harness.js"

/** Kills in one chain at most (a run, then resumes of resumes...) before this process completes it. */
const MAX_KILLS_PER_CHAIN = 6
/**
 * The chance that a killed chain goes on with another child (a resume, killed in turn) rather than being
 * completed here: most kills then hit resumes of killed runs, and completions (which cost this process a
 * whole run and a full check) stay fewer than kills.
 */
const CONTINUE_CHAIN = 0.7

/** One lane: chains of runs on one store after another, each chain killed one or more times, then completed. */
export class Lane {
  readonly stats = emptyStats()
  /** How long a child's run or resume takes here, learnt from children that finished: kill timers spread over it. */
  private readonly duration = { run: 0, resume: 0 }
  private site: CrashSite | undefined
  private store!: Datastore

  constructor(
    private readonly harness: CrashHarness,
    private readonly random: Random,
    private readonly name: string
  ) {
    this.duration.run = harness.reference.runMs
    // A resume clones what its origin finished: shorter, but by how much depends on where the kill landed.
    this.duration.resume = harness.reference.runMs / 2
  }

  async go(kills: number): Promise<Stats> {
    const { chainsPerStore } = this.harness.options
    for (let chain = 0; this.stats.kills < kills; chain++) {
      if (chain % chainsPerStore === 0) await this.freshStore(chain / chainsPerStore)
      await this.chain(`c${chain}`, kills - this.stats.kills)
    }
    await this.retireStore()
    return this.stats
  }

  private async freshStore(n: number): Promise<void> {
    await this.retireStore()
    this.site = await this.harness.options.sites.create(`${this.name}-store${n}`)
    this.store = this.site.open()
  }

  private async retireStore(): Promise<void> {
    const site = this.site
    if (site === undefined) return
    this.site = undefined
    this.stats.tornTails += (await site.audit()).tornTails
    const { swept, linkedStrays } = await site.retire((store, runId) => this.harness.complete(store, undefined, runId, this.stats))
    this.stats.leftoversSwept += swept
    this.stats.linkedStrays += linkedStrays
  }

  private plan(resuming: boolean): KillPlan {
    const { largeBlobKills, selfKillMs } = this.harness.options
    const kind = resuming ? "resume" : "run"
    if (this.random.chance(0.5)) return { kind: "timer", delayMs: this.random.next() * this.duration[kind] }
    if (!resuming && largeBlobKills !== undefined && this.random.chance(largeBlobKills.share)) {
      const afterMs = Math.floor(this.random.next() * largeBlobKills.uploadMs)
      return { kind: "point", point: 1, minBlobBytes: largeBlobKills.minBytes, afterMs }
    }
    const calls = resuming ? RESUME_CALLS : this.harness.reference.persistCalls
    const point = this.random.int(1, calls)
    if (selfKillMs !== undefined && this.random.chance(0.5)) return { kind: "point", point, afterMs: this.random.int(0, selfKillMs) }
    return { kind: "point", point, turns: this.random.int(0, 6) }
  }

  /** A run killed, maybe resumes of it killed too, then completed in this process. */
  private async chain(name: string, killBudget: number): Promise<void> {
    const site = this.site as CrashSite
    const params = this.harness.options.params
    let latest: string | undefined
    for (let link = 0; ; link++) {
      const runId = `${name}-${link}`
      const plan = this.plan(latest !== undefined)
      const job: KillableJob = {
        store: site.location,
        runId,
        ...(latest !== undefined ? { origin: latest } : params !== undefined && { params })
      }
      const { killed, runMs } = await this.harness.runKillable(job, plan)
      if (killed && (await site.settle())) this.stats.lateWrites++
      await this.audit(site, runId)
      // A run exists once its run document does: killed before that, the chain goes on from the previous one.
      const exists = (await this.store.readRun(FLOW, runId)) !== undefined
      if (exists) await this.harness.verifyRun(this.store, runId, this.stats)
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
    await this.harness.complete(this.store, latest, `${name}-done`, this.stats)
    await this.audit(site, `${name}-done`)
  }

  private count(plan: KillPlan, resuming: boolean): void {
    this.stats.kills++
    if (plan.kind === "timer") this.stats.timerKills++
    else this.stats.pointKills++
    if (plan.kind === "point" && plan.minBlobBytes !== undefined) this.stats.largeBlobKills++
    if (resuming) this.stats.killsDuringResume++
  }

  /** Audits the store; only `runId`, the run just written, may have changed (a resume never writes to its origin). */
  private async audit(site: CrashSite, runId: string): Promise<void> {
    const { changedRuns } = await site.audit()
    expect([...changedRuns].filter((run) => run !== `${FLOW}/${runId}`), `runs changed by ${runId}`).toEqual([])
  }
}
