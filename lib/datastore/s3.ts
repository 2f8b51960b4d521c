/**
 * The S3 Datastore: a bucket (and a prefix in it) on AWS S3 or an S3-compatible server (Ceph, MinIO).
 *
 *     <prefix>blobs/<first 2 hex>/<sha256>          blobs, written once (s3Blobs.ts)
 *     <prefix>data/<uuid>                           bytes of large blobs, uploaded in parts (s3Blobs.ts)
 *     <prefix>runs/<flow>/<runId>/run.json          run metadata, replaced whole (once the run ended, its object
 *                                                   metadata `artiflow-pack` names the run's manifest pack)
 *     <prefix>runs/<flow>/<runId>/manifests/...     task manifests, an object per commit (s3Manifests.ts)
 *     <prefix>runs/<flow>/.tags/<runId>/<change>    tag changes, an object each (tags added after the start)
 *     <prefix>cache/<key>/<pack>.json               the step cache index, in packs of entries (s3Cache.ts)
 *
 * Every write is one PutObject (or a multipart upload completed at once), which S3 makes visible whole or not
 * at all: nothing is ever seen half-written, and a crash leaves at most an incomplete multipart upload, which
 * is invisible and swept. A run is created with `If-None-Match: *` (of two creators of one run id, one wins);
 * tag changes are objects of their own, so concurrent taggers and the run rewriting its metadata never undo
 * each other. Listing runs reads each run's metadata object and never a blob.
 *
 * The first call checks the bucket (HeadBucket): a missing bucket, bad credentials or an unreachable
 * endpoint fail there with a StorageError naming the bucket, the endpoint and the cause, before a run exists.
 * Requests are retried by the SDK (with backoff, throttling included); what still fails is a StorageError
 * naming the operation and the object.
 */
import { randomBytes } from "node:crypto"
import { join, resolve } from "node:path"
import { NotFoundError, StorageError } from "../errors.js"
import type { BlobInfo, Datastore, ManifestRecord, RunSummary, StoredBlobInfo, TagChange } from "./Datastore.js"
import { mapLimited } from "./localFiles.js"
import type { RunMeta, TaskManifest } from "./Manifest.js"
import { assertValidName, assertValidRun, isValidName } from "./names.js"
import { DEFAULT_CACHE_BYTES, ReadCache } from "./readCache.js"
import { decodeRunMeta, encodeRunMeta, newestFirst, summarize } from "./records.js"
import { S3Api, newS3Client } from "./s3Api.js"
import type { S3ClientLike } from "./s3Api.js"
import { S3Blobs } from "./s3Blobs.js"
import { S3CacheIndex } from "./s3Cache.js"
import type { CacheEntry } from "./CacheEntry.js"
import { S3Manifests } from "./s3Manifests.js"
import { assertValidTagChange, decodeTagChange, encodeTagChange } from "./tagChanges.js"

export type { S3ClientLike } from "./s3Api.js"

/** Options of {@link s3Store}. */
export interface S3StoreOptions {
  /** The bucket. It must exist: artiflow never creates buckets. */
  readonly bucket: string
  /** Every key the store writes starts with this (a trailing "/" is implied). Default: the bucket's root. */
  readonly prefix?: string
  /** The client for every request. Default: an `S3Client` made from the options below and the AWS environment. */
  readonly client?: S3ClientLike
  /** Default: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else "us-east-1". */
  readonly region?: string
  /** An S3-compatible server's URL. Default: `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else AWS. */
  readonly endpoint?: string
  /** Path-style addressing (`endpoint/bucket/key`). Default: on when an endpoint is set that is not AWS. */
  readonly forcePathStyle?: boolean
  /** Default: the SDK's chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, instance roles...). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
  /**
   * The local read-through cache of blobs: a directory (default: `cache/` under `$ARTIFLOW_HOME`, else under
   * `./.artiflow`), or `false` for none.
   */
  readonly cacheDir?: string | false
  /** Most bytes the read cache holds before evicting the least recently used blobs (default 10 GiB). */
  readonly cacheMaxBytes?: number
}

/** The run metadata's object metadata key (S3 lower-cases metadata names) naming the run's manifest pack. */
const PACK_HINT = "artiflow-pack"

/** Objects read at once when listing runs. */
const LIST_CONCURRENCY = 32

const describeEndpoint = (endpoint: string | undefined, region: string): string => endpoint ?? `AWS (${region})`

const isAwsEndpoint = (endpoint: string): boolean => {
  try {
    return new URL(endpoint).hostname.endsWith(".amazonaws.com")
  } catch {
    return false
  }
}

