/**
 * The local store's blobs: `<root>/blobs/<first 2 hex>/<sha256>`, written once through a temp file and never
 * modified. Small blobs are hashed first, so that storing bytes that already exist writes nothing; large ones
 * are hashed while they are written (see hashingIo.ts).
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { isSha256Hex, sha256Hex } from "../codec/hash.js"
import { IntegrityError, NotFoundError } from "../errors.js"
import type { BlobInfo } from "./Datastore.js"
import { readFileHashing, writeNewFileHashing } from "./hashingIo.js"
import { attempt, isMissing, placeFile, removeQuietly, storageError, writeFileAtomically } from "./localFiles.js"
import type { Directories, TempFiles } from "./localFiles.js"

/** Below this size a blob is hashed before anything is written: an existing blob then costs no write. */
const HASH_FIRST_LIMIT = 1024 * 1024

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
      if (!(await this.isWhole(hash, size))) {
        await this.directories.ensure(this.fanOut(hash))
        await writeFileAtomically(this.temps, this.path(hash), bytes, { fsync: this.fsync, exclusive: false })
      }
      return { hash, size }
    }
    const temp = await this.temps.path()
    try {
      const hash = await attempt("write", temp, () => writeNewFileHashing(temp, bytes, this.fsync))
      if (!(await this.isWhole(hash, size))) {
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
