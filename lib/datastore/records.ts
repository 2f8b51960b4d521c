/**
 * Reading and writing the stored records (run metadata, task manifests) as JSON text. Every adapter goes
 * through here, so all of them hand back the same thing: fresh objects whose maps keyed by stored names have
 * null prototypes (keys read from storage are hostile: an artifact named "constructor" must not find
 * `Object.prototype.constructor`). JSON.parse itself never changes a prototype: "__proto__" in the text
 * becomes an own data property.
 */
import { IntegrityError, StorageError } from "../errors.js"
import type { ManifestRecord, RunSummary, TagChange } from "./Datastore.js"
import { STORE_FORMAT } from "./Manifest.js"
import type { RunMeta, TaskManifest } from "./Manifest.js"
import { applyTagChanges } from "./tagChanges.js"

/**
 * A copy of parsed JSON whose objects have null prototypes. A walk after JSON.parse, not a reviver: a reviver
 * is called for every value, primitives included, which made opening a run of 10,000 tasks 2.5x slower.
 * Object.keys, not for-in: for-in would also copy enumerable properties someone added to Object.prototype.
 */
const withNullPrototypes = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = withNullPrototypes(value[i])
    return value
  }
  const copy = Object.create(null) as Record<string, unknown>
  // An own "__proto__" key from the JSON text stays an own data property: `copy` has no __proto__ setter.
  for (const key of Object.keys(value)) copy[key] = withNullPrototypes((value as Record<string, unknown>)[key])
  return copy
}

/** JSON.parse whose objects all have null prototypes. Throws SyntaxError like JSON.parse. */
export const parseStoredJson = (text: string): unknown => withNullPrototypes(JSON.parse(text))

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Serializes run metadata for storage. */
export const encodeRunMeta = (meta: RunMeta): string => JSON.stringify(meta)

/**
 * Parses stored run metadata, checking that it is the run asked for and not of a newer format, with the
 * run's tag changes (oldest first) applied to its tags. `where` names the document in messages ("local store
 * at /x: runs/Train/1/run.json"). Metadata stored before tags existed has none: it reads as `tags: []`.
 */
export const decodeRunMeta = (
  text: string,
  flow: string,
  runId: string,
  where: string,
  tagChanges: ReadonlyArray<TagChange> = []
): RunMeta => {
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
  const tags = meta.tags ?? []
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string")) {
    throw new IntegrityError(`artiflow: run metadata ${where} has tags that are not a list of strings`)
  }
  // `meta` is a fresh object of our own, with a null prototype (which a spread would lose): set the tags on it.
  const decoded = meta as Record<string, unknown>
  decoded.tags = applyTagChanges(tags as ReadonlyArray<string>, tagChanges)
  return decoded as unknown as RunMeta
}

/** Serializes a task manifest for storage (one line of JSON: the text holds no raw newline). */
export const encodeManifest = (manifest: TaskManifest): string => JSON.stringify(manifest)

/** A shallow copy of `value` with a null prototype (`value` comes from JSON.parse: only own data properties). */
const shallowNullPrototype = (value: object): Record<string, unknown> =>
  Object.assign(Object.create(null) as Record<string, unknown>, value)

/**
 * Parses a stored task manifest; throws IntegrityError naming `where` when it is not one. Only the manifest
 * and its artifact map get null prototypes (their keys are looked up by stored names); the entries inside
 * have fixed field names. A run of 10,000 tasks parses 10,000 manifests when a client opens it, and a
 * walk over every nested object cost a third of that.
 */
export const decodeManifest = (text: string, where: string): TaskManifest => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new IntegrityError(`artiflow: manifest ${where} is not valid JSON (${(error as Error).message})`)
  }
  if (!isRecord(parsed)) throw new IntegrityError(`artiflow: manifest ${where} is not a task manifest`)
  const manifest = shallowNullPrototype(parsed)
  const valid =
    typeof manifest.step === "string" &&
    typeof manifest.taskId === "string" &&
    typeof manifest.attempt === "number" &&
    isRecord(manifest.artifacts)
  if (!valid) throw new IntegrityError(`artiflow: manifest ${where} is not a task manifest`)
  manifest.artifacts = shallowNullPrototype(manifest.artifacts as object)
  return manifest as unknown as TaskManifest
}

