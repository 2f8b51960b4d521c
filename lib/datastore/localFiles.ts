/**
 * File-system building blocks of the local store: turning OS errors into messages a user can act on,
 * creating directories lazily (once each), and writing files so that readers never see them half-written.
 */
import { randomUUID } from "node:crypto"
import { promises as fs } from "node:fs"
import { dirname, join } from "node:path"
import { StorageError } from "../errors.js"
import { isValidName } from "./names.js"

const ADVICE: Readonly<Record<string, string>> = {
  EACCES: "permission denied: give this user write access there, or set ARTIFLOW_HOME to a directory it can write",
  EPERM: "operation not permitted: give this user write access there, or set ARTIFLOW_HOME to a directory it can write",
  EROFS: "the file system is read-only: set ARTIFLOW_HOME to a writable directory",
  ENOSPC: "no space left on the device: free some space, or set ARTIFLOW_HOME to another disk",
  EDQUOT: "disk quota exceeded: free some space, or set ARTIFLOW_HOME to another disk",
  ENOTDIR: "a part of the path is a file, not a directory: move that file away, or set ARTIFLOW_HOME elsewhere",
  EISDIR: "a directory is in the way of a file: remove it",
  EMFILE: "too many open files: lower the run's concurrency (maxWorkers) or raise the open-file limit (ulimit -n)",
  ENFILE: "too many open files on this system: lower the run's concurrency (maxWorkers)",
  ENAMETOOLONG: "the path is too long: use a shorter ARTIFLOW_HOME, flow name or run id",
  ELOOP: "too many symbolic links in the path: check the store directory",
  EIO: "an I/O error occurred: check the disk"
}

/** The errno code of a Node system error, if it is one. */
export const errorCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string"
    ? (error as { code: string }).code
    : undefined

/** A StorageError for a failed file operation: what was being done, on which path, and what to do about it. */
export const storageError = (error: unknown, action: string, path: string): StorageError => {
  const code = errorCode(error) ?? "unknown error"
  const advice = ADVICE[code] ?? (error instanceof Error ? error.message : String(error))
  return new StorageError(`artiflow: could not ${action} ${path} (${code}): ${advice}`, { cause: error })
}

/** Runs a file operation, turning any failure into a StorageError. */
export const attempt = async <T>(action: string, path: string, operation: () => Promise<T>): Promise<T> => {
  try {
    return await operation()
  } catch (error) {
    throw error instanceof StorageError ? error : storageError(error, action, path)
  }
}

/** Whether a failure means "no such file or directory". */
export const isMissing = (error: unknown): boolean => errorCode(error) === "ENOENT"

/**
 * `mkdir -p`, reporting the real reason it failed. A recursive mkdir on a read-only file system reports ENOENT
 * for the first missing directory rather than EROFS, which would send a user looking for a missing path:
 * after an ENOENT, each missing level is created one at a time so that the failing mkdir speaks for itself.
 */
const makeDirectory = async (dir: string): Promise<void> => {
  try {
    await fs.mkdir(dir, { recursive: true })
  } catch (error) {
    if (!isMissing(error)) throw error
    const parent = dirname(dir)
    if (parent !== dir) await makeDirectory(parent)
    await fs.mkdir(dir).catch((again: unknown) => {
      if ((again as NodeJS.ErrnoException).code !== "EEXIST") throw again
    })
  }
}

/** Creates directories on first use only: most writes go to a directory that already exists. */
export class Directories {
  private readonly made = new Set<string>()

  async ensure(dir: string): Promise<void> {
    if (this.made.has(dir)) return
    await attempt("create directory", dir, () => makeDirectory(dir))
    this.made.add(dir)
  }

  /** Forgets a directory (after something removed it), so that the next `ensure` creates it again. */
  forget(dir: string): void {
    this.made.delete(dir)
  }
}

