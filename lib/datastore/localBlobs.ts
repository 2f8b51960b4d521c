/**
 * The local store's blobs: `<root>/blobs/<first 2 hex>/<sha256>`, written once through a temp file and never
 * modified. Small blobs are hashed first, so that storing bytes that already exist writes nothing; large ones
 * are hashed while they are written (see hashingIo.ts).
 */
import { lstatSync, promises as fs } from "node:fs"
import { join } from "node:path"
import { isSha256Hex, sha256Hex } from "../codec/hash.js"
import { IntegrityError, NotFoundError } from "../errors.js"
import type { BlobInfo, StoredBlobInfo } from "./Datastore.js"
import { readFileHashing, writeNewFileHashing } from "./hashingIo.js"
import { attempt, isMissing, mapLimited, placeFile, removeQuietly, storageError, writeFileAtomically } from "./localFiles.js"
import type { Directories, TempFiles } from "./localFiles.js"

/** Below this size a blob is hashed before anything is written: an existing blob then costs no write. */
const HASH_FIRST_LIMIT = 1024 * 1024

/** Blob files being removed at once by a gc. */
const UNLINK_CONCURRENCY = 32

/** The fan-out directory names: two lower-case hex digits. */
const FAN_OUT = /^[0-9a-f]{2}$/

/** The blob half of the local store: write once, read verified. */
export class LocalBlobs {
  constructor(
    private readonly dir: string,
    private readonly description: string,
    private readonly directories: Directories,
    private readonly temps: TempFiles,
    private readonly fsync: boolean
  ) {}

  async write(bytes: Uint8Array): Promise<BlobInfo> {
    const size = bytes.byteLength
    if (size < HASH_FIRST_LIMIT) {
      const hash = sha256Hex(bytes)
      if (!(await this.isWhole(hash, size)) || !(await this.touch(hash))) {
        await this.directories.ensure(this.fanOut(hash))
        await writeFileAtomically(this.temps, this.path(hash), bytes, { fsync: this.fsync, exclusive: false })
      }
      return { hash, size }
    }
    const temp = await this.temps.path()
    try {
      const hash = await attempt("write", temp, () => writeNewFileHashing(temp, bytes, this.fsync))
      if (!(await this.isWhole(hash, size)) || !(await this.touch(hash))) {
        await this.directories.ensure(this.fanOut(hash))
        await placeFile(temp, this.path(hash), { fsync: this.fsync, exclusive: false })
      }
      return { hash, size }
    } finally {
      await removeQuietly(temp)
    }
  }

  async has(hash: string): Promise<boolean> {
    return isSha256Hex(hash) && (await this.size(hash)) !== undefined
  }

  async read(hash: string): Promise<Uint8Array> {
    // Checking the shape first also keeps "../" and friends out of the path.
    if (!isSha256Hex(hash))
      throw new NotFoundError(`artiflow: no blob '${hash}' in the ${this.description} (not a sha256)`)
    const path = this.path(hash)
    let read
    try {
      read = await readFileHashing(path)
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(`artiflow: blob ${hash} not found in the ${this.description}`)
      throw storageError(error, "read", path)
    }
    if (read.hash !== hash) {
      throw new IntegrityError(
        `artiflow: blob ${hash} in the ${this.description} is corrupt: its bytes hash to ${read.hash} (file ${path})`
      )
    }
    return read.bytes
  }

  /**
   * Every blob with its size and modification time, one fan-out directory per page. Only names that are
   * sha256s are blobs: anything else in blobs/ is not the store's. (In-flight writes live in tmp/, never here.)
   *
   * The directory is read and its files stat'ed with synchronous calls, a few hundred at a time (one fan-out
   * directory of a store of 100,000 blobs): half the time of going through the thread pool file by file, and
   * the event loop runs between pages (while the next directory is read). No timer is involved: a test that
   * fakes timers to age blobs still sees gc finish.
   */
  async *list(): AsyncIterable<ReadonlyArray<StoredBlobInfo>> {
    const fanOuts = (await this.names(this.dir)).filter((name) => FAN_OUT.test(name)).sort()
    for (const fanOut of fanOuts) {
      const dir = join(this.dir, fanOut)
      const page: Array<StoredBlobInfo> = []
      for (const hash of await this.names(dir)) {
        if (!isSha256Hex(hash) || !hash.startsWith(fanOut)) continue
        const stat = this.statNow(hash)
        if (stat !== undefined) page.push({ hash, size: stat.size, touchedAt: Math.floor(stat.mtimeMs) })
      }
      if (page.length > 0) yield page
    }
  }

  /**
   * Deletes the blobs not touched after `notTouchedAfter`. Each file's time is read again right before its
   * removal is issued: a writer that found the blob stored after gc listed it has touched it since (see
   * `touch`), and keeps it. The removals themselves go through the thread pool, {@link UNLINK_CONCURRENCY} at a
   * time: an unlink can wait on the file system's journal, and several in flight hide that wait.
   */
  async delete(hashes: ReadonlyArray<string>, notTouchedAfter: number): Promise<ReadonlyArray<BlobInfo>> {
    const deleted = await mapLimited(hashes, UNLINK_CONCURRENCY, async (hash): Promise<BlobInfo | undefined> => {
      if (!isSha256Hex(hash)) return undefined
      const stat = this.statNow(hash)
      if (stat === undefined || Math.floor(stat.mtimeMs) > notTouchedAfter) return undefined
      const path = this.path(hash)
      try {
        await fs.unlink(path)
      } catch (error) {
        if (isMissing(error)) return undefined // another gc got there first
        throw storageError(error, "delete", path)
      }
      return { hash, size: stat.size }
    })
    return deleted.filter((info): info is BlobInfo => info !== undefined)
  }

  /**
   * Marks a stored blob as just used (its modification time is now), so that a gc running meanwhile keeps it
   * for its grace period: the blob was found stored, so nothing was written, and the manifest that will
   * reference it is not committed yet. False when the blob is gone (a gc removed it since it was found): the
   * caller writes it again.
   */
  private async touch(hash: string): Promise<boolean> {
    const path = this.path(hash)
    const now = new Date()
    try {
      await fs.utimes(path, now, now)
      return true
    } catch (error) {
      if (isMissing(error)) return false
      throw storageError(error, "touch", path)
    }
  }

  private async names(dir: string): Promise<ReadonlyArray<string>> {
    try {
      return await fs.readdir(dir)
    } catch (error) {
      if (isMissing(error)) return []
      throw storageError(error, "list", dir)
    }
  }

  /** A blob file's size and time, or undefined when it is not there (or not a file). Synchronous: see `list`. */
  private statNow(hash: string): { readonly size: number; readonly mtimeMs: number } | undefined {
    const path = this.path(hash)
    try {
      const stat = lstatSync(path, { throwIfNoEntry: false })
      return stat?.isFile() === true ? stat : undefined
    } catch (error) {
      throw storageError(error, "inspect", path)
    }
  }

  private fanOut(hash: string): string {
    return join(this.dir, hash.slice(0, 2))
  }

  private path(hash: string): string {
    return join(this.fanOut(hash), hash)
  }

  private async size(hash: string): Promise<number | undefined> {
    const path = this.path(hash)
    try {
      return (await fs.stat(path)).size
    } catch (error) {
      if (isMissing(error)) return undefined
      throw storageError(error, "inspect", path)
    }
  }

  /** Whether the blob exists whole. One of the wrong size (damaged on disk) is replaced rather than kept. */
  private async isWhole(hash: string, size: number): Promise<boolean> {
    return (await this.size(hash)) === size
  }
}