/** A record over a manifest that is already decoded. */
export const decodedRecord = (manifest: TaskManifest): ManifestRecord => ({
  step: manifest.step,
  taskId: manifest.taskId,
  attempt: manifest.attempt,
  manifest: () => manifest
})

/**
 * How {@link encodeManifest} starts every manifest: step, task id and attempt, in this order (manifests are
 * built with these keys first). Strings are JSON strings, so escapes are allowed and decoded by JSON.parse.
 */
const HEADER = /^\{"step":("(?:[^"\\]|\\.)*"),"taskId":("(?:[^"\\]|\\.)*"),"attempt":(0|[1-9]\d{0,8}),/

/** A JSON string literal's value: most have no escapes, and slicing off the quotes is what JSON.parse would do. */
const jsonString = (literal: string): string =>
  literal.includes("\\") ? (JSON.parse(literal) as string) : literal.slice(1, -1)

/** How messages name a record: `where` itself, or the `index`th record (from 0) of the log `where` names. */
const recordName = (where: string, index: number | undefined): string =>
  index === undefined ? where : `record ${index + 1} of ${where}`

/** A record whose body is decoded on first use; a class, not a closure: a run of 10,000 tasks makes 10,000. */
class LazyRecord implements ManifestRecord {
  private decoded: TaskManifest | undefined

  constructor(
    readonly step: string,
    readonly taskId: string,
    readonly attempt: number,
    private readonly text: string,
    private readonly where: string,
    private readonly index: number | undefined
  ) {}

  manifest(): TaskManifest {
    if (this.decoded !== undefined) return this.decoded
    const where = recordName(this.where, this.index)
    const manifest = decodeManifest(this.text, where)
    if (manifest.step !== this.step || manifest.taskId !== this.taskId || manifest.attempt !== this.attempt) {
      throw new IntegrityError(`artiflow: manifest ${where} does not match its own header`)
    }
    this.decoded = manifest
    return manifest
  }
}

/**
 * {@link HEADER} for a header without escapes (names never need any) and with a one-digit attempt: the values
 * are the groups as they are. Measured in a fresh process over 10,000 records, one match of this expression
 * costs less than the alternation HEADER needs for escapes, and less than a dozen indexOf/startsWith calls
 * (each call from code not yet compiled costs more than the matching).
 */
const PLAIN_HEADER = /^\{"step":"([^"\\]*)","taskId":"([^"\\]*)","attempt":([0-9]),/

/**
 * A manifest record whose header is read from the start of `text` and whose body is decoded on first use.
 * Text that does not start like our manifests (another writer's key order) is decoded at once. The decoded
 * manifest must agree with the header: a mismatch is an IntegrityError, never a wrong answer. Messages name
 * the record `where`, or, given its `index` in a log, "record <index + 1> of <where>": made only when a
 * message needs it.
 */
export const lazyRecord = (text: string, where: string, index?: number): ManifestRecord => {
  const plain = PLAIN_HEADER.exec(text)
  if (plain !== null) {
    return new LazyRecord(plain[1] as string, plain[2] as string, (plain[3] as string).charCodeAt(0) - 0x30, text, where, index)
  }
  const header = HEADER.exec(text)
  if (header === null) return decodedRecord(decodeManifest(text, recordName(where, index)))
  return new LazyRecord(jsonString(header[1] as string), jsonString(header[2] as string), Number(header[3]), text, where, index)
}

/** The listing form of a run (as decoded: its tags with their changes applied). */
export const summarize = (meta: RunMeta): RunSummary => ({
  id: meta.runId,
  flow: meta.flow,
  status: meta.status,
  startedAt: meta.startedAt,
  finishedAt: meta.finishedAt,
  tags: meta.tags
})

/** Orders runs newest first: by `startedAt`, then by id, both descending. */
export const newestFirst = (a: RunMeta, b: RunMeta): number =>
  b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0)
