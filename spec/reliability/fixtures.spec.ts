/**
 * Stores written by earlier versions stay readable (issue 5 §3). Each `spec/fixtures/format-<n>/` holds a store
 * written once, when that format was introduced (`store.json`, made by spec/fixtures/write.ts), and the flow
 * that wrote it. The store is unpacked into a temp directory and read with today's client, value for value;
 * then today's `resume` extends it.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, test } from "vitest"
import { Client } from "../../lib/client/index.js"
import { STORE_FORMAT } from "../../lib/datastore/Manifest.js"
import { localStore, resume } from "../../lib/index.js"
import { quiet, tempDir } from "../stores.js"
import { FAILED_RUN, FIXTURE_FLOW, Fixture, RESUMED_RUN, finalArtifacts } from "../fixtures/format-1/flow.js"
import { assertSame } from "./equality.js"

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url))

/** Unpacks a fixture's store.json into a fresh directory and returns it. */
const unpack = async (folder: string): Promise<string> => {
  const { files } = JSON.parse(await readFile(join(fixtures, folder, "store.json"), "utf8")) as {
    readonly files: Readonly<Record<string, string>>
  }
  const root = join(await tempDir("artiflow-fixture-"), "store")
  for (const [path, base64] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), Buffer.from(base64, "base64"))
  }
  return root
}

describe("store format fixtures", () => {
  test("every format up to this version's has a fixture", async () => {
    const folders = (await readdir(fixtures)).filter((name) => /^format-\d+$/.test(name))
    expect(folders.map((name) => Number(name.slice("format-".length))).sort()).toEqual(
      Array.from({ length: STORE_FORMAT }, (_, i) => i + 1)
    )
  })

  describe("format 1", () => {
    test("both runs list with their status, format and origin", async () => {
      const client = Client.open(localStore(await unpack("format-1")))
      const runs = await client.runs(FIXTURE_FLOW)
      expect(runs.map((run) => [run.id, run.status])).toEqual([
        [RESUMED_RUN, "succeeded"],
        [FAILED_RUN, "failed"]
      ])
      const resumed = await client.run(FIXTURE_FLOW, RESUMED_RUN)
      expect(resumed.originRunId).toBe(FAILED_RUN)
      const raw = JSON.parse(await readFile(join(await unpack("format-1"), "runs", FIXTURE_FLOW, RESUMED_RUN, "run.json"), "utf8"))
      expect(raw.format).toBe(1)
    })

    test("the resumed run's final record reads back value for value, through tasks that point into the first run", async () => {
      const run = await Client.open(localStore(await unpack("format-1"))).run(FIXTURE_FLOW, RESUMED_RUN)
      const end = await run.step("end").task("0")
      const expected = finalArtifacts()
      expect(await end.artifactNames()).toEqual(Object.keys(expected).sort())
      for (const [name, value] of Object.entries(expected)) assertSame(await end.artifact(name), value, name)
      // The fixture exercises every storage form: inline, compressed blob, raw blob, attachment.
      const start = await run.step("start").task("0")
      expect((await start.info("rows")).stored?.compression).toBe("br")
      expect((await start.info("signal")).encoding).toBe("raw")
      expect((await start.info("graph")).encoding).toBe("seroval")
      expect((await start.info("label")).encoding).toBe("json")
      expect((await run.step("start").task("0")).originTaskId).toBeDefined()
    })

    test("the failed run keeps its attempts, errors and every artifact committed before the failure", async () => {
      const run = await Client.open(localStore(await unpack("format-1"))).run(FIXTURE_FLOW, FAILED_RUN)
      expect(run.status).toBe("failed")
      const explode = await run.step("explode").task("0")
      expect(explode.attempts().map((attempt) => [attempt.attempt, attempt.status])).toEqual([
        [0, "failed"],
        [1, "failed"]
      ])
      expect(explode.error?.message).toBe("the run fails on purpose")
      const squares = await run.step("square").tasks()
      expect(await Promise.all(squares.map((task) => task.artifact("square")))).toEqual([1, 4, 9])
      const merged = await run.step("merge").task("0")
      expect([await merged.artifact("total"), await merged.artifact("side")]).toEqual([9, "right"])
    })

    test("today's resume extends the old store: the failed run resumes to the same final record", async () => {
      const store = localStore(await unpack("format-1"))
      const result = await resume(Fixture, { store, origin: FAILED_RUN, log: quiet })
      const expected = finalArtifacts()
      for (const [name, value] of Object.entries(expected)) {
        assertSame((result.artifacts as Record<string, unknown>)[name], value, name)
      }
      const reused = await (await Client.open(store).run(FIXTURE_FLOW, result.runId)).step("start").task("0")
      expect(reused.originTaskId).toBeDefined()
    })
  })
})
