import { describe, expect, test } from "vitest"
import { sha256Hex } from "../../../lib/codec/hash.js"
import { IntegrityError, NotFoundError } from "../../../lib/errors.js"
import { bytes, withStore } from "./fixtures.js"
import type { MakeHarness } from "./fixtures.js"

const MISSING = "0".repeat(64)

/** Blob methods: writeBlob, hasBlob, readBlob. */
export const blobSection = (make: MakeHarness): void => {
  describe("blobs", () => {
    test("writeBlob returns the sha256 and size, readBlob returns the same bytes", () =>
      withStore(make, async ({ store }) => {
        const data = bytes("hello, artifacts")
        const info = await store.writeBlob(data)
        expect(info).toEqual({ hash: sha256Hex(data), size: data.byteLength })
        expect(await store.hasBlob(info.hash)).toBe(true)
        expect(Buffer.from(await store.readBlob(info.hash)).equals(Buffer.from(data))).toBe(true)
      }))

    test("writes are idempotent, also when concurrent", () =>
      withStore(make, async ({ store }) => {
        const data = bytes("same")
        const infos = await Promise.all([store.writeBlob(data), store.writeBlob(data), store.writeBlob(bytes("same"))])
        expect(new Set(infos.map((info) => info.hash)).size).toBe(1)
        expect(await store.writeBlob(data)).toEqual(infos[0])
        expect(Buffer.from(await store.readBlob(sha256Hex(data))).toString()).toBe("same")
      }))

    test("the empty blob and a 5 MB blob round-trip", () =>
      withStore(make, async ({ store }) => {
        const empty = await store.writeBlob(new Uint8Array(0))
        expect((await store.readBlob(empty.hash)).byteLength).toBe(0)
        const large = Buffer.alloc(5 * 1024 * 1024)
        for (let i = 0; i < large.length; i += 997) large[i] = i & 0xff
        const info = await store.writeBlob(large)
        expect(info.size).toBe(large.length)
        expect(Buffer.from(await store.readBlob(info.hash)).equals(large)).toBe(true)
      }))

    test("a missing blob is NotFoundError, and hasBlob says false", () =>
      withStore(make, async ({ store }) => {
        expect(await store.hasBlob(MISSING)).toBe(false)
        await expect(store.readBlob(MISSING)).rejects.toBeInstanceOf(NotFoundError)
        await expect(store.readBlob(MISSING)).rejects.toThrow(MISSING)
      }))

    test("a hash that is not a sha256 cannot reach outside the store", () =>
      withStore(make, async ({ store }) => {
        for (const hash of ["../../etc/passwd", "", "ab/../cd", MISSING.toUpperCase()]) {
          expect(await store.hasBlob(hash)).toBe(false)
          await expect(store.readBlob(hash)).rejects.toBeInstanceOf(NotFoundError)
        }
      }))

    test("a tampered blob is IntegrityError, never wrong bytes", () =>
      withStore(make, async ({ store, corruptBlob }) => {
        const { hash } = await store.writeBlob(bytes("precious data"))
        await corruptBlob(hash)
        await expect(store.readBlob(hash)).rejects.toBeInstanceOf(IntegrityError)
        await expect(store.readBlob(hash)).rejects.toThrow(hash)
      }))

    test("a truncated blob is IntegrityError", () =>
      withStore(make, async ({ store, truncateBlob }) => {
        const { hash } = await store.writeBlob(bytes("precious data, and more of it"))
        await truncateBlob(hash)
        await expect(store.readBlob(hash)).rejects.toBeInstanceOf(IntegrityError)
      }))

    test("the caller reusing its buffer after writeBlob does not change the stored blob", () =>
      withStore(make, async ({ store }) => {
        for (const size of [16, 2 * 1024 * 1024]) {
          const data = new Uint8Array(size).fill(7)
          const { hash } = await store.writeBlob(data)
          data.fill(9)
          const stored = await store.readBlob(hash)
          expect(stored.every((byte) => byte === 7)).toBe(true)
        }
      }))

    test("changing bytes returned by readBlob does not change the stored blob", () =>
      withStore(make, async ({ store }) => {
        const { hash } = await store.writeBlob(bytes("abc"))
        ;(await store.readBlob(hash)).fill(0)
        expect(Buffer.from(await store.readBlob(hash)).toString()).toBe("abc")
      }))
  })
}
