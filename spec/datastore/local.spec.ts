import { promises as fs } from "node:fs"
import { join, resolve } from "node:path"
import { afterEach, describe, expect, test, vi } from "vitest"
import { localStore } from "../../lib/datastore/local.js"
import { IntegrityError, StorageError } from "../../lib/errors.js"
import { datastoreContract } from "./contract.js"
import { bytes, manifest, runMeta } from "./contract/fixtures.js"
import { blobFile, localHarness, tempDir } from "./localHarness.js"

datastoreContract("local", () => localHarness())
datastoreContract("local, fsync", () => localHarness({ fsync: true }))

/** A store in a fresh temp dir, cleaned up after the test. */
const cleanups: Array<() => Promise<void>> = []
const fresh = async () => {
  const harness = await localHarness()
  cleanups.push(harness.cleanup)
  return harness
}
afterEach(async () => {
  vi.unstubAllEnvs()
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

const logFile = (root: string, flow: string, runId: string): string =>
  join(root, "runs", flow, runId, "manifests.jsonl")

const withThreeManifests = async () => {
  const harness = await fresh()
  await harness.store.createRun(runMeta("Train", "r1"))
  for (const step of ["a", "b", "c"]) await harness.store.commitManifests("Train", "r1", [manifest(step)])
  return { ...harness, log: logFile(harness.root, "Train", "r1") }
}

describe("local store: manifest log", () => {
  test("a torn last record (a crash mid-append) is ignored, and cut off before the next append", async () => {
    const { root, log } = await withThreeManifests()
    const size = (await fs.stat(log)).size
    await fs.truncate(log, size - 20)
    const reopened = localStore(root)
    expect((await reopened.readManifests("Train", "r1")).map((m) => m.step)).toEqual(["a", "b"])
    await reopened.commitManifests("Train", "r1", [manifest("d")])
    expect((await localStore(root).readManifests("Train", "r1")).map((m) => m.step)).toEqual(["a", "b", "d"])
  })

  test("a last record that lost only its newline is torn too", async () => {
    const { root, log } = await withThreeManifests()
    await fs.truncate(log, (await fs.stat(log)).size - 1)
    expect((await localStore(root).readManifests("Train", "r1")).map((m) => m.step)).toEqual(["a", "b"])
  })

  test("a corrupted middle record is IntegrityError naming the file and the record number", async () => {
    const { root, log } = await withThreeManifests()
    const text = await fs.readFile(log, "utf8")
    await fs.writeFile(log, text.replace('"step":"b"', '"step":"B"'))
    const reading = localStore(root).readManifests("Train", "r1")
    await expect(reading).rejects.toBeInstanceOf(IntegrityError)
    await expect(localStore(root).readManifests("Train", "r1")).rejects.toThrow(
      `manifest log ${log} is corrupt at record 2`
    )
    await expect(localStore(root).commitManifests("Train", "r1", [manifest("d")])).rejects.toBeInstanceOf(
      IntegrityError
    )
  })

  test("each record is one checksummed line", async () => {
    const { log } = await withThreeManifests()
    const lines = (await fs.readFile(log, "utf8")).split("\n")
    expect(lines).toHaveLength(4)
    expect(lines[3]).toBe("")
    for (const line of lines.slice(0, 3)) expect(line).toMatch(/^[0-9a-f]{8} \{"step":/)
  })
})

describe("local store: files", () => {
  test("the default directory is $ARTIFLOW_HOME, else ./.artiflow in the current directory", async () => {
    const { dir, cleanup } = await tempDir()
    cleanups.push(cleanup)
    vi.stubEnv("ARTIFLOW_HOME", dir)
    const store = localStore()
    expect(store.description).toBe(`local store at ${dir}`)
    await store.createRun(runMeta("Train", "r1"))
    expect(await fs.readdir(join(dir, "runs"))).toEqual(["Train"])
    vi.stubEnv("ARTIFLOW_HOME", "")
    expect(localStore().description).toBe(`local store at ${resolve(".artiflow")}`)
    expect(localStore("rel/dir").description).toBe(`local store at ${resolve("rel/dir")}`)
  })

  test("nothing is created until something is written", async () => {
    const { root, store } = await fresh()
    expect(await store.listFlows()).toEqual([])
    expect(await store.readRun("Train", "r1")).toBeUndefined()
    await expect(fs.stat(root)).rejects.toThrow(/ENOENT/)
  })

  test("a store under a regular file fails with a StorageError naming the path and what to do", async () => {
    const { dir, cleanup } = await tempDir()
    cleanups.push(cleanup)
    await fs.writeFile(join(dir, "file"), "not a directory")
    const store = localStore(join(dir, "file", "store"))
    const writing = store.writeBlob(bytes("x"))
    await expect(writing).rejects.toBeInstanceOf(StorageError)
    await expect(store.writeBlob(bytes("x"))).rejects.toThrow(
      /artiflow: could not .*file.*ENOTDIR.*is a file, not a directory/
    )
    await expect(store.createRun(runMeta("Train", "r1"))).rejects.toThrow(join(dir, "file"))
    await expect(store.readRun("Train", "r1")).rejects.toBeInstanceOf(StorageError)
  })

  test("temp files and unfinished runs are never listed", async () => {
    const { root, store } = await fresh()
    await store.createRun(runMeta("Train", "r1"))
    await store.writeBlob(bytes("blob"))
    expect(await fs.readdir(join(root, "tmp"))).toEqual([])
    await fs.writeFile(join(root, "tmp", "stray-temp"), "half a blob")
    await fs.mkdir(join(root, "runs", "Train", "unfinished"), { recursive: true })
    await fs.mkdir(join(root, "runs", "Empty", "unfinished"), { recursive: true })
    await fs.writeFile(join(root, "runs", "Train", "notes.txt"), "")
    await fs.mkdir(join(root, "runs", ".hidden"), { recursive: true })
    expect((await store.listRuns("Train")).map((run) => run.id)).toEqual(["r1"])
    expect(await store.listFlows()).toEqual(["Train"])
    await store.createRun(runMeta("Train", "unfinished"))
    expect((await store.listRuns("Train")).map((run) => run.id).sort()).toEqual(["r1", "unfinished"])
  })

  test("blobs are written once: writing existing bytes rewrites nothing, only refreshes the file's time (for gc)", async () => {
    const { root, store } = await fresh()
    const { hash } = await store.writeBlob(bytes("once"))
    const before = await fs.stat(blobFile(root, hash))
    await new Promise((done) => setTimeout(done, 20))
    await store.writeBlob(bytes("once"))
    const after = await fs.stat(blobFile(root, hash))
    // Same file, same bytes: nothing was written; its time says it was just used (gc's grace period counts from it).
    expect([after.ino, after.size, after.birthtimeMs]).toEqual([before.ino, before.size, before.birthtimeMs])
    expect(after.mtimeMs).toBeGreaterThan(before.mtimeMs)
  })

  test("a write that finds its blob gone between checking and touching it (a gc deleted it) writes it again", async () => {
    const { root, store } = await fresh()
    const { hash } = await store.writeBlob(bytes("raced"))
    const realUtimes = fs.utimes
    // The blob disappears right when the writer touches it, as if a gc removed it in between.
    fs.utimes = async (...args: Parameters<typeof fs.utimes>) => {
      await fs.rm(blobFile(root, hash))
      return realUtimes(...args)
    }
    try {
      await store.writeBlob(bytes("raced"))
    } finally {
      fs.utimes = realUtimes
    }
    expect(new TextDecoder().decode(await store.readBlob(hash))).toBe("raced")
  })

  test("a damaged blob of the wrong size is replaced by the next write of its bytes", async () => {
    const { root, store, truncateBlob } = await fresh()
    const { hash } = await store.writeBlob(bytes("heal me"))
    await truncateBlob(hash)
    await store.writeBlob(bytes("heal me"))
    expect(Buffer.from(await store.readBlob(hash)).toString()).toBe("heal me")
    expect((await fs.stat(blobFile(root, hash))).size).toBe(7)
  })

  test("a large blob written while hashed leaves no temp file, also when it already exists", async () => {
    const { root, store } = await fresh()
    const large = new Uint8Array(3 * 1024 * 1024).fill(5)
    const first = await store.writeBlob(large)
    const second = await store.writeBlob(large)
    expect(second).toEqual(first)
    expect(await fs.readdir(join(root, "tmp"))).toEqual([])
    expect((await fs.stat(blobFile(root, first.hash))).size).toBe(large.byteLength)
  })

  test("run.json is replaced whole: no temp file is left next to it", async () => {
    const { root, store } = await fresh()
    await store.createRun(runMeta("Train", "r1"))
    await store.updateRun(runMeta("Train", "r1", 1_000, { status: "succeeded" }))
    expect((await fs.readdir(join(root, "runs", "Train", "r1"))).sort()).toEqual(["run.json"])
    expect(await fs.readdir(join(root, "tmp"))).toEqual([])
  })

  test("unreadable run metadata is IntegrityError naming the file", async () => {
    const { root, store } = await fresh()
    await store.createRun(runMeta("Train", "r1"))
    const file = join(root, "runs", "Train", "r1", "run.json")
    await fs.writeFile(file, "{ not json")
    await expect(store.readRun("Train", "r1")).rejects.toThrow(new RegExp(`${file}.*not valid JSON`))
    await expect(store.listRuns("Train")).rejects.toBeInstanceOf(IntegrityError)
  })
})