/** The default client: the options, the AWS environment, and checksums only where S3 requires them. */
const makeClient = (options: S3StoreOptions, region: string, endpoint: string | undefined): Promise<S3ClientLike> =>
  newS3Client({
    region,
    endpoint,
    forcePathStyle: options.forcePathStyle ?? (endpoint !== undefined && !isAwsEndpoint(endpoint)),
    credentials: options.credentials,
    // Throttling (503 SlowDown) and dropped connections are retried with exponential backoff (the SDK's default
    // is 3 attempts).
    maxAttempts: 5
  })

/** Tasks a run keeps in flight by default on S3: each commit waits a round trip, and they share writes. */
const PREFERRED_CONCURRENCY = 64

class S3 implements Datastore {
  readonly description: string
  readonly preferredConcurrency = PREFERRED_CONCURRENCY
  private readonly api: S3Api
  private readonly prefix: string
  private readonly blobs: S3Blobs
  private readonly manifests: S3Manifests
  private readonly cache: S3CacheIndex
  // Runs known to exist, so that each commit does not cost a request.
  private readonly knownRuns = new Set<string>()
  private readonly writer = randomBytes(4).toString("hex")
  private changes = 0
  // Tag change objects are never rewritten: each is read once per store object, however often a run is read.
  private readonly changeCache = new Map<string, Promise<TagChange | undefined>>()
  // The pack each run's metadata named when it was last read (run folder -> pack name): see updateRun.
  private readonly packHints = new Map<string, string>()
  private ready: Promise<void> | undefined

  constructor(options: S3StoreOptions) {
    const env = process.env
    const region = options.region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1"
    const endpoint = options.endpoint ?? env["AWS_ENDPOINT_URL_S3"] ?? env["AWS_ENDPOINT_URL"]
    this.prefix = options.prefix === undefined || options.prefix === "" ? "" : `${options.prefix.replace(/\/+$/, "")}/`
    const location = { bucket: options.bucket, endpoint: describeEndpoint(endpoint, region) }
    this.description = `S3 store at s3://${options.bucket}/${this.prefix} (${location.endpoint})`
    let client: Promise<S3ClientLike> | undefined
    const given = options.client
    this.api = new S3Api(() => (client ??= given === undefined ? makeClient(options, region, endpoint) : Promise.resolve(given)), location)
    const cacheDir = options.cacheDir === undefined ? join(resolve(env["ARTIFLOW_HOME"] ?? ".artiflow"), "cache") : options.cacheDir
    const cache = cacheDir === false ? undefined : new ReadCache(resolve(cacheDir), options.cacheMaxBytes ?? DEFAULT_CACHE_BYTES)
    this.blobs = new S3Blobs(this.api, this.prefix, cache, this.description)
    this.manifests = new S3Manifests(this.api)
    this.cache = new S3CacheIndex(this.api, `${this.prefix}cache/`)
  }

  /**
   * The bucket check every write waits for, made once (again after a failure: the server may be back), so
   * that a missing bucket, bad credentials or a dead endpoint stop a run before it is created. Reads need no
   * check: their own first request fails with the same message.
   */
  private checked(): Promise<void> {
    return (this.ready ??= this.api.checkBucket().catch((error: unknown) => {
      this.ready = undefined
      throw error
    }))
  }

  private runDir(flow: string, runId: string): string {
    return `${this.prefix}runs/${flow}/${runId}/`
  }

  private runKey(flow: string, runId: string): string {
    return `${this.runDir(flow, runId)}run.json`
  }

  private tagDir(flow: string, runId: string): string {
    return `${this.prefix}runs/${flow}/.tags/${runId}/`
  }

  async writeBlob(bytes: Uint8Array): Promise<BlobInfo> {
    await this.checked()
    return this.blobs.write(bytes)
  }

  async hasBlob(hash: string): Promise<boolean> {
    return this.blobs.has(hash)
  }

  async readBlob(hash: string): Promise<Uint8Array> {
    return this.blobs.read(hash)
  }

  async *listBlobs(): AsyncIterable<ReadonlyArray<StoredBlobInfo>> {
    await this.checked()
    yield* this.blobs.list()
  }

  async deleteBlobs(hashes: ReadonlyArray<string>, notTouchedAfter: number): Promise<ReadonlyArray<BlobInfo>> {
    await this.checked()
    return this.blobs.delete(hashes, notTouchedAfter)
  }

  async deleteRun(flow: string, runId: string): Promise<void> {
    assertValidRun(flow, runId)
    await this.checked()
    const runKey = this.runKey(flow, runId)
    const tagDir = this.tagDir(flow, runId)
    const [inRun, tags] = await Promise.all([this.api.list(this.runDir(flow, runId)), this.api.list(tagDir)])
    // run.json last: until it goes, the run is listed, so a gc killed half-way finds it again and finishes.
    await this.api.deleteAll([...inRun.map((object) => object.key).filter((key) => key !== runKey), ...tags.map((object) => object.key)])
    await this.api.deleteAll([runKey])
    this.knownRuns.delete(`${flow}/${runId}`)
    this.packHints.delete(this.runDir(flow, runId))
    for (const key of this.changeCache.keys()) if (key.startsWith(tagDir)) this.changeCache.delete(key)
  }

