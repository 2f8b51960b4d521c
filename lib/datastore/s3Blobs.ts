/**
 * Blobs in S3, written once, read verified, and kept in a local read-through cache.
 *
 *     <prefix>blobs/<first 2 hex>/<sha256>   a blob: its bytes, or (for a large one) an empty pointer object
 *                                           whose metadata names the object holding the bytes
 *     <prefix>data/<uuid>                   the bytes of a large blob, uploaded in parts
 *
 * A small blob is hashed, then written under its hash with `If-None-Match: *`: of concurrent writers of the
 * same bytes one creates it and the others find it there, which is not an error. A large one is uploaded as
 * parallel multipart parts to a fresh `data/` key while it is hashed (one pass over the bytes: its name is
 * only known at the end), then published by creating its pointer under the hash, again with `If-None-Match`;
 * a writer that finds a pointer there deletes its own copy. Until the pointer exists nothing is visible under
 * the hash: an upload that fails is aborted, and one cut short by a crash is never completed and is swept once
 * it is an hour old ({@link S3Blobs.sweepUploads}).
 */
import { createHash, randomUUID } from "node:crypto"
import { isSha256Hex, sha256Hex } from "../codec/hash.js"
import { IntegrityError, NotFoundError } from "../errors.js"
import type { BlobInfo } from "./Datastore.js"
import type { ReadCache } from "./readCache.js"
import type { S3Api } from "./s3Api.js"

/** Blobs up to this size are one PutObject; larger ones are multipart uploads. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024
/** Size of each uploaded part (S3 takes 5 MiB to 5 GiB, and at most 10,000 parts: up to 160 GiB here). */
const PART_SIZE = 16 * 1024 * 1024
/** Parts in flight at once. */
const PARALLEL_PARTS = 6
/** Multipart uploads older than this are a crashed writer's, never a live one's. */
export const STALE_UPLOAD_MS = 60 * 60 * 1000

/** The pointer object's metadata key (S3 lower-cases metadata names) naming the key that holds the bytes. */
const DATA_KEY = "artiflow-data"

/** Runs `start(i)` for i in 0..count-1, in order, with at most `limit` of the returned promises pending. */
const inOrderLimited = async (count: number, limit: number, start: (i: number) => Promise<void>): Promise<void> => {
  const pending = new Set<Promise<void>>()
  let failure: { readonly error: unknown } | undefined
  for (let i = 0; i < count && failure === undefined; i++) {
    if (pending.size >= limit) await Promise.race(pending)
    if (failure !== undefined) break
    const job = start(i).then(
      () => void pending.delete(job),
      (error: unknown) => {
        pending.delete(job)
        failure ??= { error }
      }
    )
    pending.add(job)
  }
  await Promise.all(pending)
  if (failure !== undefined) throw failure.error
}

export class S3Blobs {
  private lastSweep = 0

  constructor(
    private readonly api: S3Api,
    private readonly prefix: string,
    private readonly cache: ReadCache | undefined,
    private readonly description: string
  ) {}

  /** The key a blob is found under. */
  key(hash: string): string {
    return `${this.prefix}blobs/${hash.slice(0, 2)}/${hash}`
  }

  async write(bytes: Uint8Array): Promise<BlobInfo> {
    if (bytes.byteLength <= MULTIPART_THRESHOLD) {
      const hash = sha256Hex(bytes)
      await this.api.put(this.key(hash), bytes, { onlyIfNew: true })
      return { hash, size: bytes.byteLength }
    }
    return this.writeLarge(bytes)
  }

  /** The multipart path: upload and hash in one pass, then publish the pointer under the hash. */
  private async writeLarge(bytes: Uint8Array): Promise<BlobInfo> {
    const dataKey = `${this.prefix}data/${randomUUID()}`
    const uploadId = await this.api.startUpload(dataKey)
    const hasher = createHash("sha256")
    const parts = Math.ceil(bytes.byteLength / PART_SIZE)
    const etags: Array<string> = new Array(parts)
    try {
      await inOrderLimited(parts, PARALLEL_PARTS, async (i) => {
        const part = bytes.subarray(i * PART_SIZE, Math.min((i + 1) * PART_SIZE, bytes.byteLength))
        const upload = this.api.uploadPart(dataKey, uploadId, i + 1, part)
        upload.catch(() => {}) // awaited below; a failure meanwhile must not count as unhandled
        // Let the request start, then hash the part while its bytes go out: parts are hashed in order, each
        // once, and the hash is ready when the last part is.
        await new Promise<void>((resolve) => setImmediate(resolve))
        hasher.update(part)
        etags[i] = await upload
      })
      await this.api.completeUpload(dataKey, uploadId, etags)
    } catch (error) {
      await this.api.abortUpload(dataKey, uploadId).catch(() => {})
      throw error
    }
    const hash = hasher.digest("hex")
    const published = await this.api.put(this.key(hash), "", { onlyIfNew: true, metadata: { [DATA_KEY]: dataKey } })
    if (published === "exists") await this.api.deleteAll([dataKey]).catch(() => {})
    return { hash, size: bytes.byteLength }
  }

  async has(hash: string): Promise<boolean> {
    return isSha256Hex(hash) && this.api.exists(this.key(hash))
  }

  async read(hash: string): Promise<Uint8Array> {
    if (!isSha256Hex(hash)) throw new NotFoundError(`artiflow: blob ${hash} not found in the ${this.description}`)
    const cached = await this.cache?.read(hash)
    if (cached !== undefined) return cached
    const hasher = createHash("sha256")
    const object = await this.api.get(this.key(hash), (chunk) => hasher.update(chunk))
    if (object === undefined) throw new NotFoundError(`artiflow: blob ${hash} not found in the ${this.description}`)
    let bytes = object.bytes
    const dataKey = object.metadata[DATA_KEY]
    if (dataKey !== undefined) {
      const dataHasher = createHash("sha256")
      const data = await this.api.get(dataKey, (chunk) => dataHasher.update(chunk))
      if (data === undefined) {
        throw new IntegrityError(`artiflow: blob ${hash} in the ${this.description} points to ${dataKey}, which is missing`)
      }
      bytes = data.bytes
      this.check(hash, dataHasher.digest("hex"))
    } else {
      this.check(hash, hasher.digest("hex"))
    }
    this.cache?.keep(hash, bytes)
    return bytes
  }

  private check(hash: string, actual: string): void {
    if (actual !== hash) {
      throw new IntegrityError(`artiflow: blob ${hash} in the ${this.description} is corrupt: its bytes hash to ${actual}`)
    }
  }

  /**
   * Aborts multipart uploads under `data/` that a crashed writer left (older than an hour), at most once an
   * hour per store object: their parts take space but are never visible.
   */
  async sweepUploads(now = Date.now()): Promise<void> {
    if (now - this.lastSweep < STALE_UPLOAD_MS) return
    this.lastSweep = now
    for (const upload of await this.api.pendingUploads(`${this.prefix}data/`)) {
      if (now - upload.startedAt > STALE_UPLOAD_MS) await this.api.abortUpload(upload.key, upload.uploadId).catch(() => {})
    }
  }
}
