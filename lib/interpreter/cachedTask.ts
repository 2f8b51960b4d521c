/**
 * The step cache's side of running a task (stepCache.ts decides hits): committing a task the cache answered,
 * and recording a computed one.
 */
import { cacheEntryBlobs } from "../datastore/CacheEntry.js"
import type { CacheEntry } from "../datastore/CacheEntry.js"
import { IntegrityError, NotFoundError } from "../errors.js"
import { loadValue } from "../datastore/load.js"
import type { ArtifactEntry, TaskManifest } from "../datastore/Manifest.js"
import type { AttemptSucceeded, AttemptWork } from "../executor/Executor.js"
import type { Changes } from "./output.js"
import { storedFrames, taskIdOf } from "./Position.js"
import type { RunEnv } from "./RunEnv.js"
import { deriveSnapshot, freezeValue, NOT_HELD } from "./Snapshot.js"
import type { TaskResult, TaskSpec } from "./task.js"

/**
 * The values of a cache hit's outputs where the scheduler holds values (loaded, verified, frozen), else
 * NOT_HELD once their blobs are known to exist; undefined when a value cannot be had (a blob deleted or damaged
 * behind the index's back): the entry is then no hit, and the task runs.
 */
const cachedValues = async (env: RunEnv, spec: TaskSpec, entry: CacheEntry): Promise<Changes | undefined> => {
  const set = new Map<string, { readonly value: unknown; readonly entry: ArtifactEntry }>()
  const taskId = taskIdOf(spec.position)
  try {
    if (!env.session.holdsValues) {
      for (const hash of cacheEntryBlobs(entry)) if (!(await env.store.hasBlob(hash))) return undefined
    }
    for (const name of Object.keys(entry.artifacts)) {
      const stored = entry.artifacts[name] as ArtifactEntry
      const where = { flow: env.flow.name, runId: entry.cachedFrom.runId, step: spec.name, taskId, artifact: name }
      const value = env.session.holdsValues ? freezeValue(await loadValue(env.store, stored, where)) : NOT_HELD
      set.set(name, { value, entry: stored })
    }
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof IntegrityError) return undefined
    throw error
  }
  return set
}

/**
 * Commits a task the step cache answered: its manifest reuses the entry's outputs by reference (no function
 * call, no encoding, no blob written) and says where they were computed (`cachedFrom`). Undefined, committing
 * nothing, when the entry's values cannot be had any more (see cachedValues).
 */
export const commitCached = async (env: RunEnv, spec: TaskSpec, entry: CacheEntry): Promise<TaskResult | undefined> => {
  const startedAt = Date.now()
  const taskId = taskIdOf(spec.position)
  const set = await cachedValues(env, spec, entry)
  if (set === undefined) return undefined
  const removed = entry.removed ?? []
  const manifest: TaskManifest = {
    step: spec.name,
    taskId,
    attempt: 0,
    foreachStack: storedFrames(spec.position),
    status: "succeeded",
    startedAt,
    finishedAt: Date.now(),
    ...(spec.base.ref !== undefined && { base: spec.base.ref }),
    artifacts: entry.artifacts,
    ...(removed.length > 0 && { removed }),
    ...(entry.rewritten !== undefined && entry.rewritten.length > 0 && { rewritten: entry.rewritten }),
    reads: entry.reads,
    cachedFrom: { runId: entry.cachedFrom.runId, taskId: entry.cachedFrom.taskId }
  }
  await env.commit(manifest)
  env.cachedTasks++
  env.emit({ type: "task-finished", step: spec.name, taskId, attempt: 0, status: "cached", durationMs: Date.now() - startedAt })
  const ref = { runId: env.runId, step: spec.name, taskId, attempt: 0 }
  return { snapshot: deriveSnapshot(spec.base, set, removed, ref), written: entry.written, reused: false }
}

/**
 * Records a computed task in the step cache; the index failing to take it (when a batch is written) costs
 * future hits, never this run.
 */
export const recordInCache = async (env: RunEnv, spec: TaskSpec, work: AttemptWork, outcome: AttemptSucceeded): Promise<void> => {
  if (work.kind !== "step") return
  await env.cache.record({ node: work.node, position: spec.position, base: spec.base }, env.runId, outcome).catch((error: unknown) => {
    const text = `artiflow: the step cache could not record this task (${error instanceof Error ? error.message : String(error)}); later runs will compute it again`
    env.log({ flow: env.flow.name, runId: env.runId, step: spec.name, taskId: taskIdOf(spec.position), attempt: outcome.attempt, text })
  })
}
