/**
 * S3-store harness for the conformance suite: a fresh bucket per test on the real S3 server the test run
 * started (radosgw), and a fresh read-cache directory. Tampering goes to the stored object itself (the data
 * object of a large blob) and drops the cached copy, so that the next read must notice.
 */
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client
} from "@aws-sdk/client-s3"
import { s3Store } from "../../lib/datastore/s3.js"
import type { S3StoreOptions } from "../../lib/datastore/s3.js"
import type { StoreHarness } from "./contract.js"

/** How to reach the test run's S3 server. */
export interface S3Server {
  readonly endpoint: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
}

/** An SDK client for the server, set up as radosgw needs (path-style, checksums only when required). */
export const serverClient = (server: S3Server): S3Client =>
  new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED"
  })

let buckets = 0

/** A bucket name no other test uses (3-63 lower-case letters, digits and hyphens). */
export const uniqueBucket = (): string => `artiflow-${process.pid}-${Date.now().toString(36)}-${(buckets++).toString(36)}`

/** Every key under `prefix` in `bucket`. */
export const listKeys = async (client: S3Client, bucket: string, prefix = ""): Promise<ReadonlyArray<string>> => {
  const keys: Array<string> = []
  let token: string | undefined
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key)
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined
  } while (token !== undefined)
  return keys
}

/** Deletes a bucket and everything in it. */
export const removeBucket = async (client: S3Client, bucket: string): Promise<void> => {
  const keys = await listKeys(client, bucket)
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000).map((Key) => ({ Key }))
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }))
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }))
}

/** A fresh bucket and an S3 store on it (a fresh cache directory too), and what tests need to look inside. */
export const s3Harness = async (
  server: S3Server,
  options: Partial<S3StoreOptions> = {}
): Promise<StoreHarness & { readonly bucket: string; readonly client: S3Client; readonly cacheDir: string }> => {
  const client = serverClient(server)
  const bucket = uniqueBucket()
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  const cacheDir = await fs.mkdtemp(join(tmpdir(), "artiflow-s3-cache-"))
  const store = s3Store({
    bucket,
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    cacheDir,
    ...options
  })
  const prefix = options.prefix === undefined ? "" : `${options.prefix}/`
  /** The object holding a blob's bytes: the blob's own, or the data object its pointer names. */
  const bytesKey = async (hash: string): Promise<string> => {
    const key = `${prefix}blobs/${hash.slice(0, 2)}/${hash}`
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    await object.Body?.transformToByteArray()
    return object.Metadata?.["artiflow-data"] ?? key
  }
  const rewrite = async (hash: string, change: (bytes: Uint8Array) => Uint8Array): Promise<void> => {
    const key = await bytesKey(hash)
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array()
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: change(bytes), Metadata: object.Metadata }))
    await fs.rm(join(cacheDir, "blobs", hash.slice(0, 2), hash), { force: true })
  }
  return {
    store,
    bucket,
    client,
    cacheDir,
    corruptBlob: (hash) =>
      rewrite(hash, (bytes) => {
        bytes[0] = (bytes[0] ?? 0) ^ 0xff
        return bytes
      }),
    truncateBlob: (hash) => rewrite(hash, (bytes) => bytes.subarray(0, Math.floor(bytes.byteLength / 2))),
    cleanup: async () => {
      await removeBucket(client, bucket)
      await fs.rm(cacheDir, { recursive: true, force: true })
    }
  }
}
