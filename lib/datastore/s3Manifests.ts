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
 * its commits are packed into one object, whose first record lists the commits it holds and checksums the rest
 * (manifestPack.ts), and those are then deleted. A reader that lists the commits just before they are deleted
 * reads again, and finds the pack.
 */
import { randomBytes } from "node:crypto"
import { IntegrityError } from "../errors.js"
import type { ManifestRecord } from "./Datastore.js"
import type { TaskManifest } from "./Manifest.js"
import { GroupCommit } from "./groupCommit.js"
import { mapLimited } from "./localFiles.js"
import { frameRecord } from "./manifestLog.js"
import { recordsFromEntries } from "./logIndex.js"
import { encodePack, readPack, scanObject } from "./manifestPack.js"
import type { TakeIndexed } from "./manifestPack.js"
import { encodeManifest, lazyRecord } from "./records.js"
import type { S3Api } from "./s3Api.js"

const FOLDER = "manifests/"
const EXTENSION = ".jsonl"
const PACK = "pack-"
/** What a message says to do about a pack whose index does not match one of its records. */
const PACK_REMEDY = "the pack is damaged; restore the object from a backup or rerun the flow"
/** Objects read at once when a run is opened. */
const READ_CONCURRENCY = 32

/** A pack fetched before the listing that names it came back. */
interface EarlyPack {
  readonly name: string
  readonly fetched: Promise<Fetched | undefined>
}

/** Whether `name` is a pack's object name, as {@link S3Manifests.pack} makes them (a hint is checked before use). */
const isPackName = (name: string): boolean => /^pack-\d{15}-[0-9a-f]{8}-\d{10}\.jsonl$/.test(name)

/** An object's bytes, and how messages name it. */
interface Fetched {
  readonly bytes: Buffer
  readonly where: string
}

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

  /** An object's bytes, or `undefined` when it vanished (packed and deleted since listed). */
  private async fetch(run: string, name: string): Promise<Fetched | undefined> {
    const key = `${run}${FOLDER}${name}`
    const object = await this.api.get(key)
    if (object === undefined) return undefined
    const bytes = Buffer.from(object.bytes.buffer, object.bytes.byteOffset, object.bytes.byteLength)
    return { bytes, where: `s3://${this.api.location.bucket}/${key}` }
  }

  /** Starts fetching a pack the listing has not named yet; a failure counts only if the listing names it. */
  private fetchEarly(run: string, name: string): EarlyPack | undefined {
    if (!isPackName(name)) return undefined
    const fetched = this.fetch(run, name)
    fetched.catch(() => {})
    return { name, fetched }
  }

  /**
   * Calls `visit` with every record of the run, in commit order, and `enter` with each object's name before
   * its records; false when an object vanished meanwhile (then the caller reads again, from a new listing).
   * `early` is a pack fetched while listing: used when the listing names it as the run's pack. `takeIndexed`
   * takes the records of a pack checked whole from its index (manifestPack.ts); without it, or when it returns
   * false, the pack's records are visited one by one.
   */
  private async readOnce(
    run: string,
    listing: Listing,
    enter: (object: string) => void,
    visit: (text: string) => void,
    early?: EarlyPack,
    takeIndexed?: TakeIndexed
  ): Promise<boolean> {
    let inPack = new Set<string>()
    if (listing.pack !== undefined) {
      const fetched = await (early?.name === listing.pack ? early.fetched : this.fetch(run, listing.pack))
      if (fetched === undefined) return false
      enter(listing.pack)
      inPack = new Set(readPack(fetched.bytes, fetched.where, visit, takeIndexed).commits)
    }
    const rest = listing.commits.filter((name) => !inPack.has(name))
    const read = await mapLimited(rest, READ_CONCURRENCY, (name) => this.fetch(run, name))
    if (read.some((fetched) => fetched === undefined)) return false
    read.forEach((fetched, i) => {
      const { bytes, where } = fetched as Fetched
      enter(rest[i] as string)
      scanObject(bytes, where, visit)
    })
    return true
  }

  /**
   * Every committed manifest of the run, in commit order, each decoded on first use; `undefined` when the run
   * has none.
   */
  async readRecords(run: string, packHint?: string): Promise<ReadonlyArray<ManifestRecord> | undefined> {
    const bucket = this.api.location.bucket
    for (let tries = 0; ; tries++) {
      // The pack the hint names is fetched while listing, and used only if the listing names it too: packs
      // are written whole and never changed, so bytes fetched a moment early are the same bytes.
      const early = tries === 0 && packHint !== undefined ? this.fetchEarly(run, packHint) : undefined
      const listing = await this.list(run)
      if (listing.all.length === 0) return undefined
      const records: Array<ManifestRecord> = []
      // Messages say "record <n> of run s3://…/ (in <object>)": one string per object, not per record.
      let where = ""
      const enter = (object: string): void => {
        where = `run s3://${bucket}/${run} (in ${object})`
      }
      const visit = (text: string): void => void records.push(lazyRecord(text, where, records.length))
      const takeIndexed: TakeIndexed = (bytes, base, index) => {
        const indexed = recordsFromEntries(bytes, base, index, where, records.length, PACK_REMEDY)
        if (indexed === undefined) return false
        for (const record of indexed) records.push(record)
        return true
      }
      const complete = await this.readOnce(run, listing, enter, visit, early, takeIndexed)
      if (complete) return records
      // Packed and deleted while we read: the next listing has the pack.
      if (tries >= 3) throw new IntegrityError(`artiflow: the manifests of s3://${bucket}/${run} keep vanishing while read`)
    }
  }

  /**
   * Packs the run's commits into one object and deletes them: called once the run has ended (its commits all
   * stored), so that opening it costs one read. Resolves to the name of the run's pack (the one it wrote, or
   * the one there was when there was nothing to add), if it has one. A commit that arrives later (a late
   * duplicate from another machine) stays an object of its own and is still read.
   */
  async pack(run: string): Promise<string | undefined> {
    const listing = await this.list(run)
    if (listing.commits.length <= 1 && listing.pack === undefined) return undefined
    if (listing.commits.length === 0) return listing.pack
    const texts: Array<string> = []
    if (!(await this.readOnce(run, listing, () => {}, (text) => texts.push(text)))) return undefined
    const name = this.nextName(PACK)
    await this.api.put(`${run}${FOLDER}${name}`, encodePack(listing.commits, texts))
    await this.api.deleteAll(listing.all.map((old) => `${run}${FOLDER}${old}`))
    return name
  }
}
