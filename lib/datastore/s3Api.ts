/**
 * The few S3 calls the S3 store makes, over `@aws-sdk/client-s3`, in artiflow's words: keys and bytes in,
 * bytes, "created" or "exists" out, and every failure a `StorageError` naming the operation, the object
 * (`s3://bucket/key`), the endpoint and the cause. No SDK type leaves this file.
 *
 * The SDK is loaded on first use (it costs a fresh process about 100 ms), so programs that never touch S3,
 * and `artiflow/client` readers of local stores, never load it. It is an optional peer dependency: without it
 * installed, the first call says how to install it.
 */
import type * as Sdk from "@aws-sdk/client-s3"
import { createRequire } from "node:module"
import { StorageError } from "../errors.js"
import { dynamicImport } from "../dynamicImport.js"

/**
 * What artiflow needs of an S3 client: `send(command)`. An `S3Client` of `@aws-sdk/client-s3` is one; pass
 * your own to `s3Store({ client })` to control its credentials, retries, HTTP agent or middleware.
 */
export interface S3ClientLike {
  send(command: object, options?: object): Promise<unknown>
}

/** Where the store's objects are, and how to reach them. */
export interface S3Location {
  readonly bucket: string
  /** Human-readable endpoint for messages: "http://127.0.0.1:7480" or "AWS (us-east-1)". */
  readonly endpoint: string
}

/** One listed object. */
export interface ListedObject {
  readonly key: string
  readonly size: number
  readonly lastModified: number
}

/** An object read whole. */
export interface ReadObject {
  readonly bytes: Uint8Array
  readonly metadata: Readonly<Record<string, string>>
}

type SdkModule = typeof Sdk

let sdkModule: Promise<SdkModule> | undefined

/**
 * The SDK's CommonJS build, `require`d: one bundled file and a few dozen of its dependencies, where `import()`
 * takes its ES module build, several hundred files that cost a fresh process about twice the CPU (110 ms against
 * 250 ms here). An SDK that ships no CommonJS build any more is imported.
 */
const requireOrImportSdk = async (): Promise<SdkModule> => {
  try {
    return createRequire(import.meta.url)("@aws-sdk/client-s3") as SdkModule
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ERR_REQUIRE_ESM") throw error
    return (await dynamicImport("@aws-sdk/client-s3")) as SdkModule
  }
}

/**
 * The SDK, loaded once per process; a clear StorageError when it is not installed. Not exported: its type
 * would put an import of the SDK's types into this file's declarations, which breaks type-checking in every
 * project that installs artiflow without the (optional) SDK.
 */
const loadSdk = (): Promise<SdkModule> =>
  (sdkModule ??= requireOrImportSdk().catch((error: unknown) => {
    sdkModule = undefined
    throw new StorageError(
      "artiflow: the S3 store needs the AWS SDK, which is not installed: npm install @aws-sdk/client-s3",
      { cause: error }
    )
  }))

/** How to make an SDK client, in artiflow's words. */
export interface S3ClientSettings {
  readonly region: string
  readonly endpoint: string | undefined
  readonly forcePathStyle: boolean
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string } | undefined
  readonly maxAttempts: number
}

/** A new `S3Client` of the SDK (imported on first use), sending and checking checksums only where S3 requires them. */
export const newS3Client = async (settings: S3ClientSettings): Promise<S3ClientLike> => {
  const sdk = await loadSdk()
  const { region, endpoint, forcePathStyle, credentials, maxAttempts } = settings
  return new sdk.S3Client({
    region,
    ...(endpoint !== undefined && { endpoint }),
    forcePathStyle,
    ...(credentials !== undefined && { credentials }),
    // S3-compatible servers (Ceph) refuse streamed uploads with checksum trailers; S3 needs none by default.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts
  }) as unknown as S3ClientLike
}

/** Connection-level failures: the endpoint is down, unreachable or not an S3 server. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "EPIPE"])

interface SdkError {
  readonly name?: string
  readonly code?: string
  readonly message?: string
  readonly $metadata?: { readonly httpStatusCode?: number }
}

/** The HTTP status of an SDK error, if the server answered. */
export const statusOf = (error: unknown): number | undefined =>
  typeof error === "object" && error !== null ? (error as SdkError).$metadata?.httpStatusCode : undefined

