/**
 * The local store's hashing I/O (lib/datastore/hashingIo.ts): large blobs are written in pieces, each hashed
 * while it is written, and read into one buffer of their own, so that a decoded typed array can be a view on
 * it. A 2 GiB blob is too big for a test; small pieces exercise the same code.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, test } from "vitest"
import { sha256Hex } from "../../lib/codec/hash.js"
import { storeValue } from "../../lib/datastore/artifacts.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import { readFileHashing, writeNewFileHashing } from "../../lib/datastore/hashingIo.js"
import { loadValue } from "../../lib/datastore/load.js"
import { localStore } from "../../lib/datastore/local.js"
import { tempDir } from "./localHarness.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})
const freshDir = async (): Promise<string> => {
  const { dir, cleanup } = await tempDir()
  cleanups.push(cleanup)
  return dir
}

/** Bytes that differ from position to position, so that a piece written at the wrong offset shows. */
const pattern = (size: number): Uint8Array => {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff
  return bytes
}

describe("writeNewFileHashing", () => {
  test.each([
    ["several whole pieces", 4 * 1024, 1024],
    ["a last piece shorter than the others", 4 * 1024 + 3, 1024],
    ["one piece larger than the bytes", 100, 1024],
    ["no bytes at all", 0, 1024]
  ])("%s: the file holds every byte in order, and the hash is that of all of them", async (_, size, piece) => {
    const path = join(await freshDir(), "blob")
    const bytes = pattern(size)
    const hash = await writeNewFileHashing(path, bytes, false, piece)
    expect(hash).toBe(sha256Hex(bytes))
    expect((await fs.readFile(path)).equals(bytes)).toBe(true)
  })

  test("never replaces an existing file", async () => {
    const path = join(await freshDir(), "blob")
    await fs.writeFile(path, "already here")
    await expect(writeNewFileHashing(path, pattern(10), false)).rejects.toMatchObject({ code: "EEXIST" })
    expect(await fs.readFile(path, "utf8")).toBe("already here")
  })
})

describe("readFileHashing", () => {
  const sizes = [100, 5 * 1024 * 1024 + 7]
  test.each(sizes)("%s bytes come back whole and hashed, in a buffer of their own", async (size) => {
    const path = join(await freshDir(), "blob")
    const bytes = pattern(size)
    await fs.writeFile(path, bytes)
    const read = await readFileHashing(path)
    expect(read.hash).toBe(sha256Hex(bytes))
    expect(Buffer.from(read.bytes).equals(bytes)).toBe(true)
    // Not a slice of Buffer's shared pool: offset 0 and nothing else in the buffer, so views can share it.
    expect(read.bytes.byteOffset).toBe(0)
    expect(read.bytes.buffer.byteLength).toBe(size)
  })
})

describe("a large raw artifact through the local store", () => {
  /** A store that remembers the last blob it read. */
  const remembering = (store: Datastore): { readonly store: Datastore; last(): Uint8Array | undefined } => {
    let last: Uint8Array | undefined
    const readBlob = async (hash: string): Promise<Uint8Array> => (last = await store.readBlob(hash))
    return { store: Object.create(store, { readBlob: { value: readBlob } }) as Datastore, last: () => last }
  }

  test("reloads in a fresh store as a view on the bytes read, not a copy", async () => {
    const root = join(await freshDir(), "store")
    const values = Float64Array.from({ length: (3 * 1024 * 1024) / 8 }, (_, i) => i / 3)
    const stored = await storeValue(localStore(root), values)
    if (stored._tag === "Left") throw new Error("a Float64Array is storable")
    expect(stored.right).toMatchObject({ encoding: "raw", size: values.byteLength })
    const reader = remembering(localStore(root))
    const where = { flow: "F", runId: "r", step: "start", taskId: "0", artifact: "values" }
    const back = await loadValue(reader.store, stored.right, where)
    expect(back).toBeInstanceOf(Float64Array)
    expect((back as Float64Array).buffer).toBe(reader.last()?.buffer)
    expect(Buffer.from((back as Float64Array).buffer).equals(Buffer.from(values.buffer))).toBe(true)
  })
})
