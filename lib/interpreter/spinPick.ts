/**
 * Which past run and which task of it `spin` replays, with errors that list what exists: the runs of the flow
 * (a run of another flow, an unknown run), the steps that ran (a step that did not run there), and the tasks
 * of the step (an index out of range, an unknown task id, several tasks and none chosen).
 */
import type { Datastore, ManifestRecord } from "../datastore/Datastore.js"
import type { RunMeta } from "../datastore/Manifest.js"
import { NotFoundError } from "../errors.js"
import { listNames } from "../listing.js"
import { sortTaskIds } from "../client/StepHandle.js"
import type { PastRun } from "./pastRun.js"

/** The latest runs of a flow, for messages. */
const latestRuns = async (store: Datastore, flow: string): Promise<string> =>
  listNames((await store.listRuns(flow)).slice(0, 10).map((run) => run.id))

/** The run to spin from: `origin`, or the flow's latest run. */
export const findOrigin = async (store: Datastore, flow: string, origin: string | undefined): Promise<RunMeta> => {
  if (origin === undefined) {
    const latest = (await store.listRuns(flow))[0]
    if (latest === undefined) {
      throw new NotFoundError(`artiflow: spin: flow '${flow}' has no runs in the ${store.description}: run it first`)
    }
    origin = latest.id
  }
  const meta = await store.readRun(flow, origin)
  if (meta !== undefined) return meta
  for (const other of await store.listFlows()) {
    if (other !== flow && (await store.readRun(other, origin)) !== undefined) {
      throw new NotFoundError(
        `artiflow: spin: run '${origin}' is a run of flow '${other}', not of '${flow}' (latest runs of '${flow}': ${await latestRuns(store, flow)})`
      )
    }
  }
  const latest = await latestRuns(store, flow)
  throw new NotFoundError(`artiflow: spin: flow '${flow}' has no run '${origin}' (latest runs: ${latest})`)
}

/** "tasks 0 to 9999" when the ids are a foreach's indices, else the ids themselves. */
const describeTasks = (ids: ReadonlyArray<string>): string => {
  const contiguous = ids.every((id, index) => id === String(index))
  return contiguous && ids.length > 1 ? `tasks 0 to ${ids.length - 1}` : `tasks: ${listNames(ids)}`
}

/** The task id of a foreach index: only steps in at most one foreach are named by index. */
const indexId = (step: string, depth: number, index: number, ids: () => ReadonlyArray<string>): string => {
  if (depth <= 1) return String(index)
  const all = ids()
  throw new NotFoundError(
    `artiflow: spin: step '${step}' runs in nested foreaches: name its task by id, such as '${all[0] ?? "0.0"}', not by index ${index} (${describeTasks(all)})`
  )
}

/** How many of a flow's latest runs a "no task there" error looks through for one where the step ran. */
const RUNS_SEARCHED = 20

/** The latest run (of the latest few) in which `step` has a task, other than `past`. */
const latestRunWith = async (past: PastRun, step: string): Promise<string | undefined> => {
  for (const { id } of (await past.store.listRuns(past.meta.flow)).slice(0, RUNS_SEARCHED)) {
    if (id !== past.runId && (await (await past.other(id)).tasksOf(step)).size > 0) return id
  }
  return undefined
}

/** Why a step has no task to spin in a run, and which run to spin instead. */
const notRunThere = async (past: PastRun, step: string): Promise<NotFoundError> => {
  const ran = listNames(await past.stepsThatRan())
  const other = await latestRunWith(past, step)
  const instead =
    other === undefined ? "spin another run with origin" : `the latest run where it ran is '${other}': spin it with origin`
  return new NotFoundError(
    `artiflow: spin: run '${past.runId}' of flow '${past.meta.flow}' has no succeeded or failed task of step '${step}' (steps that ran: ${ran}); ${instead}`
  )
}

/**
 * The task of `step` to spin, at its latest committed attempt: the one `task` names, or the step's only
 * task. `depth` is how many foreaches the step runs in.
 */
export const pickTask = async (
  past: PastRun,
  step: string,
  depth: number,
  task: number | string | undefined
): Promise<ManifestRecord> => {
  const byTask = await past.tasksOf(step)
  if (byTask.size === 0) throw await notRunThere(past, step)
  // Sorting a step's ids (10,000 in a wide foreach) is only needed to list them in an error.
  const ids = (): ReadonlyArray<string> => sortTaskIds(byTask.keys())
  if (task === undefined) {
    const [only] = byTask.values()
    if (byTask.size === 1 && only !== undefined) return only.at(-1) as ManifestRecord
    throw new NotFoundError(
      `artiflow: spin: step '${step}' has ${byTask.size} tasks in run '${past.runId}': pick one with task (${describeTasks(ids())})`
    )
  }
  const id = typeof task === "string" ? task : indexId(step, depth, task, ids)
  const attempts = byTask.get(id)
  if (attempts === undefined || attempts.length === 0) {
    const range = depth <= 1 && /^\d+$/.test(id) ? `task ${id} is out of range` : `no task '${id}'`
    const has = describeTasks(ids())
    throw new NotFoundError(`artiflow: spin: ${range}: step '${step}' of run '${past.runId}' has ${has}`)
  }
  return attempts.at(-1) as ManifestRecord
}
