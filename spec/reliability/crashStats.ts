/** What the crash harness (crashHarness.ts) and its lanes (crashLane.ts) share: the flow, kill plans, counts. */
import { taskCount } from "./children/crashFlow.js"
import type { SelfKill } from "./children/killable.js"

/** The flow the harness kills (children/crashFlow.ts `Crash`), at its default width. */
export const FLOW = "Crash"
export const WIDTH = 6

/**
 * Persistence calls every resume makes at least: it creates its run, commits one manifest per task (a clone
 * or a new attempt) and updates its run at the end. Self-kill points are drawn below this for resumes (and
 * below a fresh run's count for runs), so that they land before the child would finish.
 */
export const RESUME_CALLS = taskCount(WIDTH) + 2

/** The parent kills the child after a delay, or the child kills itself at a persistence call. */
export type KillPlan = { readonly kind: "timer"; readonly delayMs: number } | ({ readonly kind: "point" } & SelfKill)

/** What the tests did; problems fail the test instead of being counted. */
export interface Stats {
  kills: number
  timerKills: number
  pointKills: number
  /** Of the point kills, those aimed inside the large blob's upload. */
  largeBlobKills: number
  killsDuringResume: number
  finishedBeforeKill: number
  chainsCompleted: number
  runsVerified: number
  tasksVerified: number
  valuesLoaded: number
  /** Leftovers of killed writers swept when their store retired (stray temp files, incomplete uploads). */
  leftoversSwept: number
  /** Of those, second links to a run.json (a createRun killed between linking and cleaning up). */
  linkedStrays: number
  /** Logs left ending in part of a record (by kills mid-append of the large manifest). */
  tornTails: number
  /** Kills after which a write the dead process had sent still landed (on S3: the server carries it out). */
  lateWrites: number
}

export const emptyStats = (): Stats => ({
  kills: 0,
  timerKills: 0,
  pointKills: 0,
  largeBlobKills: 0,
  killsDuringResume: 0,
  finishedBeforeKill: 0,
  chainsCompleted: 0,
  runsVerified: 0,
  tasksVerified: 0,
  valuesLoaded: 0,
  leftoversSwept: 0,
  linkedStrays: 0,
  tornTails: 0,
  lateWrites: 0
})

/** The counts of all lanes added up. */
export const sum = (lanes: ReadonlyArray<Stats>): Stats => {
  const total = emptyStats()
  for (const stats of lanes) for (const key of Object.keys(total) as Array<keyof Stats>) total[key] += stats[key]
  return total
}
