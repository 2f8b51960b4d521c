/**
 * A counting semaphore: at most `limit` holders at once, waiters served in arrival order. Gates task
 * execution (the run's `maxWorkers`, a foreach's `concurrency`), never structural waiting, so a task
 * waiting for its children holds no slot and nothing can deadlock.
 */
export class Semaphore {
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor(private readonly limit: number) {}

  /** Runs `work` once a slot is free, and frees the slot when it settles. */
  async with<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      return await work()
    } finally {
      this.release()
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next !== undefined) next()
    else this.active--
  }
}
