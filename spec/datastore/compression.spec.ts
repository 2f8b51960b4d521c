/**
 * Compressed blobs: which artifacts are stored compressed, that they load back exactly on every store, that
 * the entry's hash never depends on compression, and that a damaged or lying compressed entry fails as
 * IntegrityError naming the artifact instead of returning wrong data or allocating without bound.
 */
import { randomBytes } from "node:crypto"
import { constants, createBrotliCompress } from "node:zlib"
import { describe, expect, test } from "vitest"
import { COMPRESSION_MAX_RATIO, COMPRESSION_MIN_BYTES } from "../../lib/codec/compress.js"
import { contentHash } from "../../lib/codec/encode.js"
import { sha256Hex } from "../../lib/codec/hash.js"
import { loadValue } from "../../lib/datastore/load.js"
import type { ArtifactLocation } from "../../lib/datastore/load.js"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { IntegrityError, NotFoundError } from "../../lib/errors.js"
import { encoded } from "../codec/helpers.js"
import type { StoreHarness } from "./contract.js"
import { stored, sameBytes } from "./contract/fixtures.js"
import { localHarness } from "./localHarness.js"
import { memoryHarness } from "./memoryHarness.js"

const where: ArtifactLocation = { flow: "Train", runId: "r7", step: "fit", taskId: "3", artifact: "rows" }
/** An error message must name every part of the location. */
const naming = /'Train'.*'r7'.*'fit'.*'3'.*'rows'/

const hashOf = (value: unknown): string => {
  const hash = contentHash(value)
  if (hash._tag === "Left") throw new Error("expected storable")
  return hash.right
}

/** Rows like a data frame's: text that compresses well, well above the compression threshold. */
const rows = (count: number): ReadonlyArray<{ id: number; name: string; score: number }> =>
  Array.from({ length: count }, (_, i) => ({ id: i, name: `item${i}`, score: i / 8 }))

/** Printable ASCII with no pattern: about 6.6 bits of information per byte, more than brotli can save. */
const noise = (length: number): string =>
  Array.from(randomBytes(length), (byte) => String.fromCharCode(32 + (byte % 95))).join("")

/** Brotli of `megabytes` MiB of zeros, built in 1 MiB writes: a few KB that expand enormously. */
const brotliBomb = async (megabytes: number): Promise<Buffer> => {
  const compressor = createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 1 } })
  const chunks: Array<Buffer> = []
  compressor.on("data", (chunk: Buffer) => chunks.push(chunk))
  const zeros = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < megabytes; i++) compressor.write(zeros)
  compressor.end()
  await new Promise((resolve) => compressor.on("end", resolve))
  return Buffer.concat(chunks)
}

