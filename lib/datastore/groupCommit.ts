/**
 * Group commit: when many tasks finish at once, their manifests for one run are appended together, in one
 * write, instead of one write (and one fsync) each. A call joins the batch being gathered for its key; the
 * batch is flushed on the next turn of the event loop, or as soon as the previous flush for that key ends.
 * Each caller is resolved only after the batch holding its items is written, or rejected if that write fails.
 */

/**
 * The real `setImmediate`, captured when this module loads: tests that install fake timers later must not
 * stall every commit.
 */
const nextTurn: (callback: () => void) => void = setImmediate.bind(globalThis)

interface Waiter {
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

interface Batch<Item> {
  readonly items: Array<Item>
  readonly waiters: Array<Waiter>
}

/** Writes one batch of items for one key; items keep the order in which they were submitted. */
export type FlushBatch<Item> = (key: string, items: ReadonlyArray<Item>) => Promise<void>

/** Batches items submitted under one key into single flushes (see the module comment). */
export class GroupCommit<Item> {
  private readonly gathering = new Map<string, Batch<Item>>()
  private readonly flushing = new Set<string>()

  constructor(private readonly flush: FlushBatch<Item>) {}

  /** Queues `items` under `key`; resolves once they are written. */
  submit(key: string, items: ReadonlyArray<Item>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const batch = this.batchFor(key)
      for (const item of items) batch.items.push(item)
      batch.waiters.push({ resolve, reject })
      if (!this.flushing.has(key)) {
        this.flushing.add(key)
        // Wait one turn so that everything finishing in this turn joins the first batch too.
        nextTurn(() => void this.drain(key))
      }
    })
  }

  private batchFor(key: string): Batch<Item> {
    let batch = this.gathering.get(key)
    if (batch === undefined) {
      batch = { items: [], waiters: [] }
      this.gathering.set(key, batch)
    }
    return batch
  }

  /** Flushes batches for `key` until no caller is waiting; callers arriving meanwhile form the next batch. */
  private async drain(key: string): Promise<void> {
    for (let batch = this.take(key); batch !== undefined; batch = this.take(key)) {
      try {
        await this.flush(key, batch.items)
        for (const waiter of batch.waiters) waiter.resolve()
      } catch (error) {
        for (const waiter of batch.waiters) waiter.reject(error)
      }
    }
    this.flushing.delete(key)
  }

  private take(key: string): Batch<Item> | undefined {
    const batch = this.gathering.get(key)
    this.gathering.delete(key)
    return batch
  }
}
