/**
 * The local store's manifest logs (`runs/<flow>/<runId>/manifests.jsonl`, framed as manifestLog.ts says):
 * commits for one run are grouped into single appends (groupCommit.ts), and the first append to a log in
 * this process first cuts off a record a crash may have torn. When a run ends, its log gets an index
 * (`manifests.index` beside it, logIndex.ts) that lets readers skip checking it record by record.
 */
import { promises as fs } from "node:fs"
import { dirname } from "node:path"
import type { ManifestRecord } from "./Datastore.js"
import type { TaskManifest } from "./Manifest.js"
import { GroupCommit } from "./groupCommit.js"
import { attempt, fsyncDirectory, readIfExists, removeFile, removeQuietly, writeFileAtomically } from "./localFiles.js"
import type { TempFiles } from "./localFiles.js"
import { buildLogIndex, indexedRecords, LogIndexBuilder } from "./logIndex.js"
import type { RecordHeader } from "./logIndex.js"
import { frameRecord, scanLog } from "./manifestLog.js"
import { encodeManifest, lazyRecord } from "./records.js"

/** The manifest logs of one local store: group-committed appends, verified reads. */
export class LocalManifestLogs {
  private readonly commits = new GroupCommit<FramedManifest>((file, records) => this.append(file, records))
  // Logs whose tail this store has checked (and cut if torn) since it was opened.
  private readonly checked = new Set<string>()
  // Logs this store created, indexed as it appends to them: their index is written at the run's end without
  // reading them back (about 50 ms for 10,000 records), unless another writer appended to them too.
  private readonly indexing = new Map<string, LogIndexBuilder>()

  constructor(private readonly fsync: boolean) {}

  /** Appends manifests to the log in `file` (whose directory must exist); resolves once they are written. */
  async commit(file: string, manifests: ReadonlyArray<TaskManifest>): Promise<void> {
    // Frame everything before queueing: a manifest that cannot be encoded must not commit its neighbours.
    const records = manifests.map((manifest) => ({ header: manifest, frame: frameRecord(encodeManifest(manifest)) }))
    await this.commits.submit(file, records)
  }

  /** The manifests in the log in `file`, in commit order, each decoded on first use; undefined when there is no log. */
  async readRecords(file: string): Promise<ReadonlyArray<ManifestRecord> | undefined> {
    const [bytes, index] = await Promise.all([readIfExists(file, "read"), readIfExists(indexFile(file), "read")])
    if (bytes === undefined) return undefined
    const indexed = index === undefined ? undefined : indexedRecords(bytes, index, file)
    if (indexed !== undefined) return indexed
    const records: Array<ManifestRecord> = []
    scanLog(bytes, file, (text, i) => records.push(lazyRecord(text, file, i)))
    return records
  }

  /**
   * Writes the index of the log in `file` (called when its run has ended, so that it covers every record);
   * replaces an older one whole. Nothing when there is no log, or when it is corrupt (then any index goes).
   */
  async writeIndex(file: string, temps: TempFiles): Promise<void> {
    const appended = this.indexing.get(file)
    this.indexing.delete(file)
    const index =
      appended !== undefined && (await sizeOf(file)) === appended.length ? appended.encode() : await this.readIndex(file)
    if (index === undefined) return removeQuietly(indexFile(file))
    await writeFileAtomically(temps, indexFile(file), index, { fsync: this.fsync, exclusive: false })
  }

  /** The index of the log in `file` as it is on disk, read record by record. */
  private async readIndex(file: string): Promise<Buffer | undefined> {
    const bytes = await readIfExists(file, "read")
    return bytes === undefined ? undefined : buildLogIndex(bytes, file)
  }

  /** Deletes the log in `file` and its index (the index first: an index without its log is never read). */
  async remove(file: string): Promise<void> {
    this.indexing.delete(file)
    await removeFile(indexFile(file))
    await removeFile(file)
  }

  /** One group-commit batch: a single append of every record. */
  private async append(file: string, records: ReadonlyArray<FramedManifest>): Promise<void> {
    if (!this.checked.has(file)) {
      // A log that is new (or empty) is indexed as it is written; one with records already is read at the end.
      if ((await this.cutTornTail(file)) === 0) this.indexing.set(file, new LogIndexBuilder())
      this.checked.add(file)
    }
    const bytes = Buffer.concat(records.map((record) => record.frame))
    try {
      await attempt("append to", file, () => fs.appendFile(file, bytes, { flush: this.fsync }))
    } catch (error) {
      // A failed append (a full disk) may have written part of a record: check the tail again before the
      // next append, or the records after it would make the torn one corruption in the middle of the log.
      this.checked.delete(file)
      this.indexing.delete(file)
      throw error
    }
    const index = this.indexing.get(file)
    if (index !== undefined) {
      for (const record of records) index.addRecord(record.header, record.frame.length)
      index.addBytes(bytes)
    }
  }

  /**
   * Half a record left by a crash, with records appended after it, would read as corruption mid-file. Resolves
   * to the log's length once repaired (0 for a log that is not there yet).
   */
  private async cutTornTail(file: string): Promise<number> {
    const bytes = await readIfExists(file, "read")
    if (bytes === undefined) {
      // A new log: with fsync, its directory entry must reach the disk too.
      if (this.fsync) {
        await attempt("create", file, async () => {
          await fs.appendFile(file, "", { flush: true })
          await fsyncDirectory(dirname(file))
        })
      }
      return 0
    }
    // Only where the intact records end matters here: no texts are kept.
    const intactLength = scanLog(bytes, file, () => {})
    if (intactLength < bytes.length) await attempt("repair", file, () => fs.truncate(file, intactLength))
    return intactLength
  }
}

/** A manifest framed for the log, with the header fields its index needs. */
interface FramedManifest {
  readonly header: RecordHeader
  readonly frame: Buffer
}

/** The size of the file at `path`, or -1 when it cannot be told. */
const sizeOf = async (path: string): Promise<number> => {
  try {
    return (await fs.stat(path)).size
  } catch {
    return -1
  }
}

/** Where the index of the log in `file` is (logIndex.ts). */
const indexFile = (file: string): string => file.replace(/\.jsonl$/, ".index")
