/**
 * Task manifests in S3. S3 cannot append, so each commit is an object of its own, and an object appears whole
 * or not at all: that is what makes a commit atomic.
 *
 *     <run>manifests/<time>-<writer>-<sequence>.jsonl   one commit: its manifests, framed as in manifestLog.ts
 *     <run>manifests/pack-<time>-<writer>-<sequence>.jsonl
 *                                                       the run's commits packed into one object when it ended
 *
 * Commits of tasks that finish together share one object (group commit), and object names sort in commit
 * order: the time, then a per-writer sequence (writers on other machines are ordered by their clocks; the
 * attempt numbers inside decide which attempt of a task is the latest, not the order). Reading a run lists its
 * objects and reads them all, so a run of 10,000 tasks would cost hundreds of reads to open; when the run ends,
 * its commits are packed into one object, whose first record lists the commits it holds, and those are then
 * deleted. A reader that lists the commits just before they are deleted reads again, and finds the pack.
 */
import { randomBytes } from "node:crypto"
import { IntegrityError } from "../errors.js"
import type { ManifestRecord } from "./Datastore.js"
import type { TaskManifest } from "./Manifest.js"
import { GroupCommit } from "./groupCommit.js"
import { mapLimited } from "./localFiles.js"
import { frameRecord, parseLog } from "./manifestLog.js"
import { encodeManifest, lazyRecord } from "./records.js"
import type { S3Api } from "./s3Api.js"

const FOLDER = "manifests/"
const EXTENSION = ".jsonl"
const PACK = "pack-"
/** Objects read at once when a run is opened. */
const READ_CONCURRENCY = 32

/** The first record of a pack: which commit objects it holds (their names, without folder). */
interface PackHeader {
  readonly artiflowPack: 1
  readonly commits: ReadonlyArray<string>
}

const isPackHeader = (value: unknown): value is PackHeader =>
  typeof value === "object" &&
  value !== null &&
  (value as { artiflowPack?: unknown }).artiflowPack === 1 &&
  Array.isArray((value as { commits?: unknown }).commits)

/** What a run's manifest folder holds: the latest pack (if any) and the commits it does not hold, in order. */
interface Listing {
  readonly pack: string | undefined
  readonly commits: ReadonlyArray<string>
  /** Every object name listed, for deletion after a pack. */
  readonly all: ReadonlyArray<string>
}

/** The manifests of one S3 store's runs. `run` arguments are run folders: `<prefix>runs/<flow>/<runId>/`. */
export class S3Manifests {
  private readonly commits = new GroupCommit<Buffer>((run, records) => this.write(run, records))
  private readonly writer = randomBytes(4).toString("hex")
  private sequence = 0

  constructor(private readonly api: S3Api) {}

  /** A new object name, after every name this writer made before. */
  private nextName(prefix = ""): string {
    this.sequence += 1
    return `${prefix}${String(Date.now()).padStart(15, "0")}-${this.writer}-${String(this.sequence).padStart(10, "0")}${EXTENSION}`
  }

  /** Commits manifests to the run; resolves once they are stored. */
  async commit(run: string, manifests: ReadonlyArray<TaskManifest>): Promise<void> {
    // Frame everything before queueing: a manifest that cannot be encoded must not commit its neighbours.
    const records = manifests.map((manifest) => frameRecord(encodeManifest(manifest)))
    await this.commits.submit(run, records)
  }

  private async write(run: string, records: ReadonlyArray<Buffer>): Promise<void> {
    await this.api.put(`${run}${FOLDER}${this.nextName()}`, Buffer.concat(records))
  }

  private async list(run: string): Promise<Listing> {
    const names = (await this.api.list(`${run}${FOLDER}`))
      .map((object) => object.key.slice(run.length + FOLDER.length))
      .filter((name) => name.endsWith(EXTENSION) && !name.includes("/"))
      .sort()
    const packs = names.filter((name) => name.startsWith(PACK))
    return { pack: packs.at(-1), commits: names.filter((name) => !name.startsWith(PACK)), all: names }
  }

