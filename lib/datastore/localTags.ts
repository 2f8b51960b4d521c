/**
 * The local store's tag logs: `runs/<flow>/.tags/<runId>.jsonl`, one per run whose tags changed after it was
 * created, each change appended as one framed record (the manifest log's framing, see manifestLog.ts):
 *
 *     \n<crc32 of the JSON, 8 hex digits> <{"add":[...],"remove":[...]}>\n
 *
 * Several processes may tag one run at once: each change is a single `write` to a file opened for appending,
 * which the OS applies whole, one after the other, so no change is lost or mixed with another. Nothing is
 * ever rewritten or cut, since a writer cannot know whether another one appended meanwhile. A write torn by a
 * power loss is a record that fails its checksum: it is skipped (that change is lost, being the one in
 * flight), and the newline each record starts with keeps the records appended after it whole.
 *
 * The logs of a flow share one directory so that listing its runs learns with one `readdir` which runs have
 * tag changes: a run without any costs no extra read. `.tags` is never a run id (ids cannot start with '.').
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { StorageError } from "../errors.js"
import type { TagChange } from "./Datastore.js"
import { attempt, fsyncDirectory, isMissing, readIfExists, storageError } from "./localFiles.js"
import type { Directories } from "./localFiles.js"
import { frameRecord, isIntact } from "./manifestLog.js"
import { isValidName } from "./names.js"
import { decodeTagChange, encodeTagChange } from "./tagChanges.js"

const NEWLINE = 0x0a
const EXTENSION = ".jsonl"
/** Where a record's JSON starts: after 8 checksum digits and a space. */
const BODY_OFFSET = 9

/** The tag logs of one local store. */
export class LocalTagLogs {
  constructor(
    private readonly runsDir: string,
    private readonly directories: Directories,
    private readonly fsync: boolean
  ) {}

  /** Appends one change to a run's tag log (the run must exist); resolves once it is written. */
  async append(flow: string, runId: string, change: TagChange): Promise<void> {
    const dir = this.dir(flow)
    const file = this.file(flow, runId)
    const record = Buffer.concat([Buffer.from("\n", "latin1"), frameRecord(encodeTagChange(change))])
    await this.directories.ensure(dir)
    await attempt("append to", file, async () => {
      // One write of the whole record (fs.appendFile writes in pieces past 512 KiB, which another
      // process's append could come between).
      const handle = await fs.open(file, "a")
      try {
        const { bytesWritten } = await handle.write(record, 0, record.length)
        if (bytesWritten !== record.length) {
          throw new StorageError(`artiflow: could not append to ${file}: only ${bytesWritten} of ${record.length} bytes were written`)
        }
        if (this.fsync) await handle.sync()
      } finally {
        await handle.close()
      }
      // A new log's directory entry must reach the disk too.
      if (this.fsync) await fsyncDirectory(dir)
    })
  }

  /** A run's tag changes, oldest first ([] when its tags never changed). */
  async read(flow: string, runId: string): Promise<ReadonlyArray<TagChange>> {
    const file = this.file(flow, runId)
    const bytes = await readIfExists(file, "read")
    return bytes === undefined ? [] : parseTagLog(bytes, file)
  }

  /** The ids of a flow's runs whose tags changed after they were created: one directory listing. */
  async changedRuns(flow: string): Promise<ReadonlySet<string>> {
    const dir = this.dir(flow)
    let names: Array<string>
    try {
      names = await fs.readdir(dir)
    } catch (error) {
      if (isMissing(error)) return new Set()
      throw storageError(error, "list", dir)
    }
    const runIds = names.filter((name) => name.endsWith(EXTENSION)).map((name) => name.slice(0, -EXTENSION.length))
    return new Set(runIds.filter(isValidName))
  }

  /** Deletes a run's tag log (gc deleting the run); none is fine. */
  async remove(flow: string, runId: string): Promise<void> {
    const file = this.file(flow, runId)
    try {
      await fs.unlink(file)
    } catch (error) {
      if (!isMissing(error)) throw storageError(error, "delete", file)
    }
  }

  private dir(flow: string): string {
    return join(this.runsDir, flow, ".tags")
  }

  private file(flow: string, runId: string): string {
    return join(this.dir(flow), `${runId}${EXTENSION}`)
  }
}

/** The changes in a tag log, oldest first; records that fail their checksum (torn writes) are skipped. */
export const parseTagLog = (bytes: Buffer, file: string): ReadonlyArray<TagChange> => {
  const changes: Array<TagChange> = []
  let record = 0
  let start = 0
  while (start < bytes.length) {
    const found = bytes.indexOf(NEWLINE, start)
    const end = found === -1 ? bytes.length : found
    if (end > start) {
      record++
      if (isIntact(bytes, start, end)) {
        changes.push(decodeTagChange(bytes.toString("utf8", start + BODY_OFFSET, end), `${record} in ${file}`))
      }
    }
    start = end + 1
  }
  return changes
}
