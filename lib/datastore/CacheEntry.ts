/**
 * The step cache index, as stored: one entry per computed task of a cached step (DESIGN.md §9). An entry holds
 * everything a hit needs, the output entries themselves (hashes, small inline values) included, so that a hit
 * never reads the computing run's manifests, and a garbage collector can see every blob an entry keeps alive
 * ({@link cacheEntryBlobs}). Entries are plain JSON, versioned by {@link CACHE_FORMAT}.
 */
import { isSha256Hex, sha256Hex } from "../codec/hash.js"
import { IntegrityError, StorageError } from "../errors.js"
import type { ArtifactEntry, CachedFrom } from "./Manifest.js"
import { parseStoredJson } from "./records.js"

/** Version of the stored cache entry format; readers refuse entries of a newer format. */
export const CACHE_FORMAT = 1

/** One computed task of a cached step: what it matched on, and the outputs a hit reuses. */
export interface CacheEntry {
  readonly format: number
  /**
   * The cache key, sha256 (hex) of the flow's name, the step's name and its code version (sha256 of the
   * function's source and the `version` option). Entries of one key are the candidates of one lookup.
   */
  readonly key: string
  /**
   * sha256 (hex) of what the entry matches on (`reads`, `inputs`, `position`): two tasks that would match
   * the same records share an id, and the newer entry replaces the older.
   */
  readonly id: string
  readonly flow: string
  readonly step: string
  /** Every artifact the task's function read, name -> hash: a hit needs each with the same hash now. */
  readonly reads: Readonly<Record<string, string>>
  /** Foreach body tasks: the hash of each frame's element (`ctx.input`), outermost first. */
  readonly inputs?: ReadonlyArray<string>
  /** The task id, when the function read `ctx.index` or `ctx.foreachStack`: a hit needs the same position. */
  readonly position?: string
  /** The outputs, as the task's manifest had them (a delta over its record). */
  readonly artifacts: Readonly<Record<string, ArtifactEntry>>
  readonly removed?: ReadonlyArray<string>
  readonly rewritten?: ReadonlyArray<string>
  /** Everything the task wrote (for the merge rules of the joins around it). */
  readonly written: ReadonlyArray<string>
  /** The run and task whose function computed the outputs. */
  readonly cachedFrom: CachedFrom
  /** Epoch milliseconds: among matching entries, the newest wins. */
  readonly createdAt: number
}

/**
 * What a lookup must know to compute the id of the entries it could match: the names their tasks read, and
 * whether they depend on the task's position. The tasks of one step usually share one shape, so a lookup
 * reads the key's few shapes, computes one id per shape from the current record, and reads those entries
 * only: never every entry of a 100,000-task step.
 */
export interface CacheShape {
  /** The artifact names read, sorted. */
  readonly names: ReadonlyArray<string>
  /** Whether entries of this shape are positional (`CacheEntry.position` set). */
  readonly positional: boolean
}

/** The shape of an entry. */
export const shapeOf = (entry: Pick<CacheEntry, "reads" | "position">): CacheShape => ({
  names: Object.keys(entry.reads).sort(),
  positional: entry.position !== undefined
})

/** A shape's identity: sha256 of its canonical JSON (a file or object name). */
export const shapeId = (shape: CacheShape): string => sha256Hex(JSON.stringify([shape.names, shape.positional]))

/** Serializes a shape for storage. */
export const encodeCacheShape = (shape: CacheShape): string => JSON.stringify({ names: shape.names, positional: shape.positional })

/** Parses a stored shape; `where` names it in messages. */
export const decodeCacheShape = (text: string, where: string): CacheShape => {
  let parsed: unknown
  try {
    parsed = parseStoredJson(text)
  } catch (error) {
    throw new IntegrityError(`artiflow: step cache shape ${where} is not valid JSON (${(error as Error).message})`)
  }
  if (!isRecord(parsed) || !isStringList(parsed.names) || typeof parsed.positional !== "boolean") {
    throw new IntegrityError(`artiflow: step cache shape ${where} is not a step cache shape`)
  }
  return { names: parsed.names, positional: parsed.positional }
}

