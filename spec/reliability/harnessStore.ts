/**
 * Checks a local store after a crash or under concurrent writers, from the outside: the files themselves,
 * then what a client sees.
 *
 * - {@link FileAuditor}: every file under blobs/ hashes to its name (no partial blob is visible); every
 *   manifests.jsonl is a sequence of intact records, a torn record being allowed only at its very end (and
 *   parsed here independently of the library's parser); every run.json parses. Stray temp files are counted.
 * - {@link captureRun}: opens a run with the client and loads every artifact of every committed task that
 *   succeeded (each load verifies the stored hashes); returns each task's artifact hashes, to compare with
 *   an uninterrupted run's.
 */
import { createHash } from "node:crypto"
import { promises as fs } from "node:fs"
import { join } from "node:path"
import * as zlib from "node:zlib"
import { Client } from "../../lib/index.js"
import type { ArtifactEntry, Datastore, RunMeta } from "../../lib/index.js"
import { tableCrc32 } from "../../lib/datastore/manifestLog.js"

/** CRC-32 as zlib computes it (the table version on Node before 20.15). */
export const crc32: (data: Uint8Array) => number = typeof zlib.crc32 === "function" ? (data) => zlib.crc32(data) : tableCrc32()

const entries = async (dir: string): Promise<ReadonlyArray<string>> => {
  try {
    return await fs.readdir(dir)
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return []
    throw error
  }
}

/** What an audit found. Problems are thrown, not counted. */
export interface FileAudit {
  /** Names of the blob files (their hashes). */
  readonly blobHashes: ReadonlySet<string>
  readonly runs: number
  /** Logs that end with part of a record (allowed: it is invisible). */
  readonly tornTails: number
  /** Files left in tmp/ (a crash can leave them; they are never read). */
  readonly tempFiles: number
  /** Runs ("flow/runId") whose run.json or manifest log appeared or changed since the previous audit. */
  readonly changedRuns: ReadonlySet<string>
}

