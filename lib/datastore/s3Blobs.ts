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
 *
 * A write that finds its blob already stored touches it (a copy onto itself, which only refreshes its
 * modification time): gc spares blobs touched within its grace period, so a writer that deduplicated against
 * an old blob keeps it until the manifest that references it is committed.
 */
import { createHash, randomUUID } from "node:crypto"
import { isSha256Hex, sha256Hex } from "../codec/hash.js"
import { IntegrityError, NotFoundError } from "../errors.js"
import type { BlobInfo, StoredBlobInfo } from "./Datastore.js"
import { mapLimited } from "./localFiles.js"
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

/** How many times a write retries when a gc deletes the blob it found between finding and touching it. */
const TOUCH_TRIES = 3

/** Requests in flight at once when gc inspects blobs one by one. */
const HEAD_CONCURRENCY = 32

/** sha256 of no bytes: the one blob whose object is empty without being a large blob's pointer. */
const EMPTY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

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
      const key = this.key(hash)
      for (let tries = 1; ; tries++) {
        if ((await this.api.put(key, bytes, { onlyIfNew: true })) === "created") break
        if ((await this.api.touch(key, {})) || tries === TOUCH_TRIES) break
      }
      return { hash, size: bytes.byteLength }
    }
    return this.writeLarge(bytes)
  }

  /** Publishes a large blob's pointer, or touches the one already there (then `dataKey` is not needed). */
  private async publish(hash: string, dataKey: string): Promise<void> {
    const key = this.key(hash)
    for (let tries = 1; ; tries++) {
      if ((await this.api.put(key, "", { onlyIfNew: true, metadata: { [DATA_KEY]: dataKey } })) === "created") return
      const pointer = await this.api.head(key)
      if ((pointer !== undefined && (await this.api.touch(key, pointer.metadata))) || tries === TOUCH_TRIES) break
    }
    await this.api.deleteAll([dataKey]).catch(() => {})
  }

  /**
   * Every blob, a listing page at a time, with its size and modification time. A large blob's object is an
   * empty pointer: its size is its data object's (two more requests, for the few blobs over 16 MiB).
   */
  async *list(): AsyncIterable<ReadonlyArray<StoredBlobInfo>> {
    for await (const objects of this.api.listPages(`${this.prefix}blobs/`)) {
      const blobs = objects.filter((object) => {
        const hash = object.key.slice(object.key.lastIndexOf("/") + 1)
        return isSha256Hex(hash) && object.key === this.key(hash)
      })
      const page = await mapLimited(blobs, HEAD_CONCURRENCY, async (object): Promise<StoredBlobInfo> => {
        const hash = object.key.slice(object.key.lastIndexOf("/") + 1)
        const size = object.size === 0 && hash !== EMPTY_HASH ? await this.dataSize(object.key) : object.size
        return { hash, size, touchedAt: object.lastModified }
      })
      if (page.length > 0) yield page
    }
  }

  /** The size of the bytes a pointer names (0 when it is gone, or points nowhere). */
  private async dataSize(pointerKey: string): Promise<number> {
    const dataKey = (await this.api.head(pointerKey))?.metadata[DATA_KEY]
    return dataKey === undefined ? 0 : ((await this.api.head(dataKey))?.size ?? 0)
  }

  /**
   * Deletes the blobs not touched after `notTouchedAfter`. Each blob's time is read again (HEAD) right before
   * the batch is deleted (DeleteObjects, 1,000 keys a request), so that a writer that deduplicated against it
   * since gc listed it keeps it. Pointers go before the data they name: a pointer without data would be a
   * damaged blob, data without a pointer is only unreachable bytes.
   */
  async delete(hashes: ReadonlyArray<string>, notTouchedAfter: number): Promise<ReadonlyArray<BlobInfo>> {
    const candidates = hashes.filter(isSha256Hex)
    const heads = await mapLimited(candidates, HEAD_CONCURRENCY, (hash) => this.api.head(this.key(hash)))
    const doomed: Array<{ readonly hash: string; readonly size: number; readonly dataKey: string | undefined }> = []
    for (const [i, head] of heads.entries()) {
      if (head === undefined || head.lastModified > notTouchedAfter) continue
      const dataKey = head.metadata[DATA_KEY]
      const size = dataKey === undefined ? head.size : ((await this.api.head(dataKey))?.size ?? 0)
      doomed.push({ hash: candidates[i] as string, size, dataKey })
    }
    await this.api.deleteAll(doomed.map((blob) => this.key(blob.hash)))
    await this.api.deleteAll(doomed.flatMap((blob) => (blob.dataKey === undefined ? [] : [blob.dataKey])))
    for (const blob of doomed) await this.cache?.drop(blob.hash)
    return doomed.map((blob) => ({ hash: blob.hash, size: blob.size }))
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
    await this.publish(hash, dataKey)
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
