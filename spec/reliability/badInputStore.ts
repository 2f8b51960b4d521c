/**
 * What the bad-input tests need around a store: reading everything back the way a user would (the client),
 * a file system that runs out of space on demand (spies on the `node:fs` promises the local store calls),
 * and real small or read-only file systems (tmpfs mounts, `chattr +i`) where this machine allows them.
 */
import { execFileSync } from "node:child_process"
import { promises as fs } from "node:fs"
import { sep } from "node:path"
import { expect, vi } from "vitest"
import { Client } from "../../lib/client/index.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"

/** A run as the client shows it: its status and the status of every task's latest attempt ("step/task"). */
export interface RunView {
  readonly status: string
  readonly tasks: Readonly<Record<string, string>>
}

/**
 * Every run of `flow` read through the client, newest first: each task's latest attempt, with every
 * artifact of it loaded (and hash-verified). Fails the test when anything committed cannot be read back, or
 * when the listing and the run disagree on a status.
 */
export const readBack = async (store: Datastore, flow: string): Promise<Readonly<Record<string, RunView>>> => {
  const client = Client.open(store)
  const views: Record<string, RunView> = {}
  for (const summary of await client.runs(flow)) {
    const run = await client.run(flow, summary.id)
    expect(run.status, `status of run ${summary.id}`).toBe(summary.status)
    const tasks: Record<string, string> = {}
    for (const step of run.steps()) {
      for (const task of await step.tasks()) {
        tasks[`${step.name}/${task.id}`] = task.status
        for (const name of await task.artifactNames()) await task.artifact(name)
      }
    }
    views[summary.id] = { status: run.status, tasks }
  }
  return views
}

/** Files left in the local store's tmp/ directory (in-flight writes that were not cleaned up). */
export const leftoverTemps = async (root: string): Promise<ReadonlyArray<string>> =>
  fs.readdir(`${root}/tmp`).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return []
    throw error
  })

/** The error Node gives when a device is full. */
export const enospc = (syscall: string, path: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`ENOSPC: no space left on device, ${syscall} '${path}'`), {
    code: "ENOSPC",
    errno: -28,
    syscall,
    path
  })

/** A write the disk is asked to do. */
export interface DiskWrite {
  readonly op: "writeFile" | "appendFile" | "open" | "mkdir"
  readonly path: string
  /** Bytes to write (0 for open and mkdir). */
  readonly bytes: number
}

/** What the disk does with a write: do it, refuse it (ENOSPC), or write the first half and then refuse. */
export type Verdict = "ok" | "full" | "torn"

const sizeOf = (data: unknown): number =>
  typeof data === "string" ? Buffer.byteLength(data) : data instanceof Uint8Array ? data.byteLength : 0

const firstHalf = (data: unknown): unknown =>
  typeof data === "string"
    ? data.slice(0, Math.floor(data.length / 2))
    : data instanceof Uint8Array
      ? data.subarray(0, Math.floor(data.byteLength / 2))
      : data

/**
 * Makes the file system under `root` run out of space whenever `verdict` says so: spies on the `node:fs`
 * promise functions the local store writes with (`writeFile`, `appendFile`, `open` for writing, `mkdir`);
 * paths outside `root` are untouched. Returns the writes it refused. Undo with `vi.restoreAllMocks()`.
 */