/** Error names that say nothing the HTTP status does not (a HEAD request's answer has no body to name it). */
const UNNAMED = new Set(["Error", "Unknown", "UnknownError", "NotFound", "Forbidden"])

/** Why an S3 call failed, in words that say what to do. */
const causeOf = (operation: string, error: unknown, location: S3Location): string => {
  const { name, code, message } = (typeof error === "object" && error !== null ? error : {}) as SdkError
  const status = statusOf(error)
  const named = name !== undefined && !UNNAMED.has(name) ? name : undefined
  const http = status === undefined ? "" : `HTTP ${status}`
  if (code !== undefined && NETWORK_CODES.has(code)) return `cannot reach the endpoint (${code}): is the S3 server up?`
  // HeadBucket answers a missing bucket with a bare 404; other calls name it NoSuchBucket.
  if (name === "NoSuchBucket" || (operation === "HeadBucket" && status === 404)) {
    return `bucket '${location.bucket}' does not exist (artiflow never creates buckets: create it, or check the name)`
  }
  if (status === 403 || name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch" || name === "AccessDenied") {
    const why = [named, http].filter((part) => part !== undefined && part !== "").join(", ")
    return `access denied (${why}): check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE) and their rights on the bucket`
  }
  const detail = message !== undefined && message !== "" && message !== "UnknownError" ? message : undefined
  if (named === undefined) return `${detail ?? "an error without a message"}${http === "" ? "" : ` (${http})`}`
  return `${named}${http === "" ? "" : ` (${http})`}${detail === undefined ? "" : `: ${detail}`}`
}

/** Whether a StorageError of this file says the object is not there (and not that the bucket is not). */
const isMissingObject = (error: unknown): boolean => {
  const cause = error instanceof StorageError ? (error.cause as SdkError | undefined) : undefined
  return statusOf(cause) === 404 && cause?.name !== "NoSuchBucket"
}

/** The StorageError for a failed call. */
export const s3Error = (operation: string, key: string, location: S3Location, error: unknown): StorageError =>
  new StorageError(
    `artiflow: S3 ${operation} of s3://${location.bucket}/${key} at ${location.endpoint} failed: ${causeOf(operation, error, location)}`,
    { cause: error }
  )

