import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { Client, flow, resume, run, step } from "../../lib/index.js"
import type { RunHandle, RunsOptions, RunStatus, RunSummary } from "../../lib/index.js"

const Train = pipe(
  flow("Train"),
  step("start", () => ({ best: 1 }))
)

describe("tags on run and resume", () => {
  test("tags are an array of strings", () => {
    void run(Train, { tags: ["nightly"] })
    void run(Train, { tags: [] })
    void resume(Train, { tags: ["rerun"], from: "start" })
    const given: ReadonlyArray<string> = ["a"]
    void run(Train, { tags: given })
    // @ts-expect-error: tags is an array, not a single string
    void run(Train, { tags: "nightly" })
    // @ts-expect-error: a tag is a string
    void run(Train, { tags: [1] })
    // @ts-expect-error: resume's tags are an array too
    void resume(Train, { tags: "rerun" })
  })
})

describe("client.runs", () => {
  test("items have the names of a run handle: id and tags, no runId", async () => {
    const runs = await Client.open().runs("Train")
    expectTypeOf(runs).toEqualTypeOf<ReadonlyArray<RunSummary>>()
    expectTypeOf<RunSummary>().toEqualTypeOf<{
      readonly id: string
      readonly flow: string
      readonly status: "running" | "succeeded" | "failed"
      readonly startedAt: number
      readonly finishedAt: number | undefined
      readonly tags: ReadonlyArray<string>
    }>()
    expectTypeOf<RunSummary>().toHaveProperty("id")
    expectTypeOf<RunSummary>().toHaveProperty("tags")
    expectTypeOf<RunSummary>().not.toHaveProperty("runId")
    expectTypeOf<RunSummary["id"]>().toEqualTypeOf<RunHandle["id"]>()
    expectTypeOf<RunSummary["tags"]>().toEqualTypeOf<RunHandle["tags"]>()
  })

  test("takes a flow name or definition, and filters by tags, status and limit", () => {
    const client = Client.open()
    void client.runs(Train, { tags: ["nightly", "good"], status: "succeeded", limit: 5 })
    void client.runs("Train", {})
    expectTypeOf<RunsOptions["status"]>().toEqualTypeOf<RunStatus | undefined>()
    // @ts-expect-error: 'done' is not a run status
    void client.runs("Train", { status: "done" })
    // @ts-expect-error: tags is an array of strings
    void client.runs("Train", { tags: "nightly" })
    // @ts-expect-error: limit is a number
    void client.runs("Train", { limit: "5" })
  })
})

describe("a run handle's tags", () => {
  test("tags is read-only; addTags and removeTags take tags as arguments and resolve when stored", async () => {
    const handle = await Client.open().run(Train)
    expectTypeOf(handle.tags).toEqualTypeOf<ReadonlyArray<string>>()
    expectTypeOf(handle.addTags("good", "reviewed")).toEqualTypeOf<Promise<void>>()
    expectTypeOf(handle.removeTags("good")).toEqualTypeOf<Promise<void>>()
    expectTypeOf(handle.host).toEqualTypeOf<string | undefined>()
    void handle.addTags(...["a", "b"])
    // @ts-expect-error: tags are given one per argument (spread an array: addTags(...list))
    void handle.addTags(["a", "b"])
    // @ts-expect-error: a tag is a string
    void handle.removeTags(1)
    // @ts-expect-error: tags change through addTags and removeTags, not by assignment
    handle.tags = ["x"]
  })
})
