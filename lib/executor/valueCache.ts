/**
 * Values a worker loaded, kept for the next attempts: the tasks of a foreach share their base (the array they
 * iterate, the artifacts before it), so a worker loads each once instead of once per task. Keyed by content
 * (hash, encoding, type), bounded by the encoded size of what it holds; the least recently used go first.
 */
import type { ArtifactEntry } from "../datastore/Manifest.js"

/** Values up to this many encoded bytes in all are kept (larger ones are loaded for each attempt that reads them). */
const DEFAULT_BUDGET = 256 * 1024 * 1024

const keyOf = (entry: ArtifactEntry): string => `${entry.hash}\u0000${entry.encoding}\u0000${entry.type}`

export class ValueCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly values = new Map<string, { readonly value: unknown; readonly size: number }>()
  private held = 0

  constructor(private readonly budget = DEFAULT_BUDGET) {}

  /** The value of `entry`, loading it with `load` when it is not kept. */
  get(entry: ArtifactEntry, load: () => unknown): unknown {
    const key = keyOf(entry)
    const known = this.values.get(key)
    if (known !== undefined) {
      this.values.delete(key)
      this.values.set(key, known)
      return known.value
    }
    const value = load()
    const size = Number.isSafeInteger(entry.size) && entry.size > 0 ? entry.size : 0
    if (size <= this.budget / 4) {
      this.values.set(key, { value, size })
      this.held += size
      this.evict()
    }
    return value
  }

  private evict(): void {
    for (const [key, { size }] of this.values) {
      if (this.held <= this.budget) return
      this.values.delete(key)
      this.held -= size
    }
  }
}