/** Concatenates a response body stream into one buffer of `size` bytes (when known), calling `onChunk` on each piece. */
const readBody = async (body: unknown, size: number | undefined, onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array> => {
  const stream = body as AsyncIterable<Uint8Array>
  if (size !== undefined) {
    const bytes = new Uint8Array(size)
    let offset = 0
    for await (const chunk of stream) {
      if (offset + chunk.byteLength > size) throw new Error(`the body is longer than its Content-Length (${size})`)
      bytes.set(chunk, offset)
      offset += chunk.byteLength
      onChunk?.(chunk)
    }
    if (offset !== size) throw new Error(`the body ended after ${offset} of ${size} bytes`)
    return bytes
  }
  const chunks: Array<Uint8Array> = []
  for await (const chunk of stream) {
    chunks.push(chunk)
    onChunk?.(chunk)
  }
  return Buffer.concat(chunks)
}

/** The S3 calls of one store: one bucket, through one client. */
export class S3Api {
  constructor(
    private readonly client: () => Promise<S3ClientLike>,
    readonly location: S3Location
  ) {}

  private async call<Output>(operation: string, key: string, make: (sdk: SdkModule) => object): Promise<Output> {
    const [sdk, client] = await Promise.all([loadSdk(), this.client()])
    try {
      return (await client.send(make(sdk))) as Output
    } catch (error) {
      throw s3Error(operation, key, this.location, error)
    }
  }

  /** Checks that the bucket exists and the credentials reach it. */
  async checkBucket(): Promise<void> {
    await this.call("HeadBucket", "", (sdk) => new sdk.HeadBucketCommand({ Bucket: this.location.bucket }))
  }

  /**
   * Writes an object. With `onlyIfNew`, an existing object is left alone (`If-None-Match: *`) and the result
   * is "exists"; S3 decides atomically, so of concurrent writers exactly one creates it.
   */
  async put(
    key: string,
    body: Uint8Array | string,
    options: { readonly onlyIfNew?: boolean; readonly metadata?: Readonly<Record<string, string>> } = {}
  ): Promise<"created" | "exists"> {
    try {
      await this.call("PutObject", key, (sdk) =>
        new sdk.PutObjectCommand({
          Bucket: this.location.bucket,
          Key: key,
          Body: body,
          // Said outright: the SDK sets it from the body, except for an empty one (a large blob's pointer), for
          // which it would print a warning about streams of unknown length on every write.
          ContentLength: typeof body === "string" ? Buffer.byteLength(body) : body.byteLength,
          ...(options.onlyIfNew === true && { IfNoneMatch: "*" }),
          ...(options.metadata !== undefined && { Metadata: { ...options.metadata } })
        })
      )
      return "created"
    } catch (error) {
      if (options.onlyIfNew === true && error instanceof StorageError && statusOf(error.cause) === 412) return "exists"
      throw error
    }
  }

  /** Reads an object whole, or `undefined` when there is none; `onChunk` sees the bytes as they arrive. */
  async get(key: string, onChunk?: (chunk: Uint8Array) => void): Promise<ReadObject | undefined> {
    let response: Sdk.GetObjectCommandOutput
    try {
      response = await this.call("GetObject", key, (sdk) => new sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: key }))
    } catch (error) {
      if (isMissingObject(error)) return undefined
      throw error
    }
    try {
      const bytes = await readBody(response.Body, response.ContentLength, onChunk)
      return { bytes, metadata: response.Metadata ?? {} }
    } catch (error) {
      throw s3Error("GetObject (reading the body)", key, this.location, error)
    }
  }

  /** Whether an object exists. */
  async exists(key: string): Promise<boolean> {
    try {
      await this.call("HeadObject", key, (sdk) => new sdk.HeadObjectCommand({ Bucket: this.location.bucket, Key: key }))
      return true
    } catch (error) {
      if (isMissingObject(error)) return false
      throw error
    }
  }

  /** Every object under `prefix`, in key order, page by page (S3 returns at most 1,000 keys a page). */
  async list(prefix: string): Promise<ReadonlyArray<ListedObject>> {
    const found: Array<ListedObject> = []
    let token: string | undefined
    do {
      const page = await this.call<Sdk.ListObjectsV2CommandOutput>("ListObjectsV2", prefix, (sdk) =>
        new sdk.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ContinuationToken: token })
      )
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue
        found.push({ key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified?.getTime() ?? 0 })
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    return found
  }

  /** Every object under `prefix`, in key order, a page (up to 1,000 objects, one request) at a time. */
  async *listPages(prefix: string): AsyncIterable<ReadonlyArray<ListedObject>> {
    let token: string | undefined
    do {
      const page = await this.call<Sdk.ListObjectsV2CommandOutput>("ListObjectsV2", prefix, (sdk) =>
        new sdk.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ContinuationToken: token })
      )
      const found: Array<ListedObject> = []
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue
        found.push({ key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified?.getTime() ?? 0 })
      }
      if (found.length > 0) yield found
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  /** An object's size, modification time and metadata, or `undefined` when there is none. */
  async head(key: string): Promise<(ListedObject & { readonly metadata: Readonly<Record<string, string>> }) | undefined> {
    try {
      const output = await this.call<Sdk.HeadObjectCommandOutput>("HeadObject", key, (sdk) =>
        new sdk.HeadObjectCommand({ Bucket: this.location.bucket, Key: key })
      )
      return { key, size: output.ContentLength ?? 0, lastModified: output.LastModified?.getTime() ?? 0, metadata: output.Metadata ?? {} }
    } catch (error) {
      if (isMissingObject(error)) return undefined
      throw error
    }
  }

  /**
   * Sets an object's modification time to now without changing its bytes: a copy onto itself, which S3 allows
   * only when the metadata is replaced, so `metadata` must be the object's own. False when the object is gone.
   */
  async touch(key: string, metadata: Readonly<Record<string, string>>): Promise<boolean> {
    try {
      await this.call("CopyObject", key, (sdk) =>
        new sdk.CopyObjectCommand({
          Bucket: this.location.bucket,
          Key: key,
          CopySource: `${this.location.bucket}/${key.split("/").map(encodeURIComponent).join("/")}`,
          MetadataDirective: "REPLACE",
          Metadata: { ...metadata }
        })
      )
      return true
    } catch (error) {
      if (isMissingObject(error)) return false
      throw error
    }
  }

  /** The "directories" right under `prefix` (common prefixes up to the next `/`), without the prefix or slash. */
  async listNames(prefix: string): Promise<ReadonlyArray<string>> {
    const names: Array<string> = []
    let token: string | undefined
    do {
      const page = await this.call<Sdk.ListObjectsV2CommandOutput>("ListObjectsV2", prefix, (sdk) =>
        new sdk.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, Delimiter: "/", ContinuationToken: token })
      )
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix !== undefined) names.push(common.Prefix.slice(prefix.length, -1))
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    return names
  }

  /** Deletes objects (missing ones are not an error), up to 1,000 a request. */
  async deleteAll(keys: ReadonlyArray<string>): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000)
      const output = await this.call<Sdk.DeleteObjectsCommandOutput>("DeleteObjects", batch[0] ?? "", (sdk) =>
        new sdk.DeleteObjectsCommand({
          Bucket: this.location.bucket,
          Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true }
        })
      )
      const failed = output.Errors?.[0]
      if (failed !== undefined) throw s3Error("DeleteObjects", failed.Key ?? "", this.location, failed)
    }
  }

  /** Starts a multipart upload and returns its id. */
  async startUpload(key: string): Promise<string> {
    const output = await this.call<Sdk.CreateMultipartUploadCommandOutput>("CreateMultipartUpload", key, (sdk) =>
      new sdk.CreateMultipartUploadCommand({ Bucket: this.location.bucket, Key: key })
    )
    if (output.UploadId === undefined) throw s3Error("CreateMultipartUpload", key, this.location, new Error("no upload id in the answer"))
    return output.UploadId
  }

  /** Uploads one part (numbered from 1) and returns its ETag. */
  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string> {
    const output = await this.call<Sdk.UploadPartCommandOutput>(`UploadPart ${partNumber}`, key, (sdk) =>
      new sdk.UploadPartCommand({ Bucket: this.location.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body })
    )
    if (output.ETag === undefined) throw s3Error(`UploadPart ${partNumber}`, key, this.location, new Error("no ETag in the answer"))
    return output.ETag
  }

  /** Completes a multipart upload: the object appears whole, at once. */
  async completeUpload(key: string, uploadId: string, etags: ReadonlyArray<string>): Promise<void> {
    await this.call("CompleteMultipartUpload", key, (sdk) =>
      new sdk.CompleteMultipartUploadCommand({
        Bucket: this.location.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) }
      })
    )
  }

  /** Abandons a multipart upload: its parts are deleted and nothing ever appears under its key. */
  async abortUpload(key: string, uploadId: string): Promise<void> {
    await this.call("AbortMultipartUpload", key, (sdk) =>
      new sdk.AbortMultipartUploadCommand({ Bucket: this.location.bucket, Key: key, UploadId: uploadId })
    )
  }

  /** Multipart uploads under `prefix` that were started but never completed nor aborted. */
  async pendingUploads(prefix: string): Promise<ReadonlyArray<{ readonly key: string; readonly uploadId: string; readonly startedAt: number }>> {
    const found: Array<{ key: string; uploadId: string; startedAt: number }> = []
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    for (;;) {
      const page = await this.call<Sdk.ListMultipartUploadsCommandOutput>("ListMultipartUploads", prefix, (sdk) =>
        new sdk.ListMultipartUploadsCommand({
          Bucket: this.location.bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker
        })
      )
      for (const upload of page.Uploads ?? []) {
        if (upload.Key === undefined || upload.UploadId === undefined) continue
        found.push({ key: upload.Key, uploadId: upload.UploadId, startedAt: upload.Initiated?.getTime() ?? 0 })
      }
      if (page.IsTruncated !== true) return found
      keyMarker = page.NextKeyMarker
      uploadIdMarker = page.NextUploadIdMarker
    }
  }
}