  async createRun(meta: RunMeta): Promise<void> {
    assertValidRun(meta.flow, meta.runId)
    await this.checked()
    // Every run starts here: the moment to abort the uploads crashed writers left (never a live writer's).
    await this.blobs.sweepUploads()
    const created = await this.api.put(this.runKey(meta.flow, meta.runId), encodeRunMeta(meta), { onlyIfNew: true })
    if (created === "exists") {
      throw new StorageError(`artiflow: run '${meta.runId}' of flow '${meta.flow}' already exists in the ${this.description}`)
    }
    this.knownRuns.add(`${meta.flow}/${meta.runId}`)
  }

  async updateRun(meta: RunMeta): Promise<void> {
    assertValidRun(meta.flow, meta.runId)
    await this.checked()
    await this.requireRun(meta.flow, meta.runId)
    const dir = this.runDir(meta.flow, meta.runId)
    // An ended run takes no more commits (but a late duplicate): pack them, so that opening it is one read.
    // Only an optimization: the commits stay readable if packing fails. Packed first, so that the metadata
    // can name the pack: a reader then fetches it while it lists the run's manifests (a hint, checked
    // against the listing), not after.
    const pack = meta.status === "running" ? undefined : await this.manifests.pack(dir).catch(() => undefined)
    await this.api.put(this.runKey(meta.flow, meta.runId), encodeRunMeta(meta), pack === undefined ? {} : { metadata: { [PACK_HINT]: pack } })
  }

  async readRun(flow: string, runId: string): Promise<RunMeta | undefined> {
    assertValidRun(flow, runId)
    // The metadata and the tag changes are read at once: one round trip, not two.
    const [text, changes] = await Promise.all([this.metaText(flow, runId), this.tagChanges(flow, runId)])
    return text === undefined ? undefined : this.decodeMeta(flow, runId, text, changes)
  }

  async listRuns(flow: string): Promise<ReadonlyArray<RunSummary>> {
    return (await this.listRunMetas(flow)).map(summarize)
  }

  async listRunMetas(flow: string): Promise<ReadonlyArray<RunMeta>> {
    assertValidName("flow name", flow)
    const [names, changes] = await Promise.all([
      this.api.listNames(`${this.prefix}runs/${flow}/`),
      this.flowTagChanges(flow)
    ])
    const runIds = names.filter(isValidName)
    const metas = await mapLimited(runIds, LIST_CONCURRENCY, (runId) => this.readMeta(flow, runId, changes.get(runId) ?? []))
    return metas.filter((meta): meta is RunMeta => meta !== undefined).sort(newestFirst)
  }

  async updateTags(flow: string, runId: string, change: TagChange): Promise<ReadonlyArray<string>> {
    assertValidRun(flow, runId)
    assertValidTagChange(change, flow, runId)
    await this.checked()
    await this.requireRun(flow, runId)
    this.changes += 1
    const name = `${String(Date.now()).padStart(15, "0")}-${this.writer}-${String(this.changes).padStart(10, "0")}.json`
    await this.api.put(`${this.tagDir(flow, runId)}${name}`, encodeTagChange(change))
    const meta = await this.readRun(flow, runId)
    if (meta === undefined) throw new NotFoundError(`artiflow: run '${runId}' of flow '${flow}' not found in the ${this.description}`)
    return meta.tags
  }

  async listFlows(): Promise<ReadonlyArray<string>> {
    return (await this.api.listNames(`${this.prefix}runs/`)).filter(isValidName).sort()
  }

  async commitManifests(flow: string, runId: string, manifests: ReadonlyArray<TaskManifest>): Promise<void> {
    assertValidRun(flow, runId)
    if (manifests.length === 0) return
    await this.checked()
    await this.requireRun(flow, runId)
    await this.manifests.commit(this.runDir(flow, runId), manifests)
  }

  async readManifests(flow: string, runId: string): Promise<ReadonlyArray<TaskManifest>> {
    return (await this.readManifestRecords(flow, runId)).map((record) => record.manifest())
  }

  async readManifestRecords(flow: string, runId: string): Promise<ReadonlyArray<ManifestRecord>> {
    assertValidRun(flow, runId)
    const dir = this.runDir(flow, runId)
    const records = await this.manifests.readRecords(dir, this.packHints.get(dir))
    if (records !== undefined) return records
    await this.requireRun(flow, runId)
    return []
  }

  async putCacheEntries(entries: ReadonlyArray<CacheEntry>): Promise<void> {
    await this.checked()
    await this.cache.put(entries)
  }

