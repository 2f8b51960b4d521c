/**
 * Compression of large text encodings before they become blobs: brotli at quality 1. Measured here on 1e6
 * objects `{ id, name, score }` (49.5 MB of JSON): about 220 MB/s for a 13× smaller blob (3.7 MB), expanded
 * again at about 350 MB/s. gzip level 1 is no faster and leaves a blob twice as large; quality 0 is no faster
 * either; quality 2 saves 40% more for 1.4× the time, quality 4 half again for 4× the time.
 *
 * Both directions run on libuv's thread pool (the async zlib API): the main thread stays free to hash the
 * same bytes meanwhile, and other tasks keep running.
 *
 * Binary encodings are never compressed: float data does not shrink, and raw blobs must stay zero-copy.
 */
import { left, right } from "./either.js"
import type { Either } from "fp-ts/lib/Either.js"
import { promisify } from "node:util"
import { brotliCompress, brotliDecompress, brotliDecompressSync, constants } from "node:zlib"
import type { Compression } from "../datastore/Manifest.js"

export type { Compression }

/**
 * Text smaller than this is stored as it is. Below it a blob costs about one file creation whatever its size
 * (many small files, not bytes, are what is slow here), so compressing would save no time and little space.
 */
export const COMPRESSION_MIN_BYTES = 64 * 1024

/**
 * A compressed form is kept only when it is at most this fraction of the original. Reading it back costs a
 * decompression (slower than reading the bytes as they are from the page cache), which a blob that shrinks
 * by less than a quarter does not repay; it also leaves near-random text (ids, base64: 75–85% at best) as is.
 */
export const COMPRESSION_MAX_RATIO = 0.75

/**
 * Output buffer size when compressing. Each buffer filled is a round trip between the thread pool and the
 * main thread: with zlib's default 16 KiB, 49.5 MB of JSON took twice as long as compressing synchronously;
 * with 1 MiB, as long (and the main thread is free meanwhile).
 */
const COMPRESS_CHUNK = 1024 * 1024

const compressAsync = promisify(brotliCompress)
const decompressAsync = promisify(brotliDecompress)

/** Whether `name` is a compression this version reads. */
export const isCompression = (name: unknown): name is Compression => name === "br"

/** Whether text of this encoding and size is worth an attempt at compression. */
export const worthCompressing = (encoding: string, size: number): boolean =>
  (encoding === "json" || encoding === "seroval") && size >= COMPRESSION_MIN_BYTES

/**
 * The brotli form of `bytes` when it is at most {@link COMPRESSION_MAX_RATIO} of their size, else
 * `undefined`. `bytes` must not change until this resolves (the thread pool reads them).
 *
 * @example
 * const packed = await compressText(Buffer.from(JSON.stringify(rows))) // Uint8Array, or undefined
 */
export const compressText = async (bytes: Uint8Array): Promise<Uint8Array | undefined> => {
  const packed = await compressAsync(bytes, {
    chunkSize: Math.max(constants.Z_MIN_CHUNK, Math.min(bytes.byteLength, COMPRESS_CHUNK)),
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 1,
      // The exact size lets brotli pick its window and buffers once instead of growing them.
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength
    }
  })
  return packed.byteLength <= bytes.byteLength * COMPRESSION_MAX_RATIO ? packed : undefined
}

/**
 * Expands bytes compressed with `compression` into exactly `size` bytes, or says why it cannot: unknown
 * compression, corrupt data, or output that is longer or shorter than `size`. Output stops as soon as it
 * passes `size`, so a decompression bomb or a lying size costs about what `size` says (zlib's next buffer
 * is allocated, barely written), never what the data would expand to. `size` must be a positive safe
 * integer no larger than a Buffer can be.
 *
 * @example
 * await expand("br", packed, 49_555_561) // right(<49,555,561 bytes>)
 */
export const expand = async (
  compression: string,
  bytes: Uint8Array,
  size: number
): Promise<Either<string, Uint8Array>> => {
  if (!isCompression(compression)) return left(`unknown compression '${compression}'`)
  try {
    // One output buffer of the expected size: one round trip, nothing to concatenate (half the time on 49.5 MB).
    return checkedSize(await decompressAsync(bytes, expandOptions(size)), size)
  } catch (error) {
    return left(expandFailure(error, size))
  }
}

/** {@link expand} on the calling thread, for a reader that must not wait (a worker's lazy record). */
export const expandSync = (compression: string, bytes: Uint8Array, size: number): Either<string, Uint8Array> => {
  if (!isCompression(compression)) return left(`unknown compression '${compression}'`)
  try {
    return checkedSize(brotliDecompressSync(bytes, expandOptions(size)), size)
  } catch (error) {
    return left(expandFailure(error, size))
  }
}

const expandOptions = (size: number) => ({ maxOutputLength: size, chunkSize: Math.max(size, constants.Z_MIN_CHUNK) })

const checkedSize = (out: Uint8Array, size: number): Either<string, Uint8Array> =>
  out.byteLength === size ? right(out) : left(`it expands to ${out.byteLength} bytes, not ${size}`)

const expandFailure = (error: unknown, size: number): string => {
  const tooLarge = (error as { readonly code?: unknown }).code === "ERR_BUFFER_TOO_LARGE"
  const reason = error instanceof Error ? error.message : String(error)
  return tooLarge ? `it expands to more than ${size} bytes` : `it does not decompress (${reason})`
}