/** Flushes a directory's entries (a rename or a new file) to disk. */
export const fsyncDirectory = async (dir: string): Promise<void> => {
  const handle = await fs.open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Node rejects a single write of 2 GiB or more; the OS writes at most about that much per call anyway. */
const MAX_WRITE = 1024 * 1024 * 1024

/** Writes all of `bytes` at file position `position`, however many write calls it takes. */
export const writeAll = async (handle: fs.FileHandle, bytes: Uint8Array, position = 0): Promise<void> => {
  let offset = 0
  while (offset < bytes.byteLength) {
    const length = Math.min(bytes.byteLength - offset, MAX_WRITE)
    const { bytesWritten } = await handle.write(bytes, offset, length, position + offset)
    offset += bytesWritten
  }
}

/** Where in-flight files go: in the store (same file system, so renames are atomic) but outside what is listed. */
export class TempFiles {
  constructor(
    private readonly dir: string,
    private readonly directories: Directories
  ) {}

  async path(): Promise<string> {
    await this.directories.ensure(this.dir)
    return join(this.dir, randomUUID())
  }
}

/** Removes a file if it is there; used to clean up temp files, where failing to clean must not hide the cause. */
export const removeQuietly = async (path: string): Promise<void> => {
  await fs.rm(path, { force: true }).catch(() => undefined)
}

/** How a finished temp file is moved into place. */
export interface PlaceOptions {
  /** fsync the file before it becomes visible, and its directory after. */
  readonly fsync: boolean
  /**
   * Fail with EEXIST instead of replacing an existing file (a hard link, which is atomic and exclusive,
   * where a rename would silently replace).
   */
  readonly exclusive: boolean
}

/**
 * Writes `data` to a temp file, then moves it to `target` in one step: readers see the old file or the whole
 * new one, and a crash leaves at most a stray temp file, never a partial `target`.
 */
export const writeFileAtomically = async (
  temps: TempFiles,
  target: string,
  data: Uint8Array | string,
  options: PlaceOptions
): Promise<void> => {
  const temp = await temps.path()
  try {
    await attempt("write", temp, () => fs.writeFile(temp, data, { flush: options.fsync }))
    await placeFile(temp, target, options)
  } finally {
    await removeQuietly(temp)
  }
}

/**
 * Moves a complete temp file to `target` (see {@link PlaceOptions}); the temp file may remain and must be
 * removed. An exclusive placement onto an existing file rejects with the raw EEXIST error, for the caller to
 * word; every other failure is a StorageError.
 */
export const placeFile = async (temp: string, target: string, options: PlaceOptions): Promise<void> => {
  if (options.exclusive) {
    await fs.link(temp, target).catch((error: unknown) => {
      throw errorCode(error) === "EEXIST" ? error : storageError(error, "create", target)
    })
  } else {
    await attempt("rename into", target, () => fs.rename(temp, target))
  }
  if (options.fsync) await attempt("sync directory", dirname(target), () => fsyncDirectory(dirname(target)))
}

/** Removes a file; a file already gone is fine (deleting twice, or a gc that was killed, is not an error). */
export const removeFile = async (path: string): Promise<void> => {
  try {
    await fs.unlink(path)
  } catch (error) {
    if (!isMissing(error)) throw storageError(error, "delete", path)
  }
}

/** A file's bytes, or undefined when it does not exist; other failures are StorageErrors. */
export const readIfExists = async (path: string, action: string): Promise<Buffer | undefined> => {
  try {
    return await fs.readFile(path)
  } catch (error) {
    if (isMissing(error)) return undefined
    throw storageError(error, action, path)
  }
}

/** Names of the subdirectories of `dir` that are valid flow names or run ids (none if `dir` does not exist). */
export const listNamedDirectories = async (dir: string): Promise<Array<string>> => {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true })
    return entries.filter((entry) => entry.isDirectory() && isValidName(entry.name)).map((entry) => entry.name)
  } catch (error) {
    if (isMissing(error)) return []
    throw storageError(error, "list", dir)
  }
}

/** Maps with at most `limit` calls in flight: enough to hide latency, few enough to keep file handles. */
export const mapLimited = async <T, R>(
  items: ReadonlyArray<T>,
  limit: number,
  f: (item: T) => Promise<R>
): Promise<Array<R>> => {
  const results: Array<R> = new Array(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await f(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