export const faultyDisk = (root: string, verdict: (write: DiskWrite) => Verdict): ReadonlyArray<DiskWrite> => {
  const refused: Array<DiskWrite> = []
  const real = {
    writeFile: fs.writeFile.bind(fs),
    appendFile: fs.appendFile.bind(fs),
    open: fs.open.bind(fs),
    mkdir: fs.mkdir.bind(fs)
  }
  const inStore = (path: unknown): path is string => typeof path === "string" && (path === root || path.startsWith(root + sep))
  /** Runs the real write, or refuses it (after writing half of it, for a torn write). */
  const judge = async <T>(write: DiskWrite, tear: () => Promise<unknown>, perform: () => Promise<T>): Promise<T> => {
    const decided = verdict(write)
    if (decided === "ok") return perform()
    refused.push(write)
    if (decided === "torn") await tear()
    throw enospc(write.op === "mkdir" ? "mkdir" : write.op === "open" ? "open" : "write", write.path)
  }
  vi.spyOn(fs, "writeFile").mockImplementation((async (path: unknown, data: unknown, options?: unknown) => {
    const perform = () => real.writeFile(path as string, data as string, options as undefined)
    if (!inStore(path)) return perform()
    const tear = () => real.writeFile(path, firstHalf(data) as string, options as undefined)
    return judge({ op: "writeFile", path, bytes: sizeOf(data) }, tear, perform)
  }) as typeof fs.writeFile)
  vi.spyOn(fs, "appendFile").mockImplementation((async (path: unknown, data: unknown, options?: unknown) => {
    const perform = () => real.appendFile(path as string, data as string, options as undefined)
    if (!inStore(path)) return perform()
    const tear = () => real.appendFile(path, firstHalf(data) as string, options as undefined)
    return judge({ op: "appendFile", path, bytes: sizeOf(data) }, tear, perform)
  }) as typeof fs.appendFile)
  vi.spyOn(fs, "open").mockImplementation((async (path: unknown, flags?: unknown, mode?: unknown) => {
    const perform = () => real.open(path as string, flags as string, mode as number)
    const writing = typeof flags === "string" && /[wa+]/.test(flags)
    if (!inStore(path) || !writing) return perform()
    return judge({ op: "open", path, bytes: 0 }, async () => undefined, perform)
  }) as typeof fs.open)
  vi.spyOn(fs, "mkdir").mockImplementation((async (path: unknown, options?: unknown) => {
    const perform = () => real.mkdir(path as string, options as undefined)
    if (!inStore(path)) return perform()
    return judge({ op: "mkdir", path, bytes: 0 }, async () => undefined, perform)
  }) as typeof fs.mkdir)
  return refused
}

const run = (command: string, args: ReadonlyArray<string>): void => {
  execFileSync(command, args, { stdio: "pipe" })
}

const reasonOf = (error: unknown): string => {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim()
  return stderr !== undefined && stderr !== "" ? stderr : error instanceof Error ? error.message : String(error)
}

/** Why tmpfs mounts cannot be used here, or undefined when they can (tried once, on a scratch directory). */
export const tmpfsUnavailable = (scratch: string): string | undefined => {
  if (process.platform !== "linux") return `tmpfs mounts need Linux (this is ${process.platform})`
  try {
    run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", scratch])
  } catch (error) {
    return `mount -t tmpfs is not permitted here: ${reasonOf(error)}`
  }
  run("umount", [scratch])
  return undefined
}

/** Mounts a tmpfs of `size` (e.g. "2m") on `dir`, with extra mount options (e.g. "ro"). */
export const mountTmpfs = (dir: string, size: string, extra: ReadonlyArray<string> = []): void => {
  run("mount", ["-t", "tmpfs", "-o", [`size=${size}`, ...extra].join(","), "tmpfs", dir])
}

/** Changes a mounted tmpfs's options in place (e.g. "ro", "rw", "size=8m"). */
export const remount = (dir: string, options: string): void => {
  run("mount", ["-o", `remount,${options}`, dir])
}

export const unmount = (dir: string): void => {
  run("umount", [dir])
}

/** Why `chattr +i` cannot make a directory immutable here, or undefined when it can. */
export const immutableUnavailable = (scratch: string): string | undefined => {
  try {
    run("chattr", ["+i", scratch])
  } catch (error) {
    return `chattr +i is not available here: ${reasonOf(error)}`
  }
  run("chattr", ["-i", scratch])
  return undefined
}

/** Makes a directory immutable (nothing can be created in it, even by root), or mutable again. */
export const setImmutable = (dir: string, immutable: boolean): void => {
  run("chattr", [immutable ? "+i" : "-i", dir])
}
