/**
 * Lineage: which artifacts a step or join function read. The record handed to the function is a Proxy over
 * the frozen record (plain or lazy) whose traps note the top-level names touched: a property get (`a.x`,
 * destructuring, nested access `a.x.y` touches `x`), `in`, and listing the keys (spread, `Object.keys`,
 * `JSON.stringify(a)`, `for...in`) which touches every artifact, since the result depends on all of them.
 * A read costs a comparison or a Set insertion (tens of nanoseconds). Names that are not artifacts (`then`, `toJSON`,
 * symbols) are dropped when the reads are turned into name -> hash with the record's entries.
 *
 * Recording stops when the function has returned (or its promise settled): artiflow's own look at a returned
 * record (a step that returns `a` itself) is not a read of the step.
 */
import type { ArtifactEntry } from "../datastore/Manifest.js"

/** Artifacts read, by name -> hash (of the encoded value, as in the entry). Null prototype. */
export type ReadHashes = Readonly<Record<string, string>>

/** What one join input (a split branch by name, a foreach task by index) had read from it. */
export interface InputReads {
  /** The branch name, or the foreach task's index as a string. */
  readonly input: string
  readonly reads: ReadHashes
}

/** An empty set of reads (shared, frozen). */
export const NO_READS: ReadHashes = Object.freeze(Object.create(null) as Record<string, string>)

let tracking = true

/**
 * Turns read tracking off (or back on) process-wide. Internal: the benchmark measures the cost of tracking
 * side by side with none; runs with tracking off record no reads, and their cached steps match nothing.
 */
export const setReadTracking = (on: boolean): void => {
  tracking = on
}

/** Whether reads are being tracked (see {@link setReadTracking}). */
export const readTrackingOn = (): boolean => tracking

/**
 * The names touched through one record, while its function runs. Most functions read one or two names: the
 * first is kept in a field, a Set is made only for more (a 10,000-task foreach makes 10,000 logs).
 */
export class ReadLog {
  private first: string | undefined
  private more: Set<string> | undefined
  private open = true

  /** @internal */
  note(name: string): void {
    if (!this.open || name === this.first) return
    if (this.first === undefined) this.first = name
    else (this.more ??= new Set()).add(name)
  }

  /** Stops recording: what the function did is done. */
  close(): void {
    this.open = false
  }

  /**
   * The names read that are artifacts (`entryOf` finds their entry), with their hashes, sorted by name, as a
   * null-prototype record.
   */
  hashes(entryOf: (name: string) => ArtifactEntry | undefined): ReadHashes {
    if (this.first === undefined) return NO_READS
    const names = this.more === undefined ? [this.first] : [this.first, ...this.more].sort()
    const out: Record<string, string> = Object.create(null)
    for (const name of names) {
      const entry = entryOf(name)
      if (entry !== undefined) out[name] = entry.hash
    }
    return out
  }

  /** How many names were read. */
  get size(): number {
    return this.first === undefined ? 0 : 1 + (this.more?.size ?? 0)
  }
}

/** The traps of a tracked record: one object per record, its methods shared on the prototype. */
class Tracker implements ProxyHandler<object> {
  constructor(private readonly log: ReadLog) {}

  get(target: object, key: string | symbol): unknown {
    if (typeof key === "string") this.log.note(key)
    return Reflect.get(target, key)
  }

  has(target: object, key: string | symbol): boolean {
    if (typeof key === "string") this.log.note(key)
    return Reflect.has(target, key)
  }

  ownKeys(target: object): Array<string | symbol> {
    const keys = Reflect.ownKeys(target)
    for (const key of keys) if (typeof key === "string") this.log.note(key)
    return keys
  }

  getOwnPropertyDescriptor(target: object, key: string | symbol): PropertyDescriptor | undefined {
    if (typeof key === "string") this.log.note(key)
    return Reflect.getOwnPropertyDescriptor(target, key)
  }
}

/** A view of `record` that notes in `log` the artifacts read through it. Same values, same keys, same freeze. */
export const tracked = <T extends object>(record: T, log: ReadLog): T =>
  tracking ? (new Proxy(record, new Tracker(log)) as T) : record

