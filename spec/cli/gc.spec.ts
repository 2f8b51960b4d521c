/**
 * `artiflow gc` through the compiled CLI: --keep-last, --older-than, --keep-tag, --dry-run, --grace, --json,
 * the safe default (no keep option: every run kept, only unreferenced blobs deleted), and bad input (exit 2,
 * nothing deleted).
 */
import { join } from "node:path"
import { pipe } from "fp-ts/lib/function.js"
import { afterEach, beforeEach, describe, expect, test } from "vitest"
import { localStore } from "../../lib/datastore/local.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import { STORE_FORMAT } from "../../lib/datastore/Manifest.js"
import * as t from "io-ts"
import { flow, param, run, step } from "../../lib/index.js"
import { artiflow, tempHome } from "./process.js"

const Nightly = pipe(
  flow("Nightly"),
  step("start", () => ({ table: new Float64Array(4096).fill(Math.random()) }))
)

let home: { readonly dir: string; remove(): Promise<void> }
let storeDir: string
let store: Datastore

beforeEach(async () => {
  home = await tempHome()
  storeDir = join(home.dir, "store")
  store = localStore(storeDir)
})

afterEach(async () => {
  await home.remove()
})

const nightly = async (tags: ReadonlyArray<string> = []): Promise<string> =>
  (await run(Nightly, { store, log: () => {}, tags })).runId

/** A cached step: a run with a new `n` computes its table, one with an `n` already run is answered by the cache. */
const Cached = pipe(
  flow("Cached", { params: { n: param(t.number, { default: 1 }) } }),
  step("start", (a) => ({ table: new Float64Array(4096).fill(a.n) }), { cache: true })
)

const ids = async (): Promise<ReadonlyArray<string>> => (await store.listRuns("Nightly")).map((summary) => summary.id)

const gcCli = (...args: ReadonlyArray<string>) => artiflow(["gc", "--store", storeDir, ...args])

/** A finished run that started `daysAgo` days ago (written through the store: no clock to turn back). */
const oldRun = async (runId: string, daysAgo: number): Promise<void> => {
  const startedAt = Date.now() - daysAgo * 24 * 60 * 60 * 1000
  await store.createRun({
    format: STORE_FORMAT,
    flow: "Nightly",
    runId,
    status: "succeeded",
    startedAt,
    finishedAt: startedAt + 1000,
    params: {},
    paramDefs: {},
    graph: { nodes: [] },
    versions: { artiflow: "0", node: "v20" },
    user: "tester",
    tags: []
  })
}

