/**
 * Hashing file I/O for the local store's blobs, built for large blobs: hashing overlaps the disk I/O and bytes
 * are never copied or concatenated, so storing or loading a blob holds one copy of it in memory, not two.
 *
 * - Writing goes piece by piece: each piece's write is queued on libuv's thread pool and the main thread
 *   hashes the same memory meanwhile, so the cost is about max(write, hash), not their sum. Pieces also keep
 *   every call under Node's limits: one `write` takes at most 2 GiB - 1 bytes, and so does one hash update.
 * - Reading allocates the whole blob once (its size is known from fstat), reads it in chunks into place,
 *   and hashes each chunk on the main thread while the next one is being read.
 *
 * sha256 runs at ~1.1 GB/s here, about the speed of a page-cache write, so hashing sets the pace.
 */
import { createHash } from "node:crypto"
import { promises as fs } from "node:fs"
import { writeAll } from "./localFiles.js"

const READ_CHUNK = 2 * 1024 * 1024

/**
 * Bytes written and hashed per round. Each round waits for its write, so fewer rounds overlap better: writing
 * 1 GiB took about hash time plus 10% in 256 MiB rounds, plus 15-25% in 64 MiB rounds, plus 30-40% in 8 MiB
 * rounds (measured here). Still far below the 2 GiB limits of a single write or hash update.
 */
export const WRITE_PIECE = 256 * 1024 * 1024

/**
 * Writes `bytes` to a new file at `path` (which must not exist) and returns their sha256, computed while
 * the write is in flight. With `fsync`, the file is flushed to disk before this resolves. `piece` is how many
 * bytes each round writes and hashes (tests make it small).
 */
export const writeNewFileHashing = async (
  path: string,
  bytes: Uint8Array,
  fsync: boolean,
  piece: number = WRITE_PIECE
): Promise<string> => {
  const handle = await fs.open(path, "wx")
  try {
    const hasher = createHash("sha256")
    for (let start = 0; start < bytes.byteLength; start += piece) {
      const part = bytes.subarray(start, Math.min(start + piece, bytes.byteLength))
      const writing = writeAll(handle, part, start)
      // The write is already queued on the thread pool: hash the same memory while it runs.
      hasher.update(part)
      await writing
    }
    if (fsync) await handle.sync()
    return hasher.digest("hex")
  } finally {
    await handle.close()
  }
}

/** A file's bytes and their sha256. */
export interface HashedBytes {
  readonly bytes: Uint8Array
  readonly hash: string
}

/**
 * Reads a whole file and hashes it, overlapping the two. Rejects like `fs.open` (ENOENT...) when the file
 * cannot be opened. A file that shrinks while it is read yields fewer bytes (and so a different hash).
 */
export const readFileHashing = async (path: string): Promise<HashedBytes> => {
  const handle = await fs.open(path, "r")
  try {
    const { size } = await handle.stat()
    // Every byte is overwritten by the read (a short read is cut off below). Never from Buffer's shared pool:
    // the caller gets the whole ArrayBuffer, aligned at offset 0, and nothing else in it, so that a decoded
    // typed array can be a view on it rather than a copy.
    const buffer = Buffer.allocUnsafeSlow(size)
    const hasher = createHash("sha256")
    let offset = 0
    let pending = size > 0 ? handle.read(buffer, 0, Math.min(READ_CHUNK, size), 0) : undefined
    while (pending !== undefined) {
      const { bytesRead } = await pending
      const start = offset
      offset += bytesRead
      const more = bytesRead > 0 && offset < size
      pending = more ? handle.read(buffer, offset, Math.min(READ_CHUNK, size - offset), offset) : undefined
      hasher.update(buffer.subarray(start, offset))
    }
    return { bytes: offset === size ? buffer : buffer.subarray(0, offset), hash: hasher.digest("hex") }
  } finally {
    await handle.close()
  }
}
