/**
 * S3-store harness for the conformance suite: a fresh bucket per test on the real S3 server the test run
 * started (radosgw, spec/support/s3.ts), and a fresh read-cache directory. Tampering goes to the stored object itself (the data
 * object of a large blob) and drops the cached copy, so that the next read must notice.
 */
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3"
import type { S3Client } from "@aws-sdk/client-s3"
import { s3Store } from "../../lib/datastore/s3.js"
import type { S3StoreOptions } from "../../lib/datastore/s3.js"
import { createBucket, removeBucket, s3Client } from "../support/s3.js"
import type { S3Server } from "../support/s3.js"
import type { StoreHarness } from "./contract.js"

export type { S3Server } from "../support/s3.js"

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

/** A fresh bucket and an S3 store on it (a fresh cache directory too), and what tests need to look inside. */
export const s3Harness = async (
  server: S3Server,
  options: Partial<S3StoreOptions> = {}
): Promise<StoreHarness & { readonly bucket: string; readonly client: S3Client; readonly cacheDir: string }> => {
  const client = s3Client(server)
  const bucket = await createBucket(client, "store")
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