describe.each([
  ["memory", memoryHarness],
  ["local", () => localHarness()]
])("%s store: compressed blobs", (_name, makeHarness) => {
  const withHarness = (body: (harness: StoreHarness) => Promise<void>) => async () => {
    const harness = await makeHarness()
    try {
      await body(harness)
    } finally {
      await harness.cleanup()
    }
  }

  describe("what is compressed", () => {
    test(
      "large JSON text is stored compressed, under its uncompressed hash, and loads back exactly",
      withHarness(async ({ store }) => {
        const value = rows(5_000)
        const entry = await stored(store, value)
        const bytes = encoded(value).bytes
        expect(entry).toMatchObject({ encoding: "json", size: bytes.byteLength, hash: sha256Hex(bytes) })
        expect(entry.stored?.compression).toBe("br")
        expect(entry.stored?.size).toBeLessThan(entry.size * COMPRESSION_MAX_RATIO)
        expect(sha256Hex(await store.readBlob(entry.stored?.hash ?? ""))).toBe(entry.stored?.hash)
        // Only the compressed form is written: the uncompressed bytes have no blob of their own.
        expect(await store.hasBlob(entry.hash)).toBe(false)
        expect(await loadValue(store, entry, where)).toStrictEqual(value)
      })
    )

    test(
      "large seroval text is compressed too, and Map, Date, bigint and -0 come back exact",
      withHarness(async ({ store }) => {
        const value = new Map(
          rows(2_000).map((row) => [row.id, { ...row, at: new Date(row.id), big: BigInt(row.id) ** 3n, zero: -0 }])
        )
        const entry = await stored(store, value)
        expect(entry.encoding).toBe("seroval")
        expect(entry.stored?.compression).toBe("br")
        expect(await loadValue(store, entry, where)).toStrictEqual(value)
      })
    )

    test(
      "raw binary is never compressed, however well it would shrink",
      withHarness(async ({ store }) => {
        const value = new Float64Array(20_000)
        const entry = await stored(store, value)
        expect(entry.encoding).toBe("raw")
        expect(entry.stored).toBeUndefined()
        expect((await store.readBlob(entry.hash)).byteLength).toBe(value.byteLength)
        const back = await loadValue(store, entry, where)
        expect(back).toBeInstanceOf(Float64Array)
        expect(sameBytes(back as Float64Array, value)).toBe(true)
      })
    )

    test(
      "attachments (binary nested in text) are never compressed; the text around them is",
      withHarness(async ({ store }) => {
        const value = { weights: new Float32Array(20_000), rows: rows(5_000) }
        const entry = await stored(store, value)
        expect(entry.stored?.compression).toBe("br")
        const attachment = entry.attachments?.[0]
        expect(attachment?.size).toBe(value.weights.byteLength)
        expect((await store.readBlob(attachment?.hash ?? "")).byteLength).toBe(value.weights.byteLength)
        const back = (await loadValue(store, entry, where)) as typeof value
        expect(back.rows).toStrictEqual(value.rows)
        expect(back.weights).toBeInstanceOf(Float32Array)
        expect(sameBytes(back.weights, value.weights)).toBe(true)
      })
    )

    test(
      "text that does not shrink enough is stored as it is",
      withHarness(async ({ store }) => {
        const value = noise(200_000)
        const entry = await stored(store, value)
        expect(entry.stored).toBeUndefined()
        expect(sha256Hex(await store.readBlob(entry.hash))).toBe(entry.hash)
        expect(await loadValue(store, entry, where)).toBe(value)
      })
    )

    test(
      "text blobs below the compression threshold are stored as they are",
      withHarness(async ({ store }) => {
        const value = "x".repeat(COMPRESSION_MIN_BYTES - 100)
        const entry = await stored(store, value)
        expect(entry.inline).toBeUndefined()
        expect(entry.stored).toBeUndefined()
        expect(await loadValue(store, entry, where)).toBe(value)
      })
    )
  })

  describe("identity", () => {
    test(
      "equal values have equal hashes, compressed or not, key order ignored",
      withHarness(async ({ store }) => {
        const value = rows(5_000)
        const reordered = value.map(({ score, name, id }) => ({ score, name, id }))
        const entry = await stored(store, value)
        expect(entry.stored).toBeDefined()
        expect((await stored(store, reordered)).hash).toBe(entry.hash)
        // The hash a join's `equal` compares, which never compresses, and the address of the uncompressed bytes.
        expect(hashOf(value)).toBe(entry.hash)
        expect((await store.writeBlob(encoded(value).bytes)).hash).toBe(entry.hash)
      })
    )

    test(
      "an entry written before compression existed (no `stored`) still loads",
      withHarness(async ({ store }) => {
        const value = rows(5_000)
        const bytes = encoded(value).bytes
        const { hash, size } = await store.writeBlob(bytes)
        const old: ArtifactEntry = { hash, size, type: "Array", encoding: "json" }
        expect(await loadValue(store, old, where)).toStrictEqual(value)
      })
    )
  })

  describe("damage", () => {
    test(
      "a tampered compressed blob is IntegrityError naming the artifact and the blob",
      withHarness(async ({ store, corruptBlob }) => {
        const entry = await stored(store, rows(5_000))
        const blob = entry.stored?.hash ?? ""
        await corruptBlob(blob)
        const loading = loadValue(store, entry, where)
        await expect(loading).rejects.toBeInstanceOf(IntegrityError)
        await expect(loading).rejects.toThrow(naming)
        await expect(loading).rejects.toThrow(blob)
      })
    )

    test(
      "a truncated compressed blob is IntegrityError",
      withHarness(async ({ store, truncateBlob }) => {
        const entry = await stored(store, rows(5_000))
        await truncateBlob(entry.stored?.hash ?? "")
        await expect(loadValue(store, entry, where)).rejects.toBeInstanceOf(IntegrityError)
      })
    )

    test(
      "a missing compressed blob is NotFoundError naming the artifact",
      withHarness(async ({ store }) => {
        const entry = await stored(store, rows(5_000))
        const moved = { ...entry, stored: { hash: "2".repeat(64), size: 10, compression: "br" as const } }
        await expect(loadValue(store, moved, where)).rejects.toBeInstanceOf(NotFoundError)
        await expect(loadValue(store, moved, where)).rejects.toThrow(naming)
      })
    )

    test(
      "a recorded size smaller than the expanded bytes is IntegrityError",
      withHarness(async ({ store }) => {
        const entry = await stored(store, rows(5_000))
        const lying = { ...entry, size: entry.size - 1 }
        await expect(loadValue(store, lying, where)).rejects.toBeInstanceOf(IntegrityError)
        await expect(loadValue(store, lying, where)).rejects.toThrow(`expands to more than ${entry.size - 1} bytes`)
        const larger = { ...entry, size: entry.size + 1 }
        await expect(loadValue(store, larger, where)).rejects.toThrow(
          `expands to ${entry.size} bytes, not ${entry.size + 1}`
        )
      })
    )

    test(
      "a decompression bomb stops at the recorded size: IntegrityError, not 256 MiB of memory",
      withHarness(async ({ store }) => {
        const bomb = await brotliBomb(256)
        const blob = await store.writeBlob(bomb)
        const entry: ArtifactEntry = {
          hash: sha256Hex("{}"),
          size: 65_536,
          type: "object",
          encoding: "json",
          stored: { hash: blob.hash, size: blob.size, compression: "br" }
        }
        const loading = loadValue(store, entry, where)
        await expect(loading).rejects.toBeInstanceOf(IntegrityError)
        // Cut off at the limit, not measured after expanding everything.
        await expect(loading).rejects.toThrow(/expands to more than 65536 bytes/)
        await expect(loading).rejects.toThrow(naming)
      })
    )

    test(
      "bytes that expand right but hash otherwise are IntegrityError",
      withHarness(async ({ store }) => {
        const entry = await stored(store, rows(5_000))
        const other = await stored(store, rows(5_000).map((row) => ({ ...row, id: row.id + 1e9 })))
        const swapped = { ...entry, size: other.size, stored: other.stored }
        await expect(loadValue(store, swapped, where)).rejects.toThrow(/expands to bytes that hash to/)
      })
    )

    test.each([
      ["an unknown compression", { compression: "zstd" }, /compressed with 'zstd'/],
      ["a stored hash that is not a sha256", { hash: "../../etc/passwd" }, /not a sha256/],
      ["a size that is not a number", { size: "10" }, /not a sha256 and a size/]
    ])(
      "an entry with %s is IntegrityError",
      (_case, change, message) =>
        withHarness(async ({ store }) => {
          const entry = await stored(store, rows(5_000))
          const odd = { ...entry, stored: { ...entry.stored, ...change } } as unknown as ArtifactEntry
          await expect(loadValue(store, odd, where)).rejects.toBeInstanceOf(IntegrityError)
          await expect(loadValue(store, odd, where)).rejects.toThrow(message)
        })()
    )

    test(
      "an entry both inline and compressed, or with an impossible size, is IntegrityError",
      withHarness(async ({ store }) => {
        const entry = await stored(store, rows(5_000))
        const both = { ...entry, inline: "[]" }
        await expect(loadValue(store, both, where)).rejects.toThrow(/both inline and in a blob/)
        for (const size of [-1, 0, 1.5, 2 ** 53]) {
          await expect(loadValue(store, { ...entry, size }, where)).rejects.toThrow(/not a length/)
        }
      })
    )
  })
})
