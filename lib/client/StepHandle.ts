/**
 * A step of a past run: its tasks (one, one per foreach element, one per loop iteration, in order) and its
 * state. Also a loop (its record, once per loop run) and a choose's records (`choose:<id>`).
 */
import type { Datastore, ManifestRecord } from "../datastore/Datastore.js"
import { NotFoundError } from "../errors.js"
import { listNames } from "../listing.js"
import type { Snapshots } from "./Snapshots.js"
import { stepState } from "./stepState.js"
import type { StepState } from "./stepState.js"
import { TaskHandle } from "./TaskHandle.js"

/** A task id as a sort key: loop iterations first, outermost first, then foreach indices, outermost first. */
const sortKey = (id: string): ReadonlyArray<number> => {
  const segments = id.split(".")
  if (!id.includes("i")) return segments.map(Number)
  const iterations = segments.filter((segment) => segment.startsWith("i")).map((segment) => Number(segment.slice(1)))
  return [...iterations, ...segments.filter((segment) => !segment.startsWith("i")).map(Number)]
}

const compareKeys = (left: ReadonlyArray<number>, right: ReadonlyArray<number>): number => {
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? -1) - (right[i] ?? -1)
    if (difference !== 0) return difference
  }
  return 0
}

/** A plain index: "0", "7" or "123" (no sign, no leading zero, at most 15 digits: an exact number). */
const PLAIN_INDEX = /^(?:0|[1-9][0-9]{0,14})$/

/** Ids of tasks outside loops and nested foreaches ("0" to "9999"): numbers sorted natively, no comparator. */
const sortPlainIds = (ids: Array<string>): Array<string> | undefined => {
  const indices = new Float64Array(ids.length)
  let sorted = true
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string
    // A native regular expression, not a loop over characters: this runs once per task, in a cold process.
    if (!PLAIN_INDEX.test(id)) return undefined
    const index = Number(id)
    indices[i] = index
    sorted &&= i === 0 || (indices[i - 1] as number) < index
  }
  if (sorted) return ids
  // Plain indices are their ids' only spelling, so each sorted number gives its id back.
  return Array.from(indices.sort(), String)
}

/**
 * Task ids in order: by loop iteration ("i2" before "i10"), then by foreach index ("2" before "10", "3" before
 * "3.1"). Each id is split once, not once per comparison (a step may have 100,000 tasks); a step of plain
 * indices (a foreach's tasks) is sorted as numbers.
 */
export const sortTaskIds = (ids: Iterable<string>): Array<string> => {
  const list = [...ids]
  return (
    sortPlainIds(list) ??
    list
      .map((id) => ({ id, key: sortKey(id) }))
      .sort((a, b) => compareKeys(a.key, b.key))
      .map(({ id }) => id)
  )
}

export class StepHandle {
  /** @internal */
  constructor(
    private readonly store: Datastore,
    private readonly snapshots: Snapshots,
    private readonly runId: string,
    readonly name: string,
    /** "step", "join", "loop" (its record), or "choose" (a choose's records). */
    readonly kind: "step" | "join" | "loop" | "choose",
    /** Whether the step sits in a case of a choose that was not taken. */
    private readonly inSkippedCase: () => Promise<boolean> = async () => false
  ) {}

  private async attemptsByTask(): Promise<ReadonlyMap<string, ReadonlyArray<ManifestRecord>>> {
    const index = await this.snapshots.run(this.runId)
    return index.tasks.get(this.name) ?? new Map()
  }

  private handle(attempts: ReadonlyArray<ManifestRecord>): TaskHandle {
    const latest = attempts.at(-1) as ManifestRecord
    return new TaskHandle(this.store, this.snapshots, this.runId, latest, attempts)
  }

  /**
   * The step's tasks, each at its latest committed attempt, ordered by loop iteration, then by foreach index.
   * Empty if the step never ran (or was skipped).
   */
  async tasks(): Promise<ReadonlyArray<TaskHandle>> {
    const byTask = await this.attemptsByTask()
    return sortTaskIds(byTask.keys()).map((id) => this.handle(byTask.get(id) ?? []))
  }

  /** One task by id ("0" outside foreach bodies and loops, "3" or "3.1" in foreach bodies, "i2" or "i2.5" in loops). */
  async task(id: string): Promise<TaskHandle> {
    const byTask = await this.attemptsByTask()
    const attempts = byTask.get(id)
    if (attempts === undefined) {
      throw new NotFoundError(
        `artiflow: step '${this.name}' of run '${this.runId}' has no task '${id}' (tasks: ${listNames(sortTaskIds(byTask.keys()))})`
      )
    }
    return this.handle(attempts)
  }

  /**
   * How the step ended: "succeeded", "failed" (a task's latest attempt failed), "cloned" (a resumed run reused
   * every task), "skipped" (it is in a case of a choose that was not taken), or "not run".
   *
   * @example
   * await run.step("inline").status() // "skipped" when the choose took another case
   */
  async status(): Promise<StepState> {
    const tasks = await this.tasks()
    if (tasks.length === 0 && (await this.inSkippedCase())) return "skipped"
    return stepState(tasks)
  }
}
