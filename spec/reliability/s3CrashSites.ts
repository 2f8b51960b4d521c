/**
 * S3 stores for the crash harness (crash.s3.spec.ts): one bucket on the run's radosgw gateway, a prefix per
 * store. The children open `s3://bucket/prefix` with `storeAt`, the endpoint and credentials in their
 * environment (and a read cache of their own under `ARTIFLOW_HOME`, which kills hit too); this process reads
 * with no cache, so that what it verifies comes from S3.
 *
 * The auditor reads the objects with the SDK, not the store, and checks every one under the prefix:
 *
 * - `blobs/<2 hex>/<sha256>`: the bytes hash to the name, or the object is an empty pointer whose data object
 *   (under `data/`) exists and hashes to the name;
 * - `runs/<flow>/<run>/run.json` parses and names its run; every manifest object (a commit or a pack) is whole
 *   framed records, each checksum right, checked with the harness's own parser (harnessStore.ts `logRecords`),
 *   a pack starting with its header; no run has objects without its run.json; tag changes parse;
 * - `cache/<key>/<pack>.json`: a step cache pack, whole, every entry in it decoding;
 * - nothing else is there. Allowed, because invisible: incomplete multipart uploads, and `data/` objects no
 *   pointer names (a writer killed between completing an upload and publishing its pointer, or before
 *   deleting a copy it found already published).
 *
 * Retiring a store: a new run on it must leave the incomplete uploads alone (they could be a live writer's, as
 * far as it can tell), then `sweepUploads` with a clock an hour and more ahead must abort every one of them.
 */
