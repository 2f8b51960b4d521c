/**
 * Which runs a gc keeps: the criteria of `gc(store, { keep })`, checked once, then applied to each flow's
 * runs. A run any criterion keeps is kept, and a running run is always kept.
 */
import type { RunSummary } from "../datastore/Datastore.js"
import { FlowDefinitionError } from "../errors.js"
import { invalidOption } from "../types/messages.js"

/**
 * Keep criteria: a run that meets any of them is kept.
 *
 * @example
 * const keep: KeepCriteria = { lastRuns: 10, tags: ["release"] } // the 10 newest runs of each flow, and releases
 */
export interface KeepCriteria {
  /** Keep the newest `lastRuns` runs of each flow (by start time). */
  readonly lastRuns?: number
  /** Keep every run started at or after this moment. */
  readonly since?: Date
  /** Keep every run that has at least one of these tags. */
  readonly tags?: ReadonlyArray<string>
}

/**
 * What `gc` keeps: criteria, or a function that says of each run whether to keep it.
 *
 * @example
 * const keep: Keep = (run) => run.status === "succeeded" && run.tags.includes("release")
 */
export type Keep = KeepCriteria | ((run: RunSummary) => boolean)

/** Decides, from a flow's runs newest first, whether each is kept. */
export type KeepRule = (run: RunSummary, newerRunsOfFlow: number) => boolean

const WHERE = "gc"

const fail = (option: string, expected: string, received: unknown): never => {
  throw new FlowDefinitionError(invalidOption(WHERE, option, expected, received))
}

/**
 * Checks `keep` and turns it into a rule. Criteria that name nothing (`{}`) are refused rather than read as
 * "keep nothing": a typo must not delete every run. To delete every run that is not running, say so with
 * `keep: () => false`.
 */
export const keepRule = (keep: unknown): KeepRule => {
  if (typeof keep === "function") {
    const decide = keep as (run: RunSummary) => unknown
    return (run) => decide(run) === true
  }
  if (typeof keep !== "object" || keep === null || Array.isArray(keep)) {
    return fail("keep", "an object { lastRuns?, since?, tags? } or a function (run) => boolean", keep)
  }
  const { lastRuns, since, tags } = keep as Record<string, unknown>
  if (lastRuns !== undefined && !(typeof lastRuns === "number" && Number.isInteger(lastRuns) && lastRuns >= 0)) {
    fail("keep.lastRuns", "an integer >= 0", lastRuns)
  }
  if (since !== undefined && !(since instanceof Date && !Number.isNaN(since.getTime()))) {
    fail("keep.since", "a valid Date", since)
  }
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === "string"))) {
    fail("keep.tags", "an array of tag strings", tags)
  }
  if (lastRuns === undefined && since === undefined && tags === undefined) {
    fail(
      "keep",
      "at least one of lastRuns, since or tags (to delete every run that is not running, pass keep: () => false)",
      keep
    )
  }
  const last = lastRuns as number | undefined
  const from = (since as Date | undefined)?.getTime()
  const wanted = new Set(tags as ReadonlyArray<string> | undefined)
  return (run, newer) =>
    (last !== undefined && newer < last) ||
    (from !== undefined && run.startedAt >= from) ||
    run.tags.some((tag) => wanted.has(tag))
}

/** Checks `graceMs` and returns it (default one hour). */
export const graceOf = (graceMs: unknown): number => {
  if (graceMs === undefined) return DEFAULT_GRACE_MS
  if (typeof graceMs !== "number" || !Number.isFinite(graceMs) || graceMs < 0) {
    return fail("graceMs", "a number of milliseconds >= 0", graceMs)
  }
  return graceMs
}

/** How long a blob stays after its last write, by default: longer than any write takes to be committed. */
export const DEFAULT_GRACE_MS = 60 * 60 * 1000
