/**
 * A task a resumed run reuses: committed in the new run as a reference to the origin's snapshot (its `base`
 * is the origin's attempt, it lists no artifacts of its own, no blob is copied), with `originTaskId` set.
 * The values later steps need are loaded from the origin's entries (when the scheduler holds values: with an
 * executor that runs attempts elsewhere, the entries are all it needs).
 */
import type { ArtifactEntry, TaskManifest } from "../datastore/Manifest.js"
import { loadValue } from "../datastore/load.js"
import { storedFrames, storedLoops, taskIdOf } from "./Position.js"
import type { ReusePlan } from "./reuse.js"
import type { RunEnv } from "./RunEnv.js"
import { deriveSnapshot, freezeValue, NOT_HELD } from "./Snapshot.js"
import type { TaskResult, TaskSpec } from "./task.js"

export const cloneTask = async (env: RunEnv, spec: TaskSpec, reused: TaskManifest, plan: ReusePlan): Promise<TaskResult> => {
  const startedAt = Date.now()
  const taskId = taskIdOf(spec.position)
  const { manifest: origin, runId: originRunId } = await plan.source(reused)
  const set = new Map<string, { readonly value: unknown; readonly entry: ArtifactEntry }>()
  for (const [name, entry] of Object.entries(origin.artifacts)) {
    const where = { flow: env.flow.name, runId: originRunId, step: spec.name, taskId, artifact: name }
    const value = env.session.holdsValues ? freezeValue(await loadValue(env.store, entry, where)) : NOT_HELD
    set.set(name, { value, entry })
  }
  const loopStack = storedLoops(spec.position)
  await env.commit({
    step: spec.name,
    taskId,
    attempt: 0,
    foreachStack: storedFrames(spec.position),
    ...(loopStack !== undefined && { loopStack }),
    status: "succeeded",
    startedAt,
    finishedAt: Date.now(),
    base: { runId: originRunId, step: spec.name, taskId, attempt: origin.attempt },
    artifacts: {},
    originTaskId: taskId
  })
  const ref = { runId: env.runId, step: spec.name, taskId, attempt: 0 }
  env.emit({ type: "task-finished", step: spec.name, taskId, attempt: 0, status: "cloned", durationMs: Date.now() - startedAt })
  const written = [...Object.keys(origin.artifacts), ...(origin.rewritten ?? [])]
  return { snapshot: deriveSnapshot(spec.base, set, origin.removed ?? [], ref), written, reused: true }
}