import { createHash } from "node:crypto"
import { mkdtempSync, promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3"
import type { S3Client } from "@aws-sdk/client-s3"
import { expect } from "vitest"
import { s3Store } from "../../lib/index.js"
import type { Datastore, RunMeta } from "../../lib/index.js"
import { isSha256Hex } from "../../lib/codec/hash.js"
import { decodeCachePack, isPackName } from "../../lib/datastore/CacheEntry.js"
import { S3Api } from "../../lib/datastore/s3Api.js"
import { S3Blobs, STALE_UPLOAD_MS } from "../../lib/datastore/s3Blobs.js"
import { createBucket, removeBucket, s3Client, s3Server } from "../support/s3.js"
import type { S3Server } from "../support/s3.js"
import type { CompleteRun, CrashSite, CrashSites, SiteAudit, Swept } from "./crashSites.js"
import { crc32, logRecords } from "./harnessStore.js"

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** The pointer object's metadata naming the data object (lib/datastore/s3Blobs.ts). */
const DATA_KEY = "artiflow-data"
const COMMIT_NAME = /^(pack-)?\d{15}-[0-9a-f]{8}-\d{10}\.jsonl$/
const TAG_CHANGE_NAME = /^\d{15}-[0-9a-f]{8}-\d{10}\.json$/
/** How long a killed writer's store must stay unchanged to count as settled, and how long it may take. */
const QUIET_MS = 400
const SETTLE_LIMIT_MS = 10_000

interface Listed {
  readonly key: string
  /** ETag and size: a rewritten object has another. */
  readonly version: string
}

/** An incomplete multipart upload. */
export interface Upload {
  readonly key: string
  readonly uploadId: string
}

/** An S3 store of the crash harness. */
export interface S3CrashSite extends CrashSite {
  /** The incomplete multipart uploads under its data/. */
  pendingUploads(): Promise<ReadonlyArray<Upload>>
}

/** S3 stores of the crash harness. */
export interface S3CrashSites extends CrashSites {
  create(name: string): Promise<S3CrashSite>
}

/**
 * S3 stores under prefixes of one bucket of the run's gateway, created on first use and removed by
 * `dispose()`, with the children's read cache in a temp directory.
 */
export const s3Sites = (): S3CrashSites => {
  const server = s3Server()
  const client = s3Client(server)
  const cacheHome = mkdtempSync(join(tmpdir(), "artiflow-crash-s3-"))
  let bucket: Promise<string> | undefined
  return {
    kind: "S3",
    childEnv: {
      AWS_ENDPOINT_URL_S3: server.endpoint,
      AWS_ACCESS_KEY_ID: server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
      AWS_REGION: server.region,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ARTIFLOW_HOME: cacheHome
    },
    leftovers: "incomplete multipart uploads",
    create: async (name) => new S3Site(client, server, await (bucket ??= createBucket(client, "crash")), name),
    dispose: async () => {
      if (bucket !== undefined) await removeBucket(client, await bucket)
      client.destroy()
      await fs.rm(cacheHome, { recursive: true, force: true })
    }
  }
}

class S3Site implements S3CrashSite {
  readonly location: string
  private readonly prefix: string
  /** Objects that passed their check, by key: their version then. */
  private readonly checked = new Map<string, string>()
  /** Pointers that passed, by key: the data object each names. */
  private readonly pointers = new Map<string, string>()
  /** Each run's objects and their versions at the previous audit. */
  private runVersions = new Map<string, string>()

  constructor(
    private readonly client: S3Client,
    private readonly server: S3Server,
    private readonly bucket: string,
    private readonly name: string
  ) {
    this.prefix = `${name}/`
    this.location = `s3://${bucket}/${name}`
  }

  open(): Datastore {
    const { endpoint, region, accessKeyId, secretAccessKey } = this.server
    return s3Store({ bucket: this.bucket, prefix: this.name, endpoint, region, credentials: { accessKeyId, secretAccessKey }, cacheDir: false })
  }

  private async list(prefix: string): Promise<ReadonlyArray<Listed>> {
    const found: Array<Listed> = []
    let token: string | undefined
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }))
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) found.push({ key: object.Key, version: `${object.ETag ?? ""}:${object.Size ?? -1}` })
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    return found
  }

  private async read(key: string): Promise<{ readonly bytes: Buffer; readonly metadata: Readonly<Record<string, string>> }> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }))
    return { bytes: Buffer.from((await object.Body?.transformToByteArray()) ?? []), metadata: object.Metadata ?? {} }
  }

  /** Incomplete multipart uploads under the store's data/. */
  async pendingUploads(): Promise<ReadonlyArray<Upload>> {
    const found: Array<Upload> = []
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    for (;;) {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: `${this.prefix}data/`, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker })
      )
      for (const upload of page.Uploads ?? []) found.push({ key: upload.Key ?? "", uploadId: upload.UploadId ?? "" })
      if (page.IsTruncated !== true) return found.sort((a, b) => a.uploadId.localeCompare(b.uploadId))
      keyMarker = page.NextKeyMarker
      uploadIdMarker = page.NextUploadIdMarker
    }
  }

  /** Runs `check` on the object unless this version of it passed before. */
  private async once(object: Listed, check: (bytes: Buffer, metadata: Readonly<Record<string, string>>) => Promise<void> | void): Promise<void> {
    if (this.checked.get(object.key) === object.version) return
    const { bytes, metadata } = await this.read(object.key)
    await check(bytes, metadata)
    this.checked.set(object.key, object.version)
  }

  private async checkBlob(object: Listed, path: ReadonlyArray<string>): Promise<void> {
    const [fan = "", hash = "", ...extra] = path
    if (extra.length > 0 || !isSha256Hex(hash) || !hash.startsWith(fan)) throw new Error(`not a blob's key: ${object.key}`)
    await this.once(object, async (bytes, metadata) => {
      const dataKey = metadata[DATA_KEY]
      if (dataKey === undefined) {
        const actual = sha256(bytes)
        if (actual !== hash) throw new Error(`${object.key} holds bytes hashing to ${actual}`)
        return
      }
      if (bytes.byteLength !== 0) throw new Error(`${object.key} is a pointer with a body of ${bytes.byteLength} bytes`)
      if (!dataKey.startsWith(`${this.prefix}data/`)) throw new Error(`${object.key} points outside the store's data/: ${dataKey}`)
      const actual = sha256((await this.read(dataKey)).bytes)
      if (actual !== hash) throw new Error(`${object.key} points to ${dataKey}, whose bytes hash to ${actual}`)
      this.pointers.set(object.key, dataKey)
    })
  }

  /** A step cache pack (`cache/<key>/<pack>.json`) is one PutObject: whole, and every entry in it decodes. */
  private async checkCachePack(object: Listed, path: ReadonlyArray<string>): Promise<void> {
    const [key = "", file = "", ...extra] = path
    if (extra.length > 0 || !isSha256Hex(key) || !file.endsWith(".json") || !isPackName(file.slice(0, -".json".length))) {
      throw new Error(`not a step cache pack's key: ${object.key}`)
    }
    await this.once(object, (bytes) => void decodeCachePack(bytes.toString("utf8"), object.key, key))
  }

  /** Checks an object under runs/; returns the run ("flow/runId") it belongs to. */
  private async checkRunObject(object: Listed, path: ReadonlyArray<string>): Promise<{ readonly run: string; readonly isMeta: boolean }> {
    const [flow = "", second = "", third = "", fourth, ...extra] = path
    if (second === ".tags" && fourth !== undefined && extra.length === 0 && TAG_CHANGE_NAME.test(fourth)) {
      await this.once(object, (bytes) => void JSON.parse(bytes.toString("utf8")))
      return { run: `${flow}/${third}`, isMeta: false }
    }
    const run = `${flow}/${second}`
    if (third === "run.json" && fourth === undefined) {
      await this.once(object, (bytes) => {
        const meta = JSON.parse(bytes.toString("utf8")) as RunMeta
        if (meta.flow !== flow || meta.runId !== second) throw new Error(`${object.key} is another run's`)
      })
      return { run, isMeta: true }
    }
    if (third === "manifests" && fourth !== undefined && extra.length === 0 && COMMIT_NAME.test(fourth)) {
      await this.once(object, (bytes) => {
        const { records, torn } = logRecords(bytes, object.key)
        // A PutObject is whole or absent: unlike a local log, an object may not end in part of a record.
        if (torn) throw new Error(`${object.key} ends in part of a record`)
        if (fourth.startsWith("pack-")) {
          const header = JSON.parse(records[0] ?? "null") as { artiflowPack?: unknown; commits?: unknown; bodyCrc32?: unknown } | null
          if (header?.artiflowPack !== 1 || !Array.isArray(header.commits)) throw new Error(`${object.key} is a pack without its header`)
          // Packs are written with the CRC-32 of what follows the header (manifestPack.ts).
          const body = bytes.subarray(bytes.indexOf(0x0a) + 1)
          if (header.bodyCrc32 !== crc32(body)) throw new Error(`${object.key}: the body does not match the header's bodyCrc32`)
        }
      })
      return { run, isMeta: false }
    }
    throw new Error(`unexpected object under runs/: ${object.key}`)
  }

  /**
   * Waits until the store's objects and incomplete uploads stay the same for {@link QUIET_MS}. A killed process
   * does not take its requests with it: the kernel still sends what its sockets had buffered, and radosgw
   * carries out a request it received whole, some milliseconds later (more on a loaded machine).
   */
  async settle(): Promise<boolean> {
    const snapshot = async (): Promise<string> =>
      JSON.stringify([await this.list(this.prefix), (await this.pendingUploads()).map((upload) => upload.uploadId)])
    let before = await snapshot()
    let landed = false
    for (let waited = 0; waited < SETTLE_LIMIT_MS; waited += QUIET_MS) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS))
      const after = await snapshot()
      if (after === before) return landed
      before = after
      landed = true
    }
    throw new Error(`the store ${this.location} kept changing for ${SETTLE_LIMIT_MS} ms after its writer was killed`)
  }

  async audit(): Promise<SiteAudit> {
    const objects = await this.list(this.prefix)
    const keys = new Set(objects.map((object) => object.key))
    const dataObjects: Array<string> = []
    const runObjects = new Map<string, Array<string>>()
    const runsWithMeta = new Set<string>()
    for (const object of objects) {
      const [top, ...path] = object.key.slice(this.prefix.length).split("/")
      if (top === "blobs") await this.checkBlob(object, path)
      else if (top === "data" && path.length === 1) dataObjects.push(object.key)
      else if (top === "runs") {
        const { run, isMeta } = await this.checkRunObject(object, path)
        if (isMeta) runsWithMeta.add(run)
        runObjects.set(run, [...(runObjects.get(run) ?? []), `${object.key}@${object.version}`])
      } else if (top === "cache") await this.checkCachePack(object, path)
      else throw new Error(`unexpected object in the store: ${object.key}`)
    }
    for (const [pointer, dataKey] of this.pointers) {
      if (keys.has(pointer) && !keys.has(dataKey)) throw new Error(`${pointer} points to ${dataKey}, which is gone`)
    }
    const changedRuns = new Set<string>()
    const versions = new Map<string, string>()
    for (const [run, parts] of runObjects) {
      // Nothing is committed to a run before its run.json exists (tag changes need the run too).
      if (!runsWithMeta.has(run)) throw new Error(`run ${run} has objects but no run.json: ${parts.join(", ")}`)
      const version = parts.sort().join("\n")
      versions.set(run, version)
      if (this.runVersions.get(run) !== version) changedRuns.add(run)
    }
    for (const run of this.runVersions.keys()) if (!versions.has(run)) changedRuns.add(run)
    this.runVersions = versions
    const pointed = new Set([...this.pointers].filter(([pointer]) => keys.has(pointer)).map(([, dataKey]) => dataKey))
    const unpublished = dataObjects.filter((key) => !pointed.has(key)).length
    return { changedRuns, tornTails: 0, leftovers: (await this.pendingUploads()).length + unpublished }
  }

  async retire(complete: CompleteRun): Promise<Swept> {
    const left = await this.pendingUploads()
    await complete(this.open(), "after-sweep")
    // The new run swept uploads an hour old, and only those: the killed writers' are younger, and could as well
    // be a live writer's.
    expect(await this.pendingUploads(), "incomplete uploads a new run aborted").toEqual(left)
    const location = { bucket: this.bucket, endpoint: this.server.endpoint }
    const blobs = new S3Blobs(new S3Api(async () => this.client, location), this.prefix, undefined, `crash store ${this.name}`)
    await blobs.sweepUploads(Date.now() + 2 * STALE_UPLOAD_MS)
    expect(await this.pendingUploads(), "incomplete uploads left once an hour old").toEqual([])
    const { changedRuns } = await this.audit()
    expect([...changedRuns].filter((run) => !run.endsWith("/after-sweep")), "runs changed by the sweep").toEqual([])
    return { swept: left.length, linkedStrays: 0 }
  }
}
