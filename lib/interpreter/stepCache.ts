/**
 * The step cache at run time (DESIGN.md §9, docs/caching.md). The scheduler asks it before running a task of a
 * cached step, and tells it about every attempt that succeeded (not a caught one). The key is the flow, the
 * step and the code version (sha256 of the function's source and the `version` option); an entry matches when
 * every artifact its task read has the same hash in the current record and, in a foreach, the elements are the
 * same (by hash), and the position too when the function looked at it (`ctx.index`, `ctx.taskId`,
 * `ctx.foreachStack`). The index lives in the run's datastore (CacheEntry.ts), so every executor and every
 * store shares it.
 */
import { contentHash } from "../codec/encode.js"
import { sha256Hex } from "../codec/hash.js"
import { CACHE_FORMAT, cacheEntryId } from "../datastore/CacheEntry.js"
import type { CacheEntry, CacheShape } from "../datastore/CacheEntry.js"
import { shapeId, shapeOf } from "../datastore/CacheEntry.js"
import type { Datastore } from "../datastore/Datastore.js"
import type { StepNode } from "../dsl/ast.js"
import type { AttemptSucceeded } from "../executor/Executor.js"
import type { CacheMode } from "../dsl/cacheMode.js"
import type { Position } from "./Position.js"
import { taskIdOf } from "./Position.js"
import { readTrackingOn } from "./reads.js"
import type { Snapshot } from "./Snapshot.js"

export type { CacheMode }

/** A step's code version: sha256 of its function's source and the `version` option. */
const codeVersionOf = (node: StepNode): string => {
  const option = node.options.cache
  const given = typeof option === "object" ? (option.version ?? "") : ""
  return sha256Hex(`${node.fn.toString()}\u0000${given}`)
}

/** Whether a step is cached at all (its `cache` option). */
export const isCached = (node: StepNode): boolean => node.options.cache !== undefined && node.options.cache !== false

/** What a lookup or a record needs to know about one task. */
export interface CacheTask {
  readonly node: StepNode
  readonly position: Position
  readonly base: Snapshot
}

/** A key's entries as one run sees them: by shape, then by id. */
interface KeyIndex {
  readonly shapes: Map<string, CacheShape>
  readonly byId: Map<string, CacheEntry>
}

const indexOf = (entries: ReadonlyArray<CacheEntry>): KeyIndex => {
  const index: KeyIndex = { shapes: new Map(), byId: new Map() }
  for (const entry of entries) addTo(index, entry)
  return index
}

const addTo = (index: KeyIndex, entry: CacheEntry): void => {
  const shape = shapeOf(entry)
  index.shapes.set(shapeId(shape), shape)
  const known = index.byId.get(entry.id)
  if (known === undefined || entry.createdAt >= known.createdAt) index.byId.set(entry.id, entry)
}

/** Entries a run holds before writing them as one batch (a pack per key): bounds memory and what a crash loses. */
const FLUSH_EVERY = 2000

/**
 * The step cache of one run. A key's entries are read once, when a task of its step is first looked up, and
 * indexed in memory: a lookup is then a hash of the task's reads and a map lookup. What the run computes is
 * written in batches ({@link StepCache.flush}, at the latest when the run ends); tasks of this run that match
 * an entry it recorded earlier (equal foreach elements) are answered from it at once.
 */