  /** The framed records of one object, or `undefined` when it vanished (packed and deleted since listed). */
  private async records(run: string, name: string): Promise<ReadonlyArray<string> | undefined> {
    const key = `${run}${FOLDER}${name}`
    const object = await this.api.get(key)
    if (object === undefined) return undefined
    const bytes = Buffer.from(object.bytes.buffer, object.bytes.byteOffset, object.bytes.byteLength)
    const parsed = parseLog(bytes, `s3://${this.api.location.bucket}/${key}`)
    // An object is stored whole: a record that does not check out is damage, not a write cut short.
    if (parsed.intactLength !== bytes.byteLength) {
      throw new IntegrityError(`artiflow: manifest object s3://${this.api.location.bucket}/${key} is corrupt after record ${parsed.records.length}`)
    }
    return parsed.records
  }

  /** Reads every record of the run in commit order, or `undefined` if an object vanished meanwhile. */
  private async readOnce(run: string, listing: Listing): Promise<{ texts: ReadonlyArray<string>; where: ReadonlyArray<string> } | undefined> {
    let packed: ReadonlyArray<string> = []
    let inPack = new Set<string>()
    if (listing.pack !== undefined) {
      const records = await this.records(run, listing.pack)
      if (records === undefined) return undefined
      const header = records[0] === undefined ? undefined : (JSON.parse(records[0]) as unknown)
      if (!isPackHeader(header)) {
        throw new IntegrityError(`artiflow: manifest pack s3://${this.api.location.bucket}/${run}${FOLDER}${listing.pack} has no header`)
      }
      packed = records.slice(1)
      inPack = new Set(header.commits)
    }
    const rest = listing.commits.filter((name) => !inPack.has(name))
    const read = await mapLimited(rest, READ_CONCURRENCY, (name) => this.records(run, name))
    if (read.some((records) => records === undefined)) return undefined
    const texts = [...packed]
    const where: Array<string> = packed.map(() => listing.pack as string)
    read.forEach((records, i) => {
      for (const text of records ?? []) {
        texts.push(text)
        where.push(rest[i] as string)
      }
    })
    return { texts, where }
  }

  /**
   * Every committed manifest of the run, in commit order, each decoded on first use; `undefined` when the run
   * has none.
   */
  async readRecords(run: string): Promise<ReadonlyArray<ManifestRecord> | undefined> {
    for (let tries = 0; ; tries++) {
      const listing = await this.list(run)
      if (listing.all.length === 0) return undefined
      const read = await this.readOnce(run, listing)
      if (read !== undefined) {
        const bucket = this.api.location.bucket
        return read.texts.map((text, i) => lazyRecord(text, `record ${i + 1} of run s3://${bucket}/${run} (in ${read.where[i]})`))
      }
      // Packed and deleted while we read: the next listing has the pack.
      if (tries >= 3) throw new IntegrityError(`artiflow: the manifests of s3://${this.api.location.bucket}/${run} keep vanishing while read`)
    }
  }

  /**
   * Packs the run's commits into one object and deletes them: called once the run has ended (its commits all
   * stored), so that opening it costs one read. A commit that arrives later (a late duplicate from another
   * machine) stays an object of its own and is still read.
   */
  async pack(run: string): Promise<void> {
    const listing = await this.list(run)
    if (listing.commits.length <= 1 && listing.pack === undefined) return
    if (listing.commits.length === 0) return
    const read = await this.readOnce(run, listing)
    if (read === undefined) return
    const header: PackHeader = { artiflowPack: 1, commits: listing.commits }
    const body = Buffer.concat([frameRecord(JSON.stringify(header)), ...read.texts.map((text) => frameRecord(text))])
    await this.api.put(`${run}${FOLDER}${this.nextName(PACK)}`, body)
    await this.api.deleteAll(listing.all.map((name) => `${run}${FOLDER}${name}`))
  }
}