/** The id of an entry: sha256 over what it matches on, in a fixed order. */
export const cacheEntryId = (
  reads: Readonly<Record<string, string>>,
  inputs: ReadonlyArray<string> | undefined,
  position: string | undefined
): string => {
  const pairs = Object.keys(reads)
    .sort()
    .map((name) => [name, reads[name]])
  return sha256Hex(JSON.stringify([pairs, inputs ?? null, position ?? null]))
}

/** Every blob an entry's outputs refer to (the blob of each non-inline value, and its attachments). */
export const cacheEntryBlobs = (entry: CacheEntry): ReadonlyArray<string> => {
  const hashes: Array<string> = []
  for (const name of Object.keys(entry.artifacts)) {
    const artifact = entry.artifacts[name] as ArtifactEntry
    if (artifact.stored !== undefined) hashes.push(artifact.stored.hash)
    else if (artifact.inline === undefined) hashes.push(artifact.hash)
    for (const attachment of artifact.attachments ?? []) hashes.push(attachment.hash)
  }
  return hashes
}

/** Rejects a key or id that is not a lower-case sha256 hex (they become path segments and object keys). */
export const assertCacheKey = (what: "key" | "id", value: string): void => {
  if (typeof value !== "string" || !isSha256Hex(value)) {
    throw new StorageError(`artiflow: a step cache ${what} must be a lower-case sha256 hex string, not ${JSON.stringify(value)}`)
  }
}

/** Serializes an entry for storage, after checking its key and id. */
export const encodeCacheEntry = (entry: CacheEntry): string => {
  assertCacheKey("key", entry.key)
  assertCacheKey("id", entry.id)
  return JSON.stringify(entry)
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isStringList = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((item) => typeof item === "string")

const isStringRecord = (value: unknown): boolean =>
  isRecord(value) && Object.values(value).every((item) => typeof item === "string")

/**
 * Parses a stored entry (null-prototype objects: names are hostile) and checks its shape; `where` names it in
 * messages; `place`, where it was stored, must be its own key and id. An entry of a newer format is a StorageError (upgrade), a damaged one an IntegrityError.
 */
export const decodeCacheEntry = (
  text: string,
  where: string,
  place?: { readonly key: string; readonly id: string }
): CacheEntry => {
  let parsed: unknown
  try {
    parsed = parseStoredJson(text)
  } catch (error) {
    throw new IntegrityError(`artiflow: step cache entry ${where} is not valid JSON (${(error as Error).message})`)
  }
  if (isRecord(parsed) && typeof parsed.format === "number" && parsed.format > CACHE_FORMAT) {
    throw new StorageError(
      `artiflow: step cache entry ${where} has format ${parsed.format}, newer than this artiflow reads (${CACHE_FORMAT}): upgrade artiflow`
    )
  }
  const valid =
    isRecord(parsed) &&
    typeof parsed.key === "string" &&
    isSha256Hex(parsed.key) &&
    typeof parsed.id === "string" &&
    isSha256Hex(parsed.id) &&
    typeof parsed.flow === "string" &&
    typeof parsed.step === "string" &&
    isStringRecord(parsed.reads) &&
    (parsed.inputs === undefined || isStringList(parsed.inputs)) &&
    (parsed.position === undefined || typeof parsed.position === "string") &&
    isRecord(parsed.artifacts) &&
    Object.values(parsed.artifacts).every((artifact) => isRecord(artifact) && typeof artifact.hash === "string") &&
    (parsed.removed === undefined || isStringList(parsed.removed)) &&
    (parsed.rewritten === undefined || isStringList(parsed.rewritten)) &&
    isStringList(parsed.written) &&
    isRecord(parsed.cachedFrom) &&
    typeof parsed.cachedFrom.runId === "string" &&
    typeof parsed.cachedFrom.taskId === "string" &&
    typeof parsed.createdAt === "number"
  if (!valid) throw new IntegrityError(`artiflow: step cache entry ${where} is not a step cache entry`)
  const entry = parsed as unknown as CacheEntry
  if (place !== undefined && (entry.key !== place.key || entry.id !== place.id)) {
    throw new IntegrityError(`artiflow: step cache entry ${where} is stored under another key or id than its own`)
  }
  return entry
}

