/**
 * Run tags end to end against both stores (DESIGN.md §5 and §11): `run`/`resume` with `tags`, the run
 * handle's `tags`, `addTags`/`removeTags` persisted and seen by a fresh client (also while the run is still
 * running), `client.runs(flow, { tags, status, limit })`, the user and host a run records, and bad tags and
 * filters refused before anything is stored.
 */
import { hostname, userInfo } from "node:os"
import { pipe } from "fp-ts/lib/function.js"
import { afterEach, expect, test, vi } from "vitest"
import { Client, flow, FlowDefinitionError, NotFoundError, resume, run, step } from "artiflow"
import type { Datastore } from "artiflow"
import { forEachStore } from "../stores.js"

const quiet = { log: () => {} }
const RULE = "a tag is a string of 1 to 256 characters without control characters"

const Small = pipe(
  flow("Small"),
  step("start", () => ({ n: 1 }))
)

/** Fails in `end` while `FAIL` holds, so that it can be resumed. */
let fail = true
const Fragile = pipe(
  flow("Fragile"),
  step("start", () => ({ n: 1 })),
  step("end", (a) => {
    if (fail) throw new Error("not yet")
    return { m: a.n + 1 }
  })
)

afterEach(() => {
  vi.unstubAllEnvs()
  fail = true
})

/** Three runs of Small: oldest "a" (succeeded, [nightly]), "b" ([nightly, gpu]), newest "c" (no tags). */
const threeRuns = async (store: Datastore): Promise<void> => {
  await run(Small, { store, runId: "a", tags: ["nightly"], ...quiet })
  await run(Small, { store, runId: "b", tags: ["nightly", "gpu"], ...quiet })
  await run(Small, { store, runId: "c", ...quiet })
}

