/**
 * Tags from several processes at once (DESIGN.md §11): tagger processes (children/tagger.ts), released
 * together, add and remove tags of one run of a local store, several changes in flight in each, while this
 * process rewrites the run's metadata as a running run does at its end (updateRun) and lists the runs.
 * Afterwards every change has taken effect: every tag added is there, every tag removed is gone, and a tag
 * one process added then removed is gone; nothing another process or a metadata rewrite did undid a change.
 */
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { STORE_FORMAT } from "../../lib/datastore/Manifest.js"
import type { RunMeta } from "../../lib/datastore/Manifest.js"
import { Client, localStore } from "../../lib/index.js"
import type { TaggerJob, TaggerResult } from "./children/tagger.js"
import { scaled, STRESS } from "./harness.js"
import { ChildLauncher, lastJson } from "./harnessChild.js"

const TAGGER = "spec/reliability/children/tagger.ts"
const PROCESSES = 6
const PER_PROCESS = scaled(30)

const launcher = new ChildLauncher()
let workDir = ""

const meta = (initial: ReadonlyArray<string>): RunMeta => ({
  format: STORE_FORMAT,
  flow: "Tagged",
  runId: "r1",
  status: "running",
  startedAt: 1,
  params: {},
  paramDefs: {},
  graph: { nodes: [{ kind: "step", name: "start", options: {} }] },
  versions: { artiflow: "test", node: process.version },
  user: "tester",
  tags: initial
})

const range = (prefix: string, count: number): ReadonlyArray<string> => Array.from({ length: count }, (_, i) => `${prefix}-${i}`)

describe("tags from concurrent processes on one local store", () => {
  beforeAll(async () => {
    workDir = await fs.mkdtemp(join(tmpdir(), "artiflow-tags-"))
    await launcher.prepare(TAGGER)
  })

  afterAll(async () => {
    await launcher.dispose()
    if (workDir !== "") await fs.rm(workDir, { recursive: true, force: true })
  })

  test(`${PROCESSES} tagger processes and a metadata rewriter: no change is lost`, async () => {
    const root = join(workDir, "store")
    const store = localStore(root)
    const initial = [...range("initial", PROCESSES * 4), "kept"]
    const created = meta(initial)
    await store.createRun(created)
    const jobs: ReadonlyArray<TaggerJob> = Array.from({ length: PROCESSES }, (_, p) => ({
      store: root,
      flow: "Tagged",
      runId: "r1",
      add: range(`p${p}`, PER_PROCESS),
      remove: range("initial", PROCESSES * 4).filter((_, i) => i % PROCESSES === p),
      transient: range(`p${p}-transient`, 5),
      parallel: 4
    }))
    const children = await Promise.all(jobs.map((job) => launcher.start(TAGGER, [JSON.stringify(job)])))
    await Promise.all(children.map((child) => child.waitForLine("ready")))
    for (const child of children) child.send("go")
    // Meanwhile: the run's own metadata rewrites and a reader listing the runs, until every tagger is done.
    let done = false
    const exits = Promise.all(children.map((child) => child.exited)).finally(() => (done = true))
    let rewrites = 0
    while (!done) {
      await store.updateRun({ ...created, status: rewrites % 2 === 0 ? "running" : "succeeded" })
      const [listed] = await store.listRuns("Tagged")
      expect(listed?.tags).toContain("kept")
      rewrites++
    }
    const results = (await exits).map((exit) => lastJson<TaggerResult>(exit))
    expect(results.map((result) => result.changes)).toEqual(jobs.map((job) => job.add.length + job.remove.length + 2 * job.transient.length))
    const expected = [...jobs.flatMap((job) => job.add), "kept"].sort()
    expect((await localStore(root).readRun("Tagged", "r1"))?.tags).toEqual(expected)
    expect((await Client.open(localStore(root)).runs("Tagged"))[0]?.tags).toEqual(expected)
    expect(rewrites).toBeGreaterThan(0)
  }, STRESS ? 600_000 : 60_000)
})
