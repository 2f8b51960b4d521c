import { describe, expect, test } from "vitest"
import { sha256Hex } from "../../../lib/codec/hash.js"
import { INLINE_LIMIT, storeValue } from "../../../lib/datastore/artifacts.js"
import { loadValue } from "../../../lib/datastore/load.js"
import type { ArtifactLocation } from "../../../lib/datastore/load.js"
import type { ArtifactEntry } from "../../../lib/datastore/Manifest.js"
import { IntegrityError, NotFoundError } from "../../../lib/errors.js"
import { sameBytes, stored, withStore } from "./fixtures.js"
import type { MakeHarness } from "./fixtures.js"

const where: ArtifactLocation = { flow: "Train", runId: "r7", step: "fit", taskId: "3", artifact: "weights" }
/** An error message must name every part of the location, and the hash. */
const naming = (hash: string): RegExp => new RegExp(`'Train'.*'r7'.*'fit'.*'3'.*'weights'.*${hash}`)


/** The artifact layer over the adapter: storeValue and loadValue. */
export const artifactSection = (make: MakeHarness): void => {
  describe("artifacts (storeValue / loadValue)", () => {
    test("small values are inline: no blob is written, and they load back", () =>
      withStore(make, async ({ store }) => {
        const value = { score: 0.5, tags: ["a"] }
        const entry = await stored(store, value)
        expect(entry).toMatchObject({ encoding: "json", type: "object", inline: '{"score":0.5,"tags":["a"]}' })
        expect(entry.hash).toBe(sha256Hex(entry.inline ?? ""))
        expect(entry.size).toBe(Buffer.byteLength(entry.inline ?? ""))
        expect(await store.hasBlob(entry.hash)).toBe(false)
        expect(await loadValue(store, entry, where)).toStrictEqual(value)
      }))

    test("values beyond the inline limit become blobs with the same kind of hash", () =>
      withStore(make, async ({ store }) => {
        const value = { text: "x".repeat(INLINE_LIMIT), when: new Date(0) }
        const entry = await stored(store, value)
        expect(entry.inline).toBeUndefined()
        expect(entry.encoding).toBe("seroval")
        expect(await store.hasBlob(entry.hash)).toBe(true)
        expect(sha256Hex(await store.readBlob(entry.hash))).toBe(entry.hash)
        expect(await loadValue(store, entry, where)).toStrictEqual(value)
      }))

    test("a 5 MB Float64Array is a raw blob and loads back as a Float64Array", () =>
      withStore(make, async ({ store }) => {
        const value = Float64Array.from({ length: (5 * 1024 * 1024) / 8 }, (_, i) => Math.sin(i))
        const entry = await stored(store, value)
        expect(entry).toMatchObject({ encoding: "raw", type: "Float64Array", size: value.byteLength })
        const back = await loadValue(store, entry, where)
        expect(back).toBeInstanceOf(Float64Array)
        expect(sameBytes(back as Float64Array, value)).toBe(true)
      }))

    test("nested large binary values are attachments, each a blob", () =>
      withStore(make, async ({ store }) => {
        const value = {
          weights: new Float64Array(200_000).fill(0.25),
          bias: new Float32Array(50_000).fill(2),
          name: "m"
        }
        const entry = await stored(store, value)
        expect(entry.attachments).toHaveLength(2)
        for (const attachment of entry.attachments ?? []) expect(await store.hasBlob(attachment.hash)).toBe(true)
        expect(entry.inline).toBeDefined()
        const back = (await loadValue(store, entry, where)) as typeof value
        expect(back.name).toBe("m")
        expect(sameBytes(back.weights, value.weights)).toBe(true)
        expect(sameBytes(back.bias, value.bias)).toBe(true)
      }))

    test("equal values give equal entries whatever their key order", () =>
      withStore(make, async ({ store }) => {
        const a = await stored(store, { m: new Map([[1, { y: 1, x: 2 }]]), b: 1 })
        const b = await stored(store, { b: 1, m: new Map([[1, { x: 2, y: 1 }]]) })
        expect(a).toEqual(b)
      }))

    test("a value that is not storable is a Left naming what and where", () =>
      withStore(make, async ({ store }) => {
        expect(await storeValue(store, { model: { predict: () => 1 } })).toEqual({
          _tag: "Left",
          left: { _tag: "NotStorable", what: "a function", path: "model.predict" }
        })
      }))

    test("a corrupt blob is IntegrityError naming the flow, run, step, task, artifact and hash", () =>
      withStore(make, async ({ store, corruptBlob }) => {
        const entry = await stored(store, "y".repeat(INLINE_LIMIT + 1))
        await corruptBlob(entry.hash)
        const loading = loadValue(store, entry, where)
        await expect(loading).rejects.toBeInstanceOf(IntegrityError)
        await expect(loadValue(store, entry, where)).rejects.toThrow(naming(entry.hash))
      }))

    test("a tampered inline value is IntegrityError", () =>
      withStore(make, async ({ store }) => {
        const entry = await stored(store, { score: 1 })
        const tampered = { ...entry, inline: '{"score":2}', size: 11 }
        await expect(loadValue(store, tampered, where)).rejects.toBeInstanceOf(IntegrityError)
        await expect(loadValue(store, tampered, where)).rejects.toThrow(naming(entry.hash))
      }))

    test("an entry that lies about its encoding or size is IntegrityError", () =>
      withStore(make, async ({ store }) => {
        const entry = await stored(store, { score: 1 })
        await expect(loadValue(store, { ...entry, encoding: "seroval" }, where)).rejects.toThrow(naming(entry.hash))
        await expect(loadValue(store, { ...entry, size: 1 }, where)).rejects.toBeInstanceOf(IntegrityError)
        await expect(loadValue(store, { ...entry, hash: "../x" }, where)).rejects.toBeInstanceOf(IntegrityError)
      }))

    test("a missing blob is NotFoundError naming the artifact", () =>
      withStore(make, async ({ store }) => {
        const entry: ArtifactEntry = { hash: "1".repeat(64), size: 70_000, type: "Float64Array", encoding: "raw" }
        await expect(loadValue(store, entry, where)).rejects.toBeInstanceOf(NotFoundError)
        await expect(loadValue(store, entry, where)).rejects.toThrow(naming(entry.hash))
      }))

    test("a corrupt or swapped attachment is IntegrityError", () =>
      withStore(make, async ({ store, corruptBlob }) => {
        const entry = await stored(store, { w: new Float64Array(10_000).fill(1) })
        const other = await stored(store, { w: new Float64Array(10_000).fill(2) })
        const swapped = { ...entry, attachments: other.attachments }
        await expect(loadValue(store, swapped, where)).rejects.toThrow(naming(entry.hash))
        const attachment = entry.attachments?.[0]?.hash ?? ""
        await corruptBlob(attachment)
        await expect(loadValue(store, entry, where)).rejects.toBeInstanceOf(IntegrityError)
        await expect(loadValue(store, entry, where)).rejects.toThrow(/attachment 0/)
      }))
  })
}
