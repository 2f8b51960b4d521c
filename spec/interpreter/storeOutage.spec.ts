/**
 * A store that stops answering in the middle of a run (a network store whose server went down): the run still
 * rejects with the RunFailedError naming the task whose commit failed, even though the store can neither give
 * nor take the run's status, and `resume` completes the run once the store is back. Also: many tasks in flight
 * at once (an S3 store asks for 64) wait on the run's signal without Node warning of a listener leak.
 * spec/reliability/s3-outage.s3.spec.ts does the same against a real S3 server that is stopped.
 */
import { describe, expect, test } from "vitest"
import { StorageError } from "../../lib/errors.js"
import { Client, flow, foreach, join, memoryStore, resume, run, step } from "../../lib/index.js"
import type { Datastore, RunEvent } from "../../lib/index.js"
import { runFailure } from "./failure.js"
import { quiet } from "../stores.js"

/** `inner`, except that every call rejects with a StorageError while `down` is set. */
const unreliable = (inner: Datastore): { readonly store: Datastore; down: boolean } => {
  const state = { down: false }
  const store = new Proxy(inner, {
    get: (target, name, receiver) => {
      const value: unknown = Reflect.get(target, name, receiver)
      if (typeof value !== "function") return value
      return (...args: Array<unknown>) =>
        state.down
          ? Promise.reject(new StorageError(`artiflow: the store is down (${String(name)})`))
          : (value as (...a: Array<unknown>) => unknown).apply(target, args)
    }
  })
  return Object.assign(state, { store })
}

const ITEMS = 30
const BEFORE_OUTAGE = 12
let outage: Promise<void> = Promise.resolve()

const Wide = flow("Wide").pipe(
  step("start", () => ({ items: Array.from({ length: ITEMS }, (_, i) => i) })),
  foreach(
    "items",
    step("work", async (_a, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (ctx.input >= BEFORE_OUTAGE) await outage
      return { double: 2 * ctx.input }
    })
  ),
  join("gather", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.double, 0) }))
)

describe("a store that stops answering mid-run", () => {
  test("the run rejects with RunFailedError naming the failed commit; resume completes it once the store is back", async () => {
    const flaky = unreliable(memoryStore())
    let finished = 0
    let goDown = (): void => {}
    outage = new Promise((resolve) => (goDown = resolve))
    const onEvent = (event: RunEvent): void => {
      if (event.type !== "task-finished" || event.step !== "work" || ++finished !== BEFORE_OUTAGE) return
      flaky.down = true
      goDown()
    }
    const failure = await runFailure(run(Wide, { store: flaky.store, runId: "cut", onEvent, log: quiet }))
    expect(failure).toMatchObject({ flow: "Wide", runId: "cut", step: "work" })
    expect(failure.cause).toBeInstanceOf(StorageError)
    expect((failure.cause as StorageError).message).toBe("artiflow: the store is down (commitManifests)")
    expect(failure.message).toMatch(
      /failed in step 'work' \(task \d+\): artiflow: the store is down \(commitManifests\) \(the run's failed status could not be recorded: artiflow: the store is down \(readRun\)\)$/
    )

    flaky.down = false
    const origin = await Client.open(flaky.store).run("Wide", "cut")
    expect(origin.status).toBe("running")
    expect(await origin.step("work").tasks()).toHaveLength(BEFORE_OUTAGE)
    const resumed = await resume(Wide, { store: flaky.store, origin: "cut", runId: "whole", log: quiet })
    expect(resumed.artifacts.total).toBe(ITEMS * (ITEMS - 1))
    const tasks = await (await Client.open(flaky.store).run("Wide", "whole")).step("work").tasks()
    expect(tasks.filter((task) => task.originTaskId !== undefined)).toHaveLength(BEFORE_OUTAGE)
  })

  test("64 tasks in flight wait on the run's signal without a MaxListenersExceededWarning", async () => {
    const warnings: Array<string> = []
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`)
    }
    process.on("warning", onWarning)
    try {
      outage = Promise.resolve()
      const result = await run(Wide, { store: memoryStore(), maxWorkers: 64, log: quiet })
      expect(result.artifacts.total).toBe(ITEMS * (ITEMS - 1))
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off("warning", onWarning)
    }
    expect(warnings).toEqual([])
  })
})
