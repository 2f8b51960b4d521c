/**
 * The step cache index, as stored: one entry per computed task of a cached step (DESIGN.md §9). An entry holds
 * everything a hit needs, the output entries themselves (hashes, small inline values) included, so that a hit
 * never reads the computing run's manifests, and a garbage collector can see every blob an entry keeps alive
 * ({@link cacheEntryBlobs}). Entries are plain JSON, versioned by {@link CACHE_FORMAT}, and stored in packs:
 * the entries of one key that one run recorded together, one document per pack (a run of a 10,000-item
 * foreach writes one document, and a rerun reads one per run that filled the key).
 */
import { randomBytes } from "node:crypto"
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
  /**
   * The task id, when the function read `ctx.index`, `ctx.taskId`, `ctx.foreachStack`, `ctx.iteration` or
   * `ctx.loopStack`: a hit needs the same position.
   */
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
 * computes one id per shape of the key's entries from the current record, and finds the entry by id.
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

/** A shape's identity: its canonical JSON. */
export const shapeId = (shape: CacheShape): string => JSON.stringify([shape.names, shape.positional])

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

/** Serializes a pack of entries of one key for storage, after checking their key and ids. */
export const encodeCachePack = (key: string, entries: ReadonlyArray<CacheEntry>): string => {
  assertCacheKey("key", key)
  for (const entry of entries) {
    if (entry.key !== key) throw new StorageError(`artiflow: a step cache pack of key ${key} holds an entry of key ${entry.key}`)
    assertCacheKey("id", entry.id)
  }
  return JSON.stringify({ format: CACHE_FORMAT, key, entries })
}

/** Groups entries by key, in first-seen order: a batch of puts becomes one pack per key. */
export const byKey = (entries: ReadonlyArray<CacheEntry>): ReadonlyMap<string, ReadonlyArray<CacheEntry>> => {
  const groups = new Map<string, Array<CacheEntry>>()
  for (const entry of entries) {
    assertCacheKey("key", entry.key)
    const group = groups.get(entry.key)
    if (group === undefined) groups.set(entry.key, [entry])
    else group.push(entry)
  }
  return groups
}

/** A pack's name: sortable by time, unique across writers (`<ms, 15 digits>-<32 hex>`). */
export const packName = (): string => `${String(Date.now()).padStart(15, "0")}-${randomBytes(16).toString("hex")}`

/** Whether `name` is a pack's name. */
export const isPackName = (name: string): boolean => /^\d{15}-[0-9a-f]{32}$/.test(name)

/** Of entries with one id, the newest (then the one later in `entries`): what a read returns. */
export const newestById = (entries: Iterable<CacheEntry>): Array<CacheEntry> => {
  const byId = new Map<string, CacheEntry>()
  for (const entry of entries) {
    const known = byId.get(entry.id)
    if (known === undefined || entry.createdAt >= known.createdAt) byId.set(entry.id, entry)
  }
  return [...byId.values()]
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isStringList = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((item) => typeof item === "string")

const isStringRecord = (value: unknown): boolean =>
  isRecord(value) && Object.values(value).every((item) => typeof item === "string")

/**
 * Checks an entry parsed from storage (null-prototype objects: names are hostile) and returns it; `where` names
 * it in messages; `place`, where it was stored, must be its own key and id. An entry of a newer format is a
 * StorageError (upgrade), a damaged one an IntegrityError.
 */
export const checkCacheEntry = (parsed: unknown, where: string, place?: { readonly key: string; readonly id: string }): CacheEntry => {
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


/**
 * Parses a stored pack of `key` and checks every entry (see {@link decodeCacheEntry}); `where` names it in
 * messages.
 */
export const decodeCachePack = (text: string, where: string, key: string): ReadonlyArray<CacheEntry> => {
  let parsed: unknown
  try {
    parsed = parseStoredJson(text)
  } catch (error) {
    throw new IntegrityError(`artiflow: step cache pack ${where} is not valid JSON (${(error as Error).message})`)
  }
  if (isRecord(parsed) && typeof parsed.format === "number" && parsed.format > CACHE_FORMAT) {
    throw new StorageError(
      `artiflow: step cache pack ${where} has format ${parsed.format}, newer than this artiflow reads (${CACHE_FORMAT}): upgrade artiflow`
    )
  }
  if (!isRecord(parsed) || parsed.key !== key || !Array.isArray(parsed.entries)) {
    throw new IntegrityError(`artiflow: step cache pack ${where} is not a step cache pack of key ${key}`)
  }
  const entries = parsed.entries as ReadonlyArray<unknown>
  return entries.map((entry, i) => {
    const checked = checkCacheEntry(entry, `${i + 1} of ${where}`)
    if (checked.key !== key) throw new IntegrityError(`artiflow: step cache pack ${where} holds an entry of another key`)
    return checked
  })
}

/**
 * What deleting entries does to one stored pack: nothing (none of its entries go), delete it (all go), or
 * replace it with a pack of the entries that stay (some go). `deleted` counts the entries that go.
 */
export type PackPruning =
  | { readonly action: "keep"; readonly deleted: 0 }
  | { readonly action: "delete"; readonly deleted: number }
  | { readonly action: "rewrite"; readonly deleted: number; readonly text: string }

/**
 * Decides what becomes of a pack of `key` when the entries `doomed` accepts are deleted. A pack is never
 * edited in place: one that keeps some entries is replaced by a new pack holding them, written whole (as a
 * put writes it) before the old one goes, so every entry that stays is readable at every moment.
 */
export const prunePack = (key: string, entries: ReadonlyArray<CacheEntry>, doomed: (entry: CacheEntry) => boolean): PackPruning => {
  const staying = entries.filter((entry) => !doomed(entry))
  const deleted = entries.length - staying.length
  if (deleted === 0) return { action: "keep", deleted: 0 }
  if (staying.length === 0) return { action: "delete", deleted }
  return { action: "rewrite", deleted, text: encodeCachePack(key, staying) }
}
