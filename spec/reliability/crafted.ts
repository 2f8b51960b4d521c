/**
 * Hostile store content, written through the Datastore port (so it holds for every adapter and whatever the
 * adapter's files look like): artifact entries whose bytes were never written by artiflow, and runs whose
 * manifests and metadata carry them, for the Client to open.
 */
import { sha256Hex } from "../../lib/codec/hash.js"
import type { ArtifactEntry, Datastore, RunMeta, TaskManifest } from "../../lib/datastore/Datastore.js"
import { flow, run, step } from "../../lib/index.js"

/** Where a crafted entry's bytes live: inline in the entry, or in a blob of their own. */
export type Placement = "inline" | "blob"

/** An entry whose bytes are `text`, with a matching hash and size: it passes every integrity check. */
export const craftedEntry = async (
  store: Datastore,
  text: string,
  encoding: string,
  type: string,
  placement: Placement
): Promise<ArtifactEntry> => {
  const bytes = Buffer.from(text, "utf8")
  const size = bytes.byteLength
  // The entry's encoding is hostile too: the stored format's type does not constrain what is on disk.
  const fields = { size, type, encoding: encoding as ArtifactEntry["encoding"] }
  if (placement === "inline") return { hash: sha256Hex(bytes), inline: text, ...fields }
  return { hash: (await store.writeBlob(bytes)).hash, ...fields }
}

/** A seroval tree document as `toJSON` writes it: the root node, the feature flags, the marked ids. */
export const tree = (root: unknown, marked: ReadonlyArray<number> = []): string =>
  JSON.stringify({ t: root, f: 127, m: marked })

const nullRecord = <T>(entries: ReadonlyArray<readonly [string, T]>): Record<string, T> => {
  const record = Object.create(null) as Record<string, T>
  for (const [key, value] of entries) record[key] = value
  return record
}

/** A real run's metadata and its one manifest, as templates for crafted runs. */
export interface Template {
  readonly meta: RunMeta
  readonly manifest: TaskManifest
}

/** Runs a one-step flow named `flowName` and reads back what it stored. */
export const template = async (store: Datastore, flowName: string): Promise<Template> => {
  const result = await run(flow(flowName).pipe(step("start", () => ({ x: 1 }))), { store, log: () => {} })
  const meta = await store.readRun(flowName, result.runId)
  const [manifest] = await store.readManifests(flowName, result.runId)
  if (meta === undefined || manifest === undefined) throw new Error("the template run was not stored")
  return { meta, manifest }
}

/**
 * Stores a run `runId` whose parameters and whose one task's artifacts are the given entries (names are
 * taken as they are: a crafted store may hold any name, "__proto__" included).
 */
export const craftRun = async (
  store: Datastore,
  { meta, manifest }: Template,
  runId: string,
  artifacts: ReadonlyArray<readonly [string, ArtifactEntry]>,
  params: ReadonlyArray<readonly [string, ArtifactEntry]> = []
): Promise<void> => {
  await store.createRun({ ...meta, runId, params: nullRecord(params) })
  const { base: _base, ...rest } = manifest
  await store.commitManifests(meta.flow, runId, [{ ...rest, artifacts: nullRecord(artifacts) }])
}
