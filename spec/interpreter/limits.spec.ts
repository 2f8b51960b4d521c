/** Resource limits (issue 5 §8): work too large for the run fails with a clear error before anything is stored. */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { Client } from "../../lib/client/index.js"
import { FlowDefinitionError, ResourceLimitError } from "../../lib/errors.js"
import { flow, foreach, join, memoryStore, run, step } from "../../lib/index.js"
import { quiet } from "../stores.js"
import { runFailure } from "./failure.js"

const Wide = (items: number) =>
  pipe(
    flow("Wide"),
    step("start", () => ({ items: Array.from({ length: items }, (_, i) => i) })),
    foreach("items", step("work", (_a, ctx) => ({ double: ctx.input * 2 }))),
    join("end", (inputs) => ({ count: inputs.length }))
  )

describe("maxForeachItems", () => {
  test("a foreach wider than the limit fails before its first task, saying how to raise the limit", async () => {
    const store = memoryStore()
    const failure = await runFailure(run(Wide(1_001), { store, log: quiet, maxForeachItems: 1_000 }))
    expect(failure).toMatchObject({ step: "start", taskId: "0" })
    expect(failure.cause).toBeInstanceOf(ResourceLimitError)
    expect((failure.cause as Error).message).toBe(
      "artiflow: foreach over 'items' after step 'start' has 1,001 items, more than maxForeachItems (1,000); no task " +
        "was started. Each item is a task that keeps about 1 KB in memory until the join: raise the limit with " +
        "run(flow, { maxForeachItems: 1001 }) if the machine has the memory, or iterate over batches of items instead"
    )
    const stored = await Client.open(store).run("Wide", failure.runId)
    expect(stored.status).toBe("failed")
    expect(await stored.step("work").tasks()).toEqual([])
    expect(await (await stored.step("start").task("0")).artifact("items")).toHaveLength(1_001)
  })

  test("at the limit the foreach runs; the default limit is 100,000", async () => {
    const result = await run(Wide(1_000), { store: memoryStore(), log: quiet, maxForeachItems: 1_000 })
    expect(result.artifacts.count).toBe(1_000)
    const failure = await runFailure(run(Wide(100_001), { store: memoryStore(), log: quiet }))
    expect((failure.cause as Error).message).toMatch(/has 100,001 items, more than maxForeachItems \(100,000\)/)
  })

  test("the option itself is checked", async () => {
    await expect(run(Wide(1), { store: memoryStore(), log: quiet, maxForeachItems: 0 })).rejects.toThrow(FlowDefinitionError)
    await expect(run(Wide(1), { store: memoryStore(), log: quiet, maxForeachItems: 0 })).rejects.toThrow(/maxForeachItems/)
  })
})

describe("a record of 100,000 artifacts", () => {
  test("is stored in one manifest, passes through a later step for free, and reads back", async () => {
    const store = memoryStore()
    const names = Array.from({ length: 100_000 }, (_, i) => `a${i}`)
    const Many = pipe(
      flow("Many"),
      step("start", () => Object.fromEntries(names.map((name, i) => [name, i])) as { a0: number }),
      step("next", () => ({ z: 1 }))
    )
    const result = await run(Many, { store, log: quiet })
    expect(Object.keys(result.artifacts)).toHaveLength(100_001)
    const next = await (await Client.open(store).run("Many", result.runId)).step("next").task("0")
    expect(await next.artifact("a99999")).toBe(99_999)
    expect(await next.artifactNames()).toHaveLength(100_001)
  })
})
