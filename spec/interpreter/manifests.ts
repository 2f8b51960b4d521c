/**
 * Reading a run back from its store the way a client would: manifests are deltas over a `base` snapshot
 * ref, so a task's full snapshot is rebuilt by following the chain down to the run's parameters.
 */
import { expect } from "vitest"
import { loadValue } from "../../lib/datastore/load.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import type { ArtifactEntry, RunMeta, SnapshotRef, TaskManifest } from "../../lib/datastore/Manifest.js"

/** The run's metadata; fails the test when the run does not exist. */
export const readMeta = async (store: Datastore, flow: string, runId: string): Promise<RunMeta> => {
  const meta = await store.readRun(flow, runId)
  expect(meta, `run ${flow}/${runId}`).toBeDefined()
  return meta as RunMeta
}

/** The latest committed attempt of every task, by "step/taskId". */
export const latestManifests = async (
  store: Datastore,
  flow: string,
  runId: string
): Promise<ReadonlyMap<string, TaskManifest>> => {
  const latest = new Map<string, TaskManifest>()
  for (const manifest of await store.readManifests(flow, runId)) {
    latest.set(`${manifest.step}/${manifest.taskId}`, manifest)
  }
  return latest
}

/** The latest attempt of one task; fails the test when it has none. */
export const manifestOf = async (
  store: Datastore,
  flow: string,
  runId: string,
  step: string,
  taskId = "0"
): Promise<TaskManifest> => {
  const manifest = (await latestManifests(store, flow, runId)).get(`${step}/${taskId}`)
  expect(manifest, `manifest of ${step}/${taskId}`).toBeDefined()
  return manifest as TaskManifest
}

const findAttempt = (manifests: ReadonlyArray<TaskManifest>, ref: SnapshotRef): TaskManifest => {
  const found = manifests.find((m) => m.step === ref.step && m.taskId === ref.taskId && m.attempt === ref.attempt)
  if (found === undefined) throw new Error(`no manifest for ${ref.step}/${ref.taskId} attempt ${ref.attempt}`)
  if (found.status !== "succeeded") throw new Error(`base ${ref.step}/${ref.taskId}#${ref.attempt} did not succeed`)
  return found
}

/**
 * A task's full snapshot (name -> entry): its manifest's delta applied over its base chain, down to the
 * params. Bases may be in other runs (a resumed run refers to its origin's tasks).
 */
export const rebuildEntries = async (
  store: Datastore,
  flow: string,
  runId: string,
  manifest: TaskManifest
): Promise<ReadonlyMap<string, ArtifactEntry>> => {
  const runs = new Map<string, { manifests: ReadonlyArray<TaskManifest>; params: RunMeta["params"] }>()
  const load = async (id: string) => {
    const known = runs.get(id)
    if (known !== undefined) return known
    const loaded = { manifests: await store.readManifests(flow, id), params: (await readMeta(store, flow, id)).params }
    runs.set(id, loaded)
    return loaded
  }
  const entriesOf = async (m: TaskManifest, inRun: string): Promise<Map<string, ArtifactEntry>> => {
    const base =
      m.base === undefined
        ? new Map(Object.entries((await load(inRun)).params))
        : await entriesOf(findAttempt((await load(m.base.runId)).manifests, m.base), m.base.runId)
    for (const name of m.removed ?? []) base.delete(name)
    for (const [name, entry] of Object.entries(m.artifacts)) base.set(name, entry)
    return base
  }
  return entriesOf(manifest, runId)
}

/** The full snapshot of one committed attempt as values, every artifact loaded (and hash-verified) with `loadValue`. */
export const loadSnapshot = async (
  store: Datastore,
  flow: string,
  runId: string,
  manifest: TaskManifest
): Promise<Record<string, unknown>> => {
  const values: Record<string, unknown> = {}
  const { step, taskId } = manifest
  for (const [artifact, entry] of await rebuildEntries(store, flow, runId, manifest)) {
    values[artifact] = await loadValue(store, entry, { flow, runId, step, taskId, artifact })
  }
  return values
}

/** A task's full snapshot (its latest attempt) as values. */
export const rebuildSnapshot = async (
  store: Datastore,
  flow: string,
  runId: string,
  step: string,
  taskId = "0"
): Promise<Record<string, unknown>> =>
  loadSnapshot(store, flow, runId, await manifestOf(store, flow, runId, step, taskId))

/** Every committed attempt of a run is readable: succeeded ones rebuild and load, failed ones list no artifact. */
export const expectConsistent = async (store: Datastore, flow: string, runId: string): Promise<number> => {
  const manifests = await store.readManifests(flow, runId)
  for (const manifest of manifests) {
    if (manifest.status === "failed") expect(manifest.artifacts).toEqual({})
    else await loadSnapshot(store, flow, runId, manifest)
  }
  return manifests.length
}

/** Every blob hash an entry refers to (its own blob when not inline, and its attachments). */
export const blobHashesOf = (entry: ArtifactEntry): ReadonlyArray<string> => [
  ...(entry.inline === undefined ? [entry.hash] : []),
  ...(entry.attachments ?? []).map((a) => a.hash)
]
