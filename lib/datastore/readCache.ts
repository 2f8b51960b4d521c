/**
 * A local read-through cache of blobs for remote stores: a blob read once is kept in a directory, and read
 * from there next time without a request. Blobs are content-addressed, so a cached file is right exactly when
 * it hashes to its name: every use re-hashes it, and one that does not match (a damaged disk, a partial copy
 * by hand) is removed and read again from the store.
 *
 *     <dir>/blobs/<first 2 hex>/<sha256>    cached blobs (their modification time is their last use)
 *     <dir>/tmp/<uuid>                      files being written; renamed into place when complete
 *
 * The cache holds at most `maxBytes`: past it, the least recently used blobs are deleted until it holds 90%
 * of that. Several processes may share one directory: writes are atomic renames, and a file another process
 * evicts meanwhile is simply read again from the store. Each process knows the cache's contents from one scan
 * of the directory, redone when it finds the cache over its size.
 */
import { randomUUID } from "node:crypto"
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { readFileHashing } from "./hashingIo.js"
import { isMissing } from "./localFiles.js"

/** Default size of a read cache: 10 GiB. */
export const DEFAULT_CACHE_BYTES = 10 * 1024 ** 3

/** What the cache keeps about one blob. */
interface Cached {
  readonly size: number
}

export class ReadCache {
  // hash -> entry, least recently used first (a Map keeps insertion order; a use moves the entry to the end).
  private index: Map<string, Cached> | undefined
  private total = 0
  private scanning: Promise<void> | undefined
  private readonly writes = new Set<Promise<void>>()

  constructor(
    readonly dir: string,
    private readonly maxBytes: number = DEFAULT_CACHE_BYTES
  ) {}

  private file(hash: string): string {
    return join(this.dir, "blobs", hash.slice(0, 2), hash)
  }

  /** The cached bytes of `hash`, verified, or `undefined` (not cached, or the cached copy was bad). */
  async read(hash: string): Promise<Uint8Array | undefined> {
    const file = this.file(hash)
    let read
    try {
      read = await readFileHashing(file)
    } catch {
      return undefined
    }
    if (read.hash !== hash) {
      await fs.rm(file, { force: true }).catch(() => {})
      this.forget(hash)
      return undefined
    }
    const now = new Date()
    // The modification time is the last use, for the next process's scan; this process keeps its own order.
    await fs.utimes(file, now, now).catch(() => {})
    this.touch(hash, read.bytes.byteLength)
    return read.bytes
  }

  /**
   * Starts keeping `bytes` (which hash to `hash`) and returns at once: the caller has the bytes and need not
   * wait for the disk. A failure to cache (a full or read-only disk) only means the next read is remote.
   * The bytes must not change afterwards: the store hands out a fresh buffer per read.
   */
  keep(hash: string, bytes: Uint8Array): void {
    if (bytes.byteLength > this.maxBytes) return
    const write = this.write(hash, bytes)
      .catch(() => {})
      .finally(() => this.writes.delete(write))
    this.writes.add(write)
  }

  /**
   * Drops a blob the store deleted (gc). Its bytes were right, but this process must not serve a blob its
   * store no longer has; other processes' caches may still hold it, which is harmless: nothing kept refers to it.
   */
  async drop(hash: string): Promise<void> {
    await fs.rm(this.file(hash), { force: true }).catch(() => {})
    this.forget(hash)
  }

  /** Resolves once every write started by `keep` has ended (for tests and orderly shutdown). */
  async settled(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes)
  }

  private async write(hash: string, bytes: Uint8Array): Promise<void> {
    const file = this.file(hash)
    const temp = join(this.dir, "tmp", randomUUID())
    await fs.mkdir(join(this.dir, "tmp"), { recursive: true })
    await fs.mkdir(join(this.dir, "blobs", hash.slice(0, 2)), { recursive: true })
    try {
      await fs.writeFile(temp, bytes)
      await fs.rename(temp, file)
    } finally {
      await fs.rm(temp, { force: true }).catch(() => {})
    }
    await this.ensureIndex()
    this.touch(hash, bytes.byteLength)
    if (this.total > this.maxBytes) await this.evict()
  }

  private touch(hash: string, size: number): void {
    if (this.index === undefined) return
    const known = this.index.get(hash)
    if (known !== undefined) {
      this.index.delete(hash)
      this.total -= known.size
    }
    this.index.set(hash, { size })
    this.total += size
  }

  private forget(hash: string): void {
    const known = this.index?.get(hash)
    if (known === undefined) return
    this.index?.delete(hash)
    this.total -= known.size
  }

  private ensureIndex(): Promise<void> {
    if (this.index !== undefined) return Promise.resolve()
    return (this.scanning ??= this.scan().finally(() => (this.scanning = undefined)))
  }

  /** Learns what the directory holds, oldest use first. */
  private async scan(): Promise<void> {
    const found: Array<{ hash: string; size: number; usedAt: number }> = []
    let fans: Array<string>
    try {
      fans = await fs.readdir(join(this.dir, "blobs"))
    } catch (error) {
      if (!isMissing(error)) throw error
      fans = []
    }
    for (const fan of fans) {
      let names: Array<string>
      try {
        names = await fs.readdir(join(this.dir, "blobs", fan))
      } catch {
        continue
      }
      for (const hash of names) {
        const stat = await fs.stat(join(this.dir, "blobs", fan, hash)).catch(() => undefined)
        if (stat?.isFile() === true) found.push({ hash, size: stat.size, usedAt: stat.mtimeMs })
      }
    }
    found.sort((a, b) => a.usedAt - b.usedAt)
    const index = new Map<string, Cached>()
    let total = 0
    for (const { hash, size } of found) {
      index.set(hash, { size })
      total += size
    }
    this.index = index
    this.total = total
  }

  /** Deletes the least recently used blobs until the cache holds at most 90% of its size. */
  private async evict(): Promise<void> {
    // Other processes may have added files: count again before deleting anything.
    this.index = undefined
    await this.ensureIndex()
    const index = this.index as Map<string, Cached> | undefined
    if (index === undefined) return
    const target = this.maxBytes * 0.9
    for (const [hash, { size }] of index) {
      if (this.total <= target) break
      await fs.rm(this.file(hash), { force: true }).catch(() => {})
      index.delete(hash)
      this.total -= size
    }
  }
}
