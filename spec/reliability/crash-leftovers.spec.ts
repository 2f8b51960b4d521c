/**
 * Stray temp files (lib/datastore/localTemps.ts): a writer killed between writing a temp file and renaming it
 * into place leaves the file in tmp/. The store removes such files when it next creates a run, but only once
 * they are an hour old: younger ones may belong to another process writing right now. crash.spec.ts checks
 * the whole path on the temp files real kills leave; these tests pin down what is removed and what is kept.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, test, vi } from "vitest"
import { localStore, run } from "../../lib/index.js"
import { STALE_TEMP_MS, sweepStaleTemps } from "../../lib/datastore/localTemps.js"
import { tempDir } from "../stores.js"
import { Crash } from "./children/crashFlow.js"

const quiet = (): void => {}

/** Creates `name` in `dir` with its modification time `ageMs` in the past. */
const tempFile = async (dir: string, name: string, ageMs: number): Promise<string> => {
  await fs.mkdir(dir, { recursive: true })
  const path = join(dir, name)
  await fs.writeFile(path, "partial bytes of a killed writer")
  const time = new Date(Date.now() - ageMs)
  await fs.utimes(path, time, time)
  return path
}

const names = async (dir: string): Promise<ReadonlyArray<string>> => (await fs.readdir(dir)).sort()

describe("sweeping stray temp files", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  test("removes files untouched for the threshold, keeps younger files and directories", async () => {
    const dir = join(await tempDir(), "tmp")
    await tempFile(dir, "stale", STALE_TEMP_MS + 60_000)
    await tempFile(dir, "in-flight", STALE_TEMP_MS - 60_000)
    await fs.mkdir(join(dir, "not-a-temp-file"))
    expect(await sweepStaleTemps(dir)).toBe(1)
    expect(await names(dir)).toEqual(["in-flight", "not-a-temp-file"])
  })

  test("a missing tmp/ has nothing to sweep", async () => {
    expect(await sweepStaleTemps(join(await tempDir(), "never-written"))).toBe(0)
  })

  test("a faked clock hours ahead does not make another writer's in-flight file look stale", async () => {
    const dir = join(await tempDir(), "tmp")
    await tempFile(dir, "in-flight", 0)
    vi.useFakeTimers({ now: Date.now() + 3 * STALE_TEMP_MS })
    expect(await sweepStaleTemps(dir)).toBe(0)
    expect(await names(dir)).toEqual(["in-flight"])
  })

  test("a run removes stale temp files from its store before it starts, and leaves fresh ones", async () => {
    const root = join(await tempDir(), "store")
    const stale = await tempFile(join(root, "tmp"), "stale", 2 * STALE_TEMP_MS)
    await tempFile(join(root, "tmp"), "fresh", 0)
    await run(Crash, { store: localStore(root), runId: "sweeps", log: quiet })
    await expect(fs.access(stale)).rejects.toThrow()
    expect(await names(join(root, "tmp"))).toEqual(["fresh"])
  })

  test("a stray second link to a run.json (createRun killed before cleaning up) goes, the run stays", async () => {
    const root = join(await tempDir(), "store")
    await run(Crash, { store: localStore(root), runId: "linked", log: quiet })
    const runFile = join(root, "runs", "Crash", "linked", "run.json")
    await fs.mkdir(join(root, "tmp"), { recursive: true })
    const stray = join(root, "tmp", "leftover-link")
    await fs.link(runFile, stray)
    const aged = new Date(Date.now() - 2 * STALE_TEMP_MS)
    await fs.utimes(stray, aged, aged)
    await run(Crash, { store: localStore(root), runId: "next", log: quiet })
    expect(await names(join(root, "tmp"))).toEqual([])
    expect((await localStore(root).readRun("Crash", "linked"))?.status).toBe("succeeded")
  })
})
