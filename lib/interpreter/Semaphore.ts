/**
 * A counting semaphore: at most `limit` holders at once, waiters served in arrival order. Gates task
 * execution (the run's `maxWorkers`, a foreach's `concurrency`), never structural waiting, so a task
 * waiting for its children holds no slot and nothing can deadlock.
 */
export class Semaphore {
  private active = 0
  // A queue with a moving head: Array#shift moves every element once the array is large (a 100,000-item
  // foreach queues 100,000 waiters), which made releasing quadratic.
  private waiting: Array<() => void> = []
  private head = 0

  /** @param limit how many may hold the semaphore at once */
  constructor(readonly limit: number) {}

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
    const next = this.waiting[this.head]
    if (next === undefined) {
      this.active--
      return
    }
    this.head++
    if (this.head === this.waiting.length) {
      this.waiting = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      // Drop the served half now and then, so a long-lived queue does not keep every waiter it ever had.
      this.waiting = this.waiting.slice(this.head)
      this.head = 0
    }
    next()
  }
}