describe("artiflow gc", () => {
  test("--keep-last n keeps the n newest runs of each flow; --dry-run first says what it would delete", async () => {
    const runs = [await nightly(), await nightly(), await nightly()]
    const dry = await gcCli("--keep-last", "1", "--dry-run", "--grace", "0s")
    expect(dry.stderr).toBe("")
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/^would delete 2 runs and 2 blobs \(.+\); nothing was deleted \(--dry-run\)\n$/)
    expect(await ids()).toHaveLength(3)
    const done = await gcCli("--keep-last=1", "--grace", "0s")
    expect(done.code).toBe(0)
    expect(done.stdout).toMatch(/^deleted 2 runs and 2 blobs \(\d.*\)\n$/)
    expect(await ids()).toEqual([runs[2]])
  })

  test("the summary names the step cache entries that went with the deleted runs", async () => {
    for (const n of [1, 2, 3]) await run(Cached, { store, params: { n }, log: () => {} })
    const dry = await gcCli("--keep-last", "1", "--dry-run", "--grace", "0s")
    expect(dry.stdout).toMatch(/^would delete 2 runs \(with 2 step cache entries\) and 2 blobs \(.+\); nothing was deleted \(--dry-run\)\n$/)
    const done = await gcCli("--keep-last", "1", "--grace", "0s", "--json")
    expect(JSON.parse(done.stdout)).toMatchObject({ runsDeleted: 2, blobsDeleted: 2, cacheEntriesDeleted: 2 })
  })

  test("--older-than keeps the runs started since; --keep-tag keeps tagged runs; --json prints the counts", async () => {
    await oldRun("ancient", 40)
    await oldRun("old-but-tagged", 40)
    await store.updateTags("Nightly", "old-but-tagged", { add: ["release"], remove: [] })
    await oldRun("recent", 2)
    const fresh = await nightly()
    const result = await gcCli("--older-than", "30d", "--keep-tag", "release", "--json")
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ runsDeleted: 1, blobsDeleted: 0, bytesFreed: 0, cacheEntriesDeleted: 0, dryRun: false })
    expect([...(await ids())].sort()).toEqual([fresh, "old-but-tagged", "recent"].sort())
    expect((await gcCli("--older-than", "36h", "--keep-tag", "release", "--json")).stdout).toContain('"runsDeleted": 1')
    expect([...(await ids())].sort()).toEqual([fresh, "old-but-tagged"].sort())
  })

  test("without a keep option every run stays and only blobs no run references go", async () => {
    const kept = [await nightly(), await nightly()]
    await store.writeBlob(new TextEncoder().encode("left by a crashed writer"))
    const result = await gcCli("--grace", "0ms")
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      "keeping every run (no --keep-last, --older-than or --keep-tag): deleting only blobs no run references\n" +
        "deleted 0 runs and 1 blob (24 B)\n"
    )
    expect([...(await ids())].sort()).toEqual([...kept].sort())
    // And with the default grace period, a blob written just now stays.
    await store.writeBlob(new TextEncoder().encode("being written right now"))
    expect((await gcCli("--json")).stdout).toContain('"blobsDeleted": 0')
  })

  test("bad values are usage errors naming the option and what it accepts; nothing is deleted", async () => {
    await nightly()
    await nightly()
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--keep-last", "-1"], "artiflow: option --keep-last expects an integer >= 0 (received '-1')"],
      [["--keep-last", "1.5"], "artiflow: option --keep-last expects an integer >= 0 (received '1.5')"],
      [["--keep-last", "all"], "artiflow: option --keep-last expects an integer >= 0 (received 'all')"],
      [["--keep-last"], "artiflow: option --keep-last needs a value: --keep-last <value>"],
      [["--older-than", "30"], "artiflow: option --older-than expects a duration, a whole number and a unit: ms, s, m, h, d or w (e.g. 90m, 12h, 30d, 2w) (received '30')"],
      [["--older-than", "a month"], "option --older-than expects a duration"],
      [["--older-than", "3y"], "option --older-than expects a duration"],
      [["--grace", "-1h"], "option --grace expects a duration"],
      [["--keep-tag", ""], "option --keep-tag needs a value"],
      [["--keep-lats", "3"], "artiflow: gc has no option --keep-lats (options: --keep-last, --older-than, --keep-tag, --dry-run, --grace, --store, --json)"],
      [["everything"], "artiflow: gc takes no arguments"]
    ]
    for (const [args, message] of cases) {
      const result = await gcCli(...args)
      expect(result.code, args.join(" ")).toBe(2)
      expect(result.stderr, args.join(" ")).toContain(message)
      if (message.includes("expects")) expect(result.stderr).toContain("see: artiflow gc --help")
    }
    expect(await ids()).toHaveLength(2)
  })

  test("--help describes every option and the safe default", async () => {
    const result = await artiflow(["gc", "--help"])
    expect(result.code).toBe(0)
    for (const option of ["--keep-last <n>", "--older-than <age>", "--keep-tag <t>", "--dry-run", "--grace <age>", "--store", "--json"]) {
      expect(result.stdout).toContain(option)
    }
    expect(result.stdout).toContain("every run is kept and only blobs no run references")
    expect((await artiflow(["--help"])).stdout).toMatch(/\n {2}gc +delete old runs/)
  })
})