  readCacheEntries(key: string): Promise<ReadonlyArray<CacheEntry>> {
    return this.cache.entries(key)
  }

  listCacheEntries(): AsyncIterable<CacheEntry> {
    return this.cache.list()
  }

  deleteCacheEntries(doomed: (entry: CacheEntry) => boolean): Promise<number> {
    return this.cache.delete(doomed)
  }

  /** The run's metadata document, or `undefined` when the run does not exist. */
  private async metaText(flow: string, runId: string): Promise<string | undefined> {
    const object = await this.api.get(this.runKey(flow, runId))
    if (object === undefined) return undefined
    const hint = object.metadata[PACK_HINT]
    if (hint === undefined) this.packHints.delete(this.runDir(flow, runId))
    else this.packHints.set(this.runDir(flow, runId), hint)
    return Buffer.from(object.bytes.buffer, object.bytes.byteOffset, object.bytes.byteLength).toString("utf8")
  }

  private decodeMeta(flow: string, runId: string, text: string, changes: ReadonlyArray<TagChange>): RunMeta {
    return decodeRunMeta(text, flow, runId, `s3://${this.api.location.bucket}/${this.runKey(flow, runId)}`, changes)
  }

  /** The run's metadata with `changes` applied to its tags, or `undefined` when it has none. */
  private async readMeta(flow: string, runId: string, changes: ReadonlyArray<TagChange>): Promise<RunMeta | undefined> {
    const text = await this.metaText(flow, runId)
    return text === undefined ? undefined : this.decodeMeta(flow, runId, text, changes)
  }

  /** One run's tag changes, oldest first. */
  private async tagChanges(flow: string, runId: string): Promise<ReadonlyArray<TagChange>> {
    const dir = this.tagDir(flow, runId)
    const keys = (await this.api.list(dir)).map((object) => object.key).sort()
    return this.readChanges(keys)
  }

  /** The tag changes of every run of a flow, by run id, oldest first: one listing for the whole flow. */
  private async flowTagChanges(flow: string): Promise<ReadonlyMap<string, ReadonlyArray<TagChange>>> {
    const dir = `${this.prefix}runs/${flow}/.tags/`
    const byRun = new Map<string, Array<string>>()
    for (const { key } of await this.api.list(dir)) {
      const runId = key.slice(dir.length).split("/")[0] ?? ""
      if (!isValidName(runId)) continue
      byRun.set(runId, [...(byRun.get(runId) ?? []), key])
    }
    const changes = new Map<string, ReadonlyArray<TagChange>>()
    for (const [runId, keys] of byRun) changes.set(runId, await this.readChanges(keys.sort()))
    return changes
  }

  private async readChanges(keys: ReadonlyArray<string>): Promise<ReadonlyArray<TagChange>> {
    const read = await mapLimited(keys, LIST_CONCURRENCY, (key) => {
      let change = this.changeCache.get(key)
      if (change === undefined) {
        change = this.readChange(key)
        this.changeCache.set(key, change)
        change.catch(() => this.changeCache.delete(key))
      }
      return change
    })
    return read.filter((change): change is TagChange => change !== undefined)
  }

  private async readChange(key: string): Promise<TagChange | undefined> {
    const object = await this.api.get(key)
    if (object === undefined) return undefined
    const text = Buffer.from(object.bytes.buffer, object.bytes.byteOffset, object.bytes.byteLength).toString("utf8")
    return decodeTagChange(text, `s3://${this.api.location.bucket}/${key}`)
  }

  private async requireRun(flow: string, runId: string): Promise<void> {
    const id = `${flow}/${runId}`
    if (this.knownRuns.has(id)) return
    if (!(await this.api.exists(this.runKey(flow, runId)))) {
      throw new NotFoundError(`artiflow: run '${runId}' of flow '${flow}' not found in the ${this.description}`)
    }
    this.knownRuns.add(id)
  }
}

/**
 * A Datastore in an S3 bucket (AWS S3, or an S3-compatible server such as Ceph or MinIO), for runs shared
 * between machines. Needs `@aws-sdk/client-s3` installed (an optional peer dependency). Blobs read once are
 * kept in a local cache directory and verified on every use.
 *
 * @example
 * import { run, s3Store } from "artiflow"
 *
 * const store = s3Store({ bucket: "ml-artifacts", prefix: "team-a" })   // credentials from the AWS environment
 * await run(Train, { store })
 * // A MinIO or Ceph server: s3Store({ bucket: "artifacts", endpoint: "http://127.0.0.1:9000" })
 */
export const s3Store = (options: S3StoreOptions): Datastore => {
  if (typeof options !== "object" || options === null || typeof options.bucket !== "string" || options.bucket === "") {
    throw new StorageError('artiflow: s3Store needs a bucket: s3Store({ bucket: "my-bucket" })')
  }
  return new S3(options)
}