/** The intact records of a manifest log, checked frame by frame; throws on a bad record before the end. */
export const logRecords = (
  bytes: Buffer,
  file: string
): { readonly records: ReadonlyArray<string>; readonly torn: boolean } => {
  const records: Array<string> = []
  let start = 0
  for (let end = bytes.indexOf(0x0a, start); end !== -1; end = bytes.indexOf(0x0a, start)) {
    const line = bytes.subarray(start, end)
    const body = line.subarray(9)
    const checksum = crc32(body).toString(16).padStart(8, "0")
    const framed = line.length > 9 && line[8] === 0x20 && line.toString("latin1", 0, 8) === checksum
    // A complete line (it has its newline) that is not intact is corruption, even the last one: appends are
    // single writes, so a crash leaves at most a line without its newline.
    if (!framed) throw new Error(`${file}: record ${records.length + 1} is not intact: ${line.toString("utf8", 0, 80)}`)
    JSON.parse(body.toString("utf8"))
    records.push(body.toString("utf8"))
    start = end + 1
  }
  return { records, torn: start < bytes.length }
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** Identifies a version of a file: a rename onto it changes the inode, an append the size and time. */
const versionOf = (stat: { readonly ino: number; readonly size: number; readonly mtimeMs: number }): string =>
  `${stat.ino}:${stat.size}:${stat.mtimeMs}`

/**
 * Audits one store's files (see the module comment), again and again as processes write to it: a file is
 * checked again only when it changed since the last audit (a store killed a hundred times holds many runs
 * that no longer change). Throws on the first problem.
 */
export class FileAuditor {
  private readonly checked = new Map<string, string>()
  private readonly torn = new Set<string>()

  constructor(private readonly root: string) {}

  /** Calls `check` on `path` unless it is unchanged since it last passed; tells whether it changed. */
  private async once(path: string, check: (bytes: Buffer) => void): Promise<boolean> {
    const stat = await fs.stat(path)
    if (this.checked.get(path) === versionOf(stat)) return false
    const bytes = await fs.readFile(path)
    check(bytes)
    this.checked.set(path, versionOf(stat))
    return true
  }

  async audit(): Promise<FileAudit> {
    const blobHashes = new Set<string>()
    for (const fan of await entries(join(this.root, "blobs"))) {
      for (const name of await entries(join(this.root, "blobs", fan))) {
        await this.once(join(this.root, "blobs", fan, name), (bytes) => {
          const hash = sha256(bytes)
          if (hash !== name || !name.startsWith(fan)) throw new Error(`blobs/${fan}/${name} holds bytes hashing to ${hash}`)
        })
        blobHashes.add(name)
      }
    }
    let runs = 0
    const changedRuns = new Set<string>()
    for (const flow of await entries(join(this.root, "runs"))) {
      for (const runId of await entries(join(this.root, "runs", flow))) {
        // Not a run: the flow's tag logs (runs/<flow>/.tags), which run ids cannot be named like.
        if (runId.startsWith(".")) continue
        const run = await this.auditRun(flow, runId)
        if (run.exists) runs++
        if (run.changed) changedRuns.add(`${flow}/${runId}`)
      }
    }
    const tempFiles = (await entries(join(this.root, "tmp"))).length
    return { blobHashes, runs, tornTails: this.torn.size, tempFiles, changedRuns }
  }

  /** Checks a run directory, which holds no run if a createRun was cut short. */
  private async auditRun(flow: string, runId: string): Promise<{ exists: boolean; changed: boolean }> {
    const dir = join(this.root, "runs", flow, runId)
    const files = await entries(dir)
    if (!files.includes("run.json")) {
      // The directory exists, but no run does, and so nothing may have been committed to it.
      if (files.length > 0) throw new Error(`runs/${flow}/${runId} has no run.json but holds ${files.join(", ")}`)
      return { exists: false, changed: false }
    }
    let changed = await this.once(join(dir, "run.json"), (bytes) => {
      const meta = JSON.parse(bytes.toString("utf8")) as RunMeta
      if (meta.runId !== runId || meta.flow !== flow) throw new Error(`runs/${flow}/${runId}/run.json is another run's`)
    })
    if (files.includes("manifests.jsonl")) {
      const file = join(dir, "manifests.jsonl")
      const logChanged = await this.once(file, (bytes) => {
        if (logRecords(bytes, `runs/${flow}/${runId}/manifests.jsonl`).torn) this.torn.add(file)
        else this.torn.delete(file)
      })
      changed ||= logChanged
    }
    return { exists: true, changed }
  }
}

/** One task of a run, at its latest committed attempt. */
export interface CapturedTask {
  readonly status: "succeeded" | "failed"
  readonly attempt: number
  /** Artifact name -> hash of its encoded value (succeeded tasks only). */
  readonly hashes: Readonly<Record<string, string>>
}

/** A run as a client sees it: its metadata and its tasks by "step/taskId". */
export interface CapturedRun {
  readonly status: RunMeta["status"]
  readonly tasks: ReadonlyMap<string, CapturedTask>
  /** Distinct artifact values loaded (and so verified). */
  readonly loaded: number
}

/**
 * Opens a run with a client and resolves every artifact of every task whose latest attempt succeeded, loading
 * each distinct stored value once (a load verifies every hash on the way and decodes; a failure rejects:
 * nothing partial may be visible). Later tasks inherit most artifacts from earlier ones: an artifact whose
 * hash, size, type and encoding were loaded already for another task is the same stored value, and is only
 * resolved, not loaded again (the returned hashes show it resolved to the right one).
 */
export const captureRun = async (store: Datastore, flow: string, runId: string): Promise<CapturedRun> => {
  const run = await Client.open(store).run(flow, runId)
  const tasks = new Map<string, CapturedTask>()
  const seen = new Set<string>()
  let loaded = 0
  for (const step of run.steps()) {
    for (const task of await step.tasks()) {
      const hashes: Record<string, string> = {}
      if (task.status === "succeeded") {
        for (const name of await task.artifactNames()) {
          const { hash, size, type, encoding } = await task.info(name)
          const key = `${hash}:${size}:${type}:${encoding}`
          if (!seen.has(key)) {
            await task.artifact(name)
            seen.add(key)
            loaded++
          }
          hashes[name] = hash
        }
      }
      tasks.set(`${step.name}/${task.id}`, { status: task.status, attempt: task.attempt, hashes })
    }
  }
  return { status: run.status, tasks, loaded }
}

/** Every blob a run's manifests and metadata name (main blobs, compressed blobs, attachments). */
export const referencedBlobs = async (store: Datastore, flow: string, runId: string): Promise<ReadonlySet<string>> => {
  const meta = await store.readRun(flow, runId)
  const hashes = new Set<string>()
  const add = (entry: ArtifactEntry): void => {
    if (entry.stored !== undefined) hashes.add(entry.stored.hash)
    else if (entry.inline === undefined) hashes.add(entry.hash)
    for (const attachment of entry.attachments ?? []) hashes.add(attachment.hash)
  }
  for (const entry of Object.values(meta?.params ?? {})) add(entry)
  for (const manifest of await store.readManifests(flow, runId)) {
    for (const entry of Object.values(manifest.artifacts)) add(entry)
  }
  return hashes
}