forEachStore((_, makeStore) => {
  test("run(flow, { tags }): the handle and the listing have them, sorted and without repeats", async () => {
    const store = await makeStore()
    const result = await run(Small, { store, tags: ["nightly", "gpu", "nightly"], ...quiet })
    const client = Client.open(store)
    expect((await client.run("Small", result.runId)).tags).toEqual(["gpu", "nightly"])
    const [listed] = await client.runs(Small)
    expect(listed).toEqual({
      id: result.runId,
      flow: "Small",
      status: "succeeded",
      startedAt: expect.any(Number),
      finishedAt: expect.any(Number),
      tags: ["gpu", "nightly"]
    })
    expect(Object.keys(listed ?? {}).sort()).toEqual(["finishedAt", "flow", "id", "startedAt", "status", "tags"])
    const untagged = await run(Small, { store, ...quiet })
    expect((await client.run("Small", untagged.runId)).tags).toEqual([])
  })

  test("client.runs keeps runs holding all the given tags, with a status, the newest `limit` of them", async () => {
    const store = await makeStore()
    await threeRuns(store)
    await expect(run(Fragile, { store, runId: "f", tags: ["nightly"], ...quiet })).rejects.toThrow("not yet")
    const client = Client.open(store)
    const ids = async (options: Parameters<Client["runs"]>[1]) => (await client.runs("Small", options)).map((r) => r.id)
    expect(await ids({})).toEqual(["c", "b", "a"])
    expect(await ids({ tags: ["nightly"] })).toEqual(["b", "a"])
    expect(await ids({ tags: ["nightly", "gpu"] })).toEqual(["b"])
    expect(await ids({ tags: ["gpu", "absent"] })).toEqual([])
    expect(await ids({ tags: [] })).toEqual(["c", "b", "a"])
    expect(await ids({ status: "succeeded", limit: 2 })).toEqual(["c", "b"])
    expect(await ids({ tags: ["nightly"], limit: 1 })).toEqual(["b"])
    expect(await ids({ limit: 0 })).toEqual([])
    expect(await ids({ status: "failed" })).toEqual([])
    expect((await client.runs(Fragile, { status: "failed", tags: ["nightly"] })).map((r) => r.id)).toEqual(["f"])
    // A filter that keeps nothing is an empty list, but an unknown flow is still an error.
    await expect(client.runs("Nope", { tags: ["nightly"] })).rejects.toBeInstanceOf(NotFoundError)
  })

  test("bad filters are errors naming the option, not empty lists", async () => {
    const store = await makeStore()
    await threeRuns(store)
    const client = Client.open(store)
    const runs = client.runs as (flow: string, options: unknown) => Promise<unknown>
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ tags: "nightly" }, `artiflow: runs of flow 'Small': option 'tags' must be an array of tags (strings) (received "nightly")`],
      [{ tags: ["ok", ""] }, `artiflow: runs of flow 'Small': tag "" is empty: ${RULE}`],
      [{ status: "done" }, `artiflow: runs of flow 'Small': option 'status' must be "running", "succeeded" or "failed" (received "done")`],
      [{ limit: -1 }, "artiflow: runs of flow 'Small': option 'limit' must be an integer >= 0 (received -1)"],
      [{ limit: 1.5 }, "option 'limit' must be an integer >= 0 (received 1.5)"],
      [null, "artiflow: runs of flow 'Small': option 'options' must be an object { tags?, status?, limit? } (received null)"]
    ]
    for (const [options, message] of cases) {
      await expect(runs("Small", options)).rejects.toBeInstanceOf(FlowDefinitionError)
      await expect(runs("Small", options)).rejects.toThrow(message)
    }
  })

  test("addTags and removeTags change the store: the handle shows it, and so does a fresh client", async () => {
    const store = await makeStore()
    const result = await run(Small, { store, tags: ["initial"], ...quiet })
    const handle = await Client.open(store).run(Small, result.runId)
    await handle.addTags("good", "reviewed")
    expect(handle.tags).toEqual(["good", "initial", "reviewed"])
    await handle.addTags("good")
    await handle.removeTags("initial", "never-had")
    expect(handle.tags).toEqual(["good", "reviewed"])
    await handle.addTags()
    await handle.removeTags()
    expect(handle.tags).toEqual(["good", "reviewed"])
    const fresh = Client.open(store)
    expect((await fresh.run("Small", result.runId)).tags).toEqual(["good", "reviewed"])
    expect((await fresh.runs("Small", { tags: ["good"] })).map((r) => r.id)).toEqual([result.runId])
    expect(await fresh.runs("Small", { tags: ["initial"] })).toEqual([])
  })

  test("handles of one run tag it at the same time: every change is kept", async () => {
    const store = await makeStore()
    const result = await run(Small, { store, ...quiet })
    const client = Client.open(store)
    const handles = await Promise.all(Array.from({ length: 5 }, () => client.run("Small", result.runId)))
    await Promise.all(handles.flatMap((handle, h) => Array.from({ length: 10 }, (_, i) => handle.addTags(`h${h}-${i}`))))
    await Promise.all(handles.map((handle, h) => handle.removeTags(`h${h}-0`)))
    const expected = Array.from({ length: 5 }, (_, h) => Array.from({ length: 9 }, (_, i) => `h${h}-${i + 1}`)).flat().sort()
    expect((await Client.open(store).run("Small", result.runId)).tags).toEqual(expected)
  })

  test("a run tagged while it runs keeps the tag when it records its end", async () => {
    const store = await makeStore()
    const SelfTagging = pipe(
      flow("SelfTagging"),
      step("start", async (_a, ctx) => {
        const running = await Client.open(store).run(ctx.flow, ctx.runId)
        expect(running.status).toBe("running")
        await running.addTags("seen-running")
        await running.removeTags("started")
        return { n: 1 }
      }),
      step("end", (a) => ({ m: a.n }))
    )
    const result = await run(SelfTagging, { store, tags: ["started", "kept"], ...quiet })
    const after = await Client.open(store).run("SelfTagging", result.runId)
    expect([after.status, after.tags]).toEqual(["succeeded", ["kept", "seen-running"]])
  })

  test("a resumed run has the tags given to resume, not its origin's", async () => {
    const store = await makeStore()
    await expect(run(Fragile, { store, runId: "origin", tags: ["first-try"], ...quiet })).rejects.toThrow("not yet")
    fail = false
    const bare = await resume(Fragile, { store, origin: "origin", runId: "bare", ...quiet })
    const tagged = await resume(Fragile, { store, origin: "origin", runId: "tagged", tags: ["rerun"], ...quiet })
    const client = Client.open(store)
    expect((await client.run("Fragile", bare.runId)).tags).toEqual([])
    expect((await client.run("Fragile", tagged.runId)).tags).toEqual(["rerun"])
    expect((await client.run("Fragile", "origin")).tags).toEqual(["first-try"])
  })

  test("bad tags are refused before a run exists: run, resume, addTags, removeTags", async () => {
    const store = await makeStore()
    const start = run as (flow: unknown, options: unknown) => Promise<unknown>
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      ["nightly", `artiflow: run of flow 'Small': option 'tags' must be an array of tags (strings) (received "nightly")`],
      [[""], `artiflow: run of flow 'Small': tag "" is empty: ${RULE}`],
      [["ok", "x".repeat(257)], `is 257 characters long: ${RULE}`],
      [["a\u0007b"], `artiflow: run of flow 'Small': tag "a\\u0007b" contains the control character U+0007: ${RULE}`],
      [["tab\there"], "contains the control character U+0009"],
      [["\u0085"], "contains the control character U+0085"],
      [[3], `artiflow: run of flow 'Small': tag 3 is not a string: ${RULE}`]
    ]
    for (const [tags, message] of cases) {
      await expect(start(Small, { store, tags, ...quiet })).rejects.toBeInstanceOf(FlowDefinitionError)
      await expect(start(Small, { store, tags, ...quiet })).rejects.toThrow(message)
    }
    expect(await store.listFlows()).toEqual([])
    // 256 characters, counted as characters (an emoji is one), and any non-control character is fine.
    const longest = "🏷".repeat(256)
    const ok = await run(Small, { store, tags: [longest, "ünï cödé", "a/b:c"], ...quiet })
    expect((await Client.open(store).run("Small", ok.runId)).tags).toEqual(["a/b:c", "ünï cödé", longest])
    await expect(
      (resume as (flow: unknown, options: unknown) => Promise<unknown>)(Small, { store, tags: [""], ...quiet })
    ).rejects.toThrow(`artiflow: run of flow 'Small': tag "" is empty: ${RULE}`)
    expect((await Client.open(store).runs("Small")).map((r) => r.id)).toEqual([ok.runId])
    const handle = await Client.open(store).run("Small", ok.runId)
    const addTags = handle.addTags.bind(handle) as (...tags: ReadonlyArray<unknown>) => Promise<void>
    await expect(addTags("fine", "")).rejects.toThrow(`artiflow: addTags on run '${ok.runId}' of flow 'Small': tag "" is empty: ${RULE}`)
    await expect(addTags(null)).rejects.toBeInstanceOf(FlowDefinitionError)
    await expect(handle.removeTags("line\nbreak")).rejects.toThrow(
      `artiflow: removeTags on run '${ok.runId}' of flow 'Small': tag "line\\nbreak" contains the control character U+000A: ${RULE}`
    )
    // Nothing of a refused call was applied, not even its good tags.
    expect((await Client.open(store).run("Small", ok.runId)).tags).toEqual(["a/b:c", "ünï cödé", longest])
  })

  test("a run records who started it ($USER) and on which host", async () => {
    const store = await makeStore()
    vi.stubEnv("USER", "alice")
    const result = await run(Small, { store, ...quiet })
    const handle = await Client.open(store).run("Small", result.runId)
    expect([handle.user, handle.host]).toEqual(["alice", hostname()])
    vi.stubEnv("USER", "")
    const fallback = await run(Small, { store, ...quiet })
    expect((await Client.open(store).run("Small", fallback.runId)).user).toBe(userInfo().username)
  })
})
