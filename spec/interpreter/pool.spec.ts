import { describe, expect, test } from "vitest"
import { settleInOrder } from "../../lib/interpreter/pool.js"
import { Semaphore } from "../../lib/interpreter/Semaphore.js"

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

describe("settleInOrder", () => {
  test("starts calls in index order, never more than `width` at once, and returns outcomes in index order", async () => {
    const started: Array<number> = []
    let inFlight = 0
    let peak = 0
    const settled = await settleInOrder(50, 4, async (index) => {
      started.push(index)
      peak = Math.max(peak, ++inFlight)
      for (let i = 0; i < (index * 7) % 5; i++) await tick()
      inFlight--
      return index * 2
    })
    expect(started).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(peak).toBe(4)
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : undefined))).toEqual(started.map((i) => i * 2))
  })

  test("a failure does not stop the other calls; every outcome is reported", async () => {
    const settled = await settleInOrder(5, 2, async (index) => {
      if (index === 1) throw new Error("boom")
      return index
    })
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"])
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error("boom"))
  })

  test("zero calls settle at once", async () => {
    expect(await settleInOrder(0, 8, async () => 1)).toEqual([])
  })
})

describe("Semaphore", () => {
  test("serves 10,000 waiters in arrival order with at most `limit` holders", async () => {
    const semaphore = new Semaphore(3)
    const order: Array<number> = []
    let holders = 0
    let peak = 0
    await Promise.all(
      Array.from({ length: 10_000 }, (_, i) =>
        semaphore.with(async () => {
          peak = Math.max(peak, ++holders)
          order.push(i)
          await Promise.resolve()
          holders--
        })
      )
    )
    expect(peak).toBe(3)
    expect(order).toEqual(Array.from({ length: 10_000 }, (_, i) => i))
  })
})
