import { describe, expect, test, vi } from "vitest"
import { GroupCommit } from "../../lib/datastore/groupCommit.js"

/** A flush that records its batches and completes only when released. */
const gatedFlush = () => {
  const batches: Array<ReadonlyArray<number>> = []
  const releases: Array<(error?: Error) => void> = []
  const flush = (_key: string, items: ReadonlyArray<number>): Promise<void> => {
    batches.push([...items])
    return new Promise((resolve, reject) => releases.push((error) => (error ? reject(error) : resolve())))
  }
  const released = async (error?: Error): Promise<void> => {
    while (releases.length === 0) await new Promise((done) => setImmediate(done))
    releases.shift()?.(error)
  }
  return { batches, flush, released }
}

describe("group commit", () => {
  test("calls made together become one batch, in submission order", async () => {
    const { batches, flush, released } = gatedFlush()
    const commits = new GroupCommit(flush)
    const calls = Array.from({ length: 50 }, (_, i) => commits.submit("run", [2 * i, 2 * i + 1]))
    await released()
    await Promise.all(calls)
    expect(batches).toEqual([Array.from({ length: 100 }, (_, i) => i)])
  })

  test("callers resolve only after their batch is written", async () => {
    const { flush, released } = gatedFlush()
    const commits = new GroupCommit(flush)
    let done = false
    const call = commits.submit("run", [1]).then(() => (done = true))
    await new Promise((wait) => setTimeout(wait, 20))
    expect(done).toBe(false)
    await released()
    await call
    expect(done).toBe(true)
  })

  test("calls arriving during a flush form the next batch", async () => {
    const { batches, flush, released } = gatedFlush()
    const commits = new GroupCommit(flush)
    const first = commits.submit("run", [1])
    while (batches.length === 0) await new Promise((done) => setImmediate(done))
    const later = [commits.submit("run", [2]), commits.submit("run", [3])]
    await released()
    await released()
    await Promise.all([first, ...later])
    expect(batches).toEqual([[1], [2, 3]])
  })

  test("a failed flush rejects exactly the callers of that batch", async () => {
    const { batches, flush, released } = gatedFlush()
    const commits = new GroupCommit(flush)
    const failing = [commits.submit("run", [1]), commits.submit("run", [2])]
    while (batches.length === 0) await new Promise((done) => setImmediate(done))
    const next = commits.submit("run", [3])
    await released(new Error("disk full"))
    await released()
    await expect(failing[0]).rejects.toThrow("disk full")
    await expect(failing[1]).rejects.toThrow("disk full")
    await expect(next).resolves.toBeUndefined()
  })

  test("different keys are flushed separately", async () => {
    const { batches, flush, released } = gatedFlush()
    const commits = new GroupCommit(flush)
    const calls = [commits.submit("a", [1]), commits.submit("b", [2]), commits.submit("a", [3])]
    await released()
    await released()
    await Promise.all(calls)
    expect(batches.sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0))).toEqual([[1, 3], [2]])
  })

  test("commits still complete while a test has fake timers installed", async () => {
    vi.useFakeTimers()
    try {
      const batches: Array<ReadonlyArray<number>> = []
      const commits = new GroupCommit<number>(async (_key, items) => void batches.push([...items]))
      await Promise.all([commits.submit("run", [1]), commits.submit("run", [2])])
      expect(batches).toEqual([[1, 2]])
    } finally {
      vi.useRealTimers()
    }
  })
})
