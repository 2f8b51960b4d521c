/**
 * Integrity (issue 5 §3): a tampered or truncated blob or manifest is detected when it is read, with an error
 * naming the run, step, task and artifact (or the manifest log and record); wrong data is never returned.
 * Every case damages a real local store written by a run, then reads it through the client.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { pipe } from "fp-ts/lib/function.js"
import { beforeEach, describe, expect, test } from "vitest"
import { Client } from "../../lib/client/index.js"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { frameRecord } from "../../lib/datastore/manifestLog.js"
import { IntegrityError, NotFoundError } from "../../lib/errors.js"
import { flow, localStore, run, step } from "../../lib/index.js"
import { quiet, tempDir } from "../stores.js"

const Stored = pipe(
  flow("Stored"),
  step("start", () => ({
    signal: Float64Array.from({ length: 40_000 }, (_, i) => Math.sin(i)),
    rows: Array.from({ length: 3_000 }, (_, i) => ({ id: i, name: `row ${i}` })),
    small: { ok: true }
  })),
  step("end", (a) => ({ count: a.rows.length }))
)

interface Written {
  readonly root: string
  readonly runId: string
  readonly log: string
  readonly entries: Readonly<Record<string, ArtifactEntry>>
}

/** The blob file that holds an entry's bytes (compressed entries name their stored blob). */
const blobFile = (root: string, entry: ArtifactEntry): string => {
  const hash = entry.stored?.hash ?? entry.hash
  return join(root, "blobs", hash.slice(0, 2), hash)
}

const write = async (): Promise<Written> => {
  const root = join(await tempDir("artiflow-integrity-"), "store")
  const { runId } = await run(Stored, { store: localStore(root), log: quiet })
  const [start] = await localStore(root).readManifests("Stored", runId)
  return { root, runId, log: join(root, "runs", "Stored", runId, "manifests.jsonl"), entries: start?.artifacts ?? {} }
}

const startTask = async ({ root, runId }: Written) =>
  (await Client.open(localStore(root)).run("Stored", runId)).step("start").task("0")

const names = (where: Written, artifact: string): RegExp =>
  new RegExp(`flow 'Stored', run '${where.runId}', step 'start', task '0': artifact '${artifact}'`)

let written: Written
beforeEach(async () => {
  written = await write()
})

describe("a damaged blob", () => {
  test.each([
    ["signal", "a raw Float64Array"],
    ["rows", "a JSON blob (compressed when it shrinks)"]
  ])("one flipped byte in %s (%s) is an IntegrityError naming run, step, task and artifact", async (artifact) => {
    const file = blobFile(written.root, written.entries[artifact] as ArtifactEntry)
    const bytes = await fs.readFile(file)
    const middle = Math.floor(bytes.length / 2)
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x01
    await fs.writeFile(file, bytes)
    const task = await startTask(written)
    await expect(task.artifact(artifact)).rejects.toThrow(IntegrityError)
    await expect(task.artifact(artifact)).rejects.toThrow(names(written, artifact))
    // The other artifacts of the task still load.
    expect(await task.artifact("small")).toEqual({ ok: true })
  })

  test("a truncated blob is an IntegrityError naming the artifact", async () => {
    const file = blobFile(written.root, written.entries["signal"] as ArtifactEntry)
    await fs.truncate(file, 1000)
    await expect((await startTask(written)).artifact("signal")).rejects.toThrow(names(written, "signal"))
  })

  test("a missing blob is a NotFoundError naming the artifact", async () => {
    await fs.rm(blobFile(written.root, written.entries["rows"] as ArtifactEntry))
    const reading = (await startTask(written)).artifact("rows")
    await expect(reading).rejects.toThrow(NotFoundError)
    await expect((await startTask(written)).artifact("rows")).rejects.toThrow(names(written, "rows"))
  })
})

describe("a damaged manifest log", () => {
  /** Rewrites the log's records through `edit` (each record's JSON text), keeping or breaking the checksums. */
  const rewriteLog = async (edit: (json: string, index: number) => string, reframe: boolean): Promise<void> => {
    const lines = (await fs.readFile(written.log, "utf8")).split("\n").filter((line) => line !== "")
    const out = lines.map((line, i) => {
      const json = line.slice(9)
      const changed = edit(json, i)
      return reframe ? frameRecord(changed).toString("utf8") : `${line.slice(0, 9)}${changed}\n`
    })
    await fs.writeFile(written.log, out.join(""))
  }

  test("an inline value changed with a valid checksum is an IntegrityError naming the artifact, never the new value", async () => {
    await rewriteLog((json) => json.replace('"inline":"{\\"ok\\":true}"', '"inline":"{\\"ok\\":false}"'), true)
    const task = await startTask(written)
    await expect(task.artifact("small")).rejects.toThrow(IntegrityError)
    await expect(task.artifact("small")).rejects.toThrow(names(written, "small"))
  })

  test("an entry pointing at another blob is an IntegrityError (sizes and hashes are checked), never the other value", async () => {
    const signal = written.entries["signal"] as ArtifactEntry
    const rows = written.entries["rows"] as ArtifactEntry
    await rewriteLog((json, i) => (i === 0 ? json.replace(`"hash":"${rows.hash}"`, `"hash":"${signal.hash}"`) : json), true)
    await expect((await startTask(written)).artifact("rows")).rejects.toThrow(names(written, "rows"))
  })

  test("a record changed without fixing its checksum, before the last, is an IntegrityError naming the log and record", async () => {
    await rewriteLog((json, i) => (i === 0 ? json.replace('"step":"start"', '"step":"stars"') : json), false)
    const opening = Client.open(localStore(written.root)).run("Stored", written.runId)
    const reading = opening.then((handle) => handle.step("end").task("0"))
    await expect(reading).rejects.toThrow(IntegrityError)
    await expect(reading).rejects.toThrow(`manifest log ${written.log} is corrupt at record 1`)
  })

  test("a torn last record (a crash mid-append) is invisible: earlier tasks read, the torn one is simply not there", async () => {
    const text = await fs.readFile(written.log)
    await fs.writeFile(written.log, text.subarray(0, text.length - 20))
    const handle = await Client.open(localStore(written.root)).run("Stored", written.runId)
    expect(await (await handle.step("start").task("0")).artifact("small")).toEqual({ ok: true })
    expect(await handle.step("end").tasks()).toEqual([])
  })
})

describe("damaged run metadata", () => {
  test("run.json that does not parse is an IntegrityError naming the file", async () => {
    const file = join(written.root, "runs", "Stored", written.runId, "run.json")
    await fs.writeFile(file, '{"format":1,"flow":"Stored"')
    const opening = Client.open(localStore(written.root)).run("Stored", written.runId)
    await expect(opening).rejects.toThrow(IntegrityError)
    await expect(Client.open(localStore(written.root)).run("Stored", written.runId)).rejects.toThrow(file)
  })
})
