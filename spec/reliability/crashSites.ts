/**
 * What the crash harness (crashHarness.ts) needs of the kind of store it crashes, so that one harness serves
 * local stores (crash.spec.ts) and S3 stores (crash.s3.spec.ts, with s3CrashSites.ts):
 *
 * - a location for each store, which the children open with `storeAt` (a directory, or `s3://bucket/prefix`
 *   with the endpoint and credentials in their environment);
 * - an auditor that checks every stored byte from the outside, after every kill;
 * - how a retired store gets rid of what killed writers left (stray temp files here, incomplete multipart
 *   uploads on S3) once it is old enough, and that nothing visible changes when it does.
 *
 * The local implementation is here: {@link localSites}.
 */
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expect } from "vitest"
import { localStore } from "../../lib/index.js"
import type { Datastore } from "../../lib/index.js"
import { STALE_TEMP_MS } from "../../lib/datastore/localTemps.js"
import { FileAuditor } from "./harnessStore.js"

/** What an audit of a store found. Problems are thrown, not counted. */
export interface SiteAudit {
  /** Runs ("flow/runId") whose stored files or objects appeared or changed since the previous audit. */
  readonly changedRuns: ReadonlySet<string>
  /** Manifest logs ending in part of a record (local stores only: an S3 object is whole or absent). */
  readonly tornTails: number
  /** What killed writers left, invisible to readers (temp files; incomplete uploads, unpublished data objects). */
  readonly leftovers: number
}

/** What retiring a store swept. */
export interface Swept {
  /** Leftovers removed once they were old enough. */
  readonly swept: number
  /** Of those, stray temp files that were a second link to a run.json (a createRun killed before cleaning up). */
  readonly linkedStrays: number
}

/** Runs a whole run of the crash flow on `store`, checked against the uninterrupted run. */
export type CompleteRun = (store: Datastore, runId: string) => Promise<void>

/** One store the harness crashes writers on. */
export interface CrashSite {
  /** What the children open with `storeAt`: a directory, or `s3://bucket/prefix`. */
  readonly location: string
  /** A new store object on it, for this process. */
  open(): Datastore
  /** Checks every stored byte (see each implementation); throws on the first problem. */
  audit(): Promise<SiteAudit>
  /**
   * Resolves once writes a killed writer had in flight have landed or never will. A local write is done or
   * not when its process dies; a request an S3 server had received whole is still carried out after its
   * client died, a moment later (the object then appears whole, like any other). Tells whether anything landed
   * while it waited.
   */
  settle(): Promise<boolean>
  /**
   * Ages what killed writers left past the store's threshold, has it swept (`complete` runs a whole run on a
   * new store object, for stores that sweep when a run starts), checks that all of it went and that no run
   * but the new one changed, then deletes the store.
   */
  retire(complete: CompleteRun): Promise<Swept>
}

/** A kind of store to crash on. */
export interface CrashSites {
  /** "local" or "S3": in test names and the summary. */
  readonly kind: string
  /** Environment the children need to reach the stores (S3's endpoint and credentials). */
  readonly childEnv: Readonly<Record<string, string>>
  /** What retiring a store sweeps, for the summary: "stray temp files", "incomplete multipart uploads". */
  readonly leftovers: string
  /** A new, empty store named `name`. */
  create(name: string): Promise<CrashSite>
  /** Removes whatever create() made that is still there. */
  dispose(): Promise<void>
}

/**
 * Local stores in a temp directory. The auditor (harnessStore.ts `FileAuditor`) hashes every blob file, checks
 * every manifest log record by record with a parser of its own (a torn last record allowed) and parses every
 * run.json. Retiring ages the stray temp files in tmp/, which the next run on the store must remove, all of
 * them, leaving the runs alone (a stray can be a second link to a run.json).
 */
export const localSites = (): CrashSites => {
  let workDir: Promise<string> | undefined
  const dir = (): Promise<string> => (workDir ??= fs.mkdtemp(join(tmpdir(), "artiflow-crash-")))
  return {
    kind: "local",
    childEnv: {},
    leftovers: "stray temp files",
    create: async (name) => new LocalSite(join(await dir(), name)),
    dispose: async () => {
      if (workDir !== undefined) await fs.rm(await workDir, { recursive: true, force: true })
    }
  }
}

class LocalSite implements CrashSite {
  private readonly auditor: FileAuditor

  constructor(readonly location: string) {
    this.auditor = new FileAuditor(location)
  }

  open(): Datastore {
    return localStore(this.location)
  }

  async settle(): Promise<boolean> {
    return false
  }

  async audit(): Promise<SiteAudit> {
    const { changedRuns, tornTails, tempFiles } = await this.auditor.audit()
    return { changedRuns, tornTails, leftovers: tempFiles }
  }

  async retire(complete: CompleteRun): Promise<Swept> {
    const tmp = join(this.location, "tmp")
    const strays = await fs.readdir(tmp).catch(() => [])
    const strayInodes = new Set<number>()
    const aged = new Date(Date.now() - 2 * STALE_TEMP_MS)
    for (const name of strays) {
      strayInodes.add((await fs.stat(join(tmp, name))).ino)
      await fs.utimes(join(tmp, name), aged, aged)
    }
    // A new store object sweeps at its first run.
    await complete(this.open(), "after-sweep")
    expect(await fs.readdir(tmp).catch(() => []), "stray temp files a new run left in place").toEqual([])
    // Besides the new run, only a run.json that shared its inode with a stray (whose time was just set) changed.
    let linkedStrays = 0
    for (const run of (await this.auditor.audit()).changedRuns) {
      if (run.endsWith("/after-sweep")) continue
      const inode = (await fs.stat(join(this.location, "runs", run, "run.json"))).ino
      expect(strayInodes.has(inode), `run ${run} changed`).toBe(true)
      linkedStrays++
    }
    await fs.rm(this.location, { recursive: true, force: true })
    return { swept: strays.length, linkedStrays }
  }
}