export class StepCache {
  private readonly keys = new Map<string, Promise<KeyIndex>>()
  private readonly stepKeys = new Map<StepNode, string>()
  private pending: Array<CacheEntry> = []
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly store: Datastore,
    private readonly flow: string,
    readonly mode: CacheMode
  ) {}

  /** Whether this run looks entries up (mode "use", a store with a cache index, reads being tracked). */
  private get reading(): boolean {
    return this.mode === "use" && this.store.readCacheEntries !== undefined && readTrackingOn()
  }

  /** Whether this run records entries. */
  private get writing(): boolean {
    return this.mode !== "off" && this.store.putCacheEntries !== undefined && readTrackingOn()
  }

  /** A step's key, made once per run (each lookup and record of its tasks needs it). */
  private keyOf(node: StepNode): string {
    let key = this.stepKeys.get(node)
    if (key === undefined) {
      key = sha256Hex(JSON.stringify([this.flow, node.name, codeVersionOf(node)]))
      this.stepKeys.set(node, key)
    }
    return key
  }

  /** The hashes of the task's foreach elements, outermost first; undefined outside a foreach, null when one cannot be hashed. */
  private inputsOf(position: Position): ReadonlyArray<string> | undefined | null {
    if (position.frames.length === 0) return undefined
    const hashes: Array<string> = []
    for (const frame of position.frames) {
      const hash = contentHash(frame.input)
      if (hash._tag === "Left") return null
      hashes.push(hash.right)
    }
    return hashes
  }

  private indexFor(key: string): Promise<KeyIndex> {
    let index = this.keys.get(key)
    if (index === undefined) {
      index = (this.store.readCacheEntries?.(key) ?? Promise.resolve([])).then(indexOf)
      this.keys.set(key, index)
    }
    return index
  }

  /** The newest entry that matches the task, or undefined (a miss; always one in modes other than "use"). */
  async lookup(task: CacheTask): Promise<CacheEntry | undefined> {
    if (!this.reading || !isCached(task.node)) return undefined
    const inputs = this.inputsOf(task.position)
    if (inputs === null) return undefined
    const index = await this.indexFor(this.keyOf(task.node))
    let best: CacheEntry | undefined
    for (const shape of index.shapes.values()) {
      const reads: Record<string, string> = Object.create(null)
      const complete = shape.names.every((name) => {
        const entry = task.base.entries.get(name)
        if (entry !== undefined) reads[name] = entry.hash
        return entry !== undefined
      })
      if (!complete) continue
      const found = index.byId.get(cacheEntryId(reads, inputs, shape.positional ? taskIdOf(task.position) : undefined))
      if (found === undefined || found.flow !== this.flow || found.step !== task.node.name) continue
      if (best === undefined || found.createdAt > best.createdAt) best = found
    }
    return best
  }

  /**
   * Records a computed task (an attempt that succeeded on its own, not a caught failure): into this run's
   * index at once, into the store with the next batch.
   */
  async record(task: CacheTask, runId: string, outcome: AttemptSucceeded): Promise<void> {
    if (!this.writing || !isCached(task.node)) return
    const inputs = this.inputsOf(task.position)
    if (inputs === null) return
    const taskId = taskIdOf(task.position)
    const position = outcome.positional === true ? taskId : undefined
    const { reads, artifacts, removed, rewritten, written } = outcome
    const key = this.keyOf(task.node)
    const entry: CacheEntry = {
      format: CACHE_FORMAT,
      key,
      id: cacheEntryId(reads, inputs, position),
      flow: this.flow,
      step: task.node.name,
      reads,
      ...(inputs !== undefined && { inputs }),
      ...(position !== undefined && { position }),
      artifacts,
      ...(removed.length > 0 && { removed }),
      ...(rewritten.length > 0 && { rewritten }),
      written,
      cachedFrom: { runId, taskId },
      createdAt: Date.now()
    }
    if (this.reading) addTo(await this.indexFor(key), entry)
    this.pending.push(entry)
    if (this.pending.length >= FLUSH_EVERY) await this.flush()
  }

  /** Writes the entries recorded since the last flush, as one batch; the run calls it before it ends. */
  flush(): Promise<void> {
    const batch = this.pending
    this.pending = []
    // One batch at a time: a run's packs are written in the order it recorded them.
    const next = this.flushing.then(() => (batch.length === 0 ? undefined : this.store.putCacheEntries?.(batch)))
    this.flushing = next.catch(() => undefined)
    return next
  }
}
