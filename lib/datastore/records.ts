/**
 * Reading and writing the stored records (run metadata, task manifests) as JSON text. Every adapter goes
 * through here, so all of them hand back the same thing: fresh objects with null prototypes (keys read from
 * storage are hostile: an artifact named "constructor" must not find `Object.prototype.constructor`).
 */
import { IntegrityError, StorageError } from "../errors.js"
import type { RunSummary } from "./Datastore.js"
import { STORE_FORMAT } from "./Manifest.js"
import type { RunMeta, TaskManifest } from "./Manifest.js"

const nullPrototype = (value: object): object => Object.assign(Object.create(null) as object, value)

/** JSON.parse whose objects all have null prototypes. Throws SyntaxError like JSON.parse. */
export const parseStoredJson = (text: string): unknown =>
  JSON.parse(text, (_key, value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? nullPrototype(value) : value
  )

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Serializes run metadata for storage. */
export const encodeRunMeta = (meta: RunMeta): string => JSON.stringify(meta)

/**
 * Parses stored run metadata, checking that it is the run asked for and not of a newer format. `where`
 * names the document in messages ("local store at /x: runs/Train/1/run.json").
 */
export const decodeRunMeta = (text: string, flow: string, runId: string, where: string): RunMeta => {
  let meta: unknown
  try {
    meta = parseStoredJson(text)
  } catch (error) {
    throw new IntegrityError(`artiflow: run metadata ${where} is not valid JSON (${(error as Error).message})`)
  }
  if (!isRecord(meta) || typeof meta.format !== "number" || meta.flow !== flow || meta.runId !== runId) {
    throw new IntegrityError(`artiflow: run metadata ${where} is not the metadata of run '${runId}' of flow '${flow}'`)
  }
  if (meta.format > STORE_FORMAT) {
    throw new StorageError(
      `artiflow: run metadata ${where} has store format ${meta.format}, newer than this artiflow reads (${STORE_FORMAT}): upgrade artiflow`
    )
  }
  return meta as unknown as RunMeta
}

/** Serializes a task manifest for storage (one line of JSON: the text holds no raw newline). */
export const encodeManifest = (manifest: TaskManifest): string => JSON.stringify(manifest)

/** Parses a stored task manifest; throws IntegrityError naming `where` when it is not one. */
export const decodeManifest = (text: string, where: string): TaskManifest => {
  let manifest: unknown
  try {
    manifest = parseStoredJson(text)
  } catch (error) {
    throw new IntegrityError(`artiflow: manifest ${where} is not valid JSON (${(error as Error).message})`)
  }
  const valid =
    isRecord(manifest) &&
    typeof manifest.step === "string" &&
    typeof manifest.taskId === "string" &&
    typeof manifest.attempt === "number" &&
    isRecord(manifest.artifacts)
  if (!valid) throw new IntegrityError(`artiflow: manifest ${where} is not a task manifest`)
  return manifest as unknown as TaskManifest
}

/** The listing form of a run. */
export const summarize = (meta: RunMeta): RunSummary => ({
  flow: meta.flow,
  runId: meta.runId,
  status: meta.status,
  startedAt: meta.startedAt,
  finishedAt: meta.finishedAt
})

/** Orders runs newest first: by `startedAt`, then by id, both descending. */
export const newestFirst = (a: RunSummary, b: RunSummary): number =>
  b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0)
