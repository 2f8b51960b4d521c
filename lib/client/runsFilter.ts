/**
 * What `client.runs(flow, { tags, status, limit })` keeps, checked like `run`'s options: a bad filter is an
 * error naming the option and what it must be, never a silently empty list.
 */
import type { RunSummary } from "../datastore/Datastore.js"
import type { RunMeta } from "../datastore/Manifest.js"
import { FlowDefinitionError } from "../errors.js"
import { tagsProblem } from "../tags.js"
import { invalidOption } from "../types/messages.js"

/** A run's status, as `client.runs` filters by it. */
export type RunStatus = RunMeta["status"]

/** Which runs `client.runs` returns. */
export interface RunsOptions {
  /** Only runs holding every one of these tags. */
  readonly tags?: ReadonlyArray<string>
  /** Only runs with this status. */
  readonly status?: RunStatus
  /** At most this many runs: the newest of those the other options keep. */
  readonly limit?: number
}

const STATUSES: ReadonlyArray<RunStatus> = ["running", "succeeded", "failed"]

/** Throws a FlowDefinitionError naming the first bad option of a `client.runs` call on `flow`. */
export const checkRunsOptions = (flow: string, options: unknown): RunsOptions => {
  const where = `runs of flow '${flow}'`
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError(invalidOption(where, "options", "an object { tags?, status?, limit? }", options))
  }
  const { tags, status, limit } = options as Record<string, unknown>
  const badTags = tags === undefined ? undefined : tagsProblem(where, "tags", tags)
  if (badTags !== undefined) throw new FlowDefinitionError(badTags)
  if (status !== undefined && !STATUSES.includes(status as RunStatus)) {
    throw new FlowDefinitionError(invalidOption(where, "status", '"running", "succeeded" or "failed"', status))
  }
  if (limit !== undefined && !(typeof limit === "number" && Number.isInteger(limit) && limit >= 0)) {
    throw new FlowDefinitionError(invalidOption(where, "limit", "an integer >= 0", limit))
  }
  return options as RunsOptions
}

/** The runs `options` keeps, in the order given (newest first). */
export const filterRuns = (runs: ReadonlyArray<RunSummary>, options: RunsOptions): ReadonlyArray<RunSummary> => {
  const { tags = [], status, limit } = options
  const kept = runs.filter((run) => (status === undefined || run.status === status) && tags.every((tag) => run.tags.includes(tag)))
  return limit === undefined ? kept : kept.slice(0, limit)
}
