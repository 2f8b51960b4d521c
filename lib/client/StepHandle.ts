/** A step of a past run: its tasks (one, or one per foreach element, in index order). */
import type { Datastore, ManifestRecord } from "../datastore/Datastore.js"
import { NotFoundError } from "../errors.js"
import { listNames } from "../listing.js"
import type { Snapshots } from "./Snapshots.js"
import { TaskHandle } from "./TaskHandle.js"

const comparePaths = (left: ReadonlyArray<number>, right: ReadonlyArray<number>): number => {
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? -1) - (right[i] ?? -1)
    if (difference !== 0) return difference
  }
  return 0
}

/**
 * Task ids in index order, as index paths: "2" before "10", "3" before "3.1". Each id is split once, not once
 * per comparison (a step may have 100,000 tasks).
 */
export const sortTaskIds = (ids: Iterable<string>): Array<string> =>
  [...ids]
    .map((id) => ({ id, path: id.split(".").map(Number) }))
    .sort((a, b) => comparePaths(a.path, b.path))
    .map(({ id }) => id)

export class StepHandle {
  /** @internal */
  constructor(
    private readonly store: Datastore,
    private readonly snapshots: Snapshots,
    private readonly runId: string,
    readonly name: string,
    /** "step" or "join". */
    readonly kind: "step" | "join"
  ) {}

  private async attemptsByTask(): Promise<ReadonlyMap<string, ReadonlyArray<ManifestRecord>>> {
    const index = await this.snapshots.run(this.runId)
    return index.tasks.get(this.name) ?? new Map()
  }

  private handle(attempts: ReadonlyArray<ManifestRecord>): TaskHandle {
    const latest = attempts.at(-1) as ManifestRecord
    return new TaskHandle(this.store, this.snapshots, this.runId, latest, attempts)
  }

  /** The step's tasks, each at its latest committed attempt, in index order. Empty if the step never ran. */
  async tasks(): Promise<ReadonlyArray<TaskHandle>> {
    const byTask = await this.attemptsByTask()
    return sortTaskIds(byTask.keys()).map((id) => this.handle(byTask.get(id) ?? []))
  }

  /** One task by id ("0" outside a foreach, "3" or "3.1" inside). */
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
}
