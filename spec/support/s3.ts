/**
 * For test files of the `s3` project (spec/**\/*.s3.spec.ts): the run's Ceph radosgw gateway, an S3 client set up
 * for it, buckets of their own, and a gateway of their own to stop and restart.
 *
 * @example
 * const client = s3Client()
 * it("stores", async () => {
 *   const bucket = await freshBucket(client)   // removed when the test finishes
 *   await client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "v" }))
 * })
 */
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  S3Client,
  type S3ClientConfig
} from "@aws-sdk/client-s3"
import { afterAll, beforeAll, inject, onTestFinished } from "vitest"
import { startGateway } from "./servers/launch.js"
import { uniqueName } from "./servers/names.js"
import { freePort } from "./servers/ports.js"
import { restartable, type Restartable } from "./servers/processes.js"
import type { S3Server } from "./servers/provided.js"

export type { S3Server } from "./servers/provided.js"
export { uniqueName } from "./servers/names.js"

const provided = <Key extends "s3" | "cephDir" | "testRunPid">(key: Key) => {
  const value = inject(key)
  if (value === undefined) {
    throw new Error(`no S3 server here: S3 tests run in the vitest project "s3", which starts one; name the file *.s3.spec.ts`)
  }
  return value
}

/** The run's gateway: endpoint, credentials, region. */
export const s3Server = (): S3Server => provided("s3")

/**
 * An S3 client for `server` (default: the run's gateway) with the settings radosgw needs: path-style addressing,
 * and checksums only where S3 requires them (the SDK's default streamed checksums make radosgw answer 411).
 * `config` adds or overrides settings (`{ maxAttempts: 1 }`: no retries).
 */
export const s3Client = (server: S3Server = s3Server(), config: S3ClientConfig = {}): S3Client =>
  new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...config
  })

/** Creates a bucket no other test uses (its name starts with `label`) and returns its name. */
export const createBucket = async (client: S3Client, label = "test"): Promise<string> => {
  const bucket = uniqueName(label)
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  return bucket
}

const isNoSuchBucket = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "name" in error && error.name === "NoSuchBucket"

const abortUploads = async (client: S3Client, bucket: string): Promise<void> => {
  for (;;) {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
    const uploads = page.Uploads ?? []
    await Promise.all(uploads.map(({ Key, UploadId }) => client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }))))
    if (uploads.length === 0 || page.IsTruncated !== true) return
  }
}

// Versions and delete markers too: a test may have turned versioning on, and any version keeps a bucket alive.
const deleteObjects = async (client: S3Client, bucket: string): Promise<void> => {
  for (;;) {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }))
    const versions = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
    await Promise.all(versions.map(({ Key, VersionId }) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key, VersionId }))))
    if (versions.length === 0 || page.IsTruncated !== true) return
  }
}

/** Deletes `bucket` with everything in it (objects, their versions, unfinished uploads); a missing bucket is fine. */
export const removeBucket = async (client: S3Client, bucket: string): Promise<void> => {
  try {
    await abortUploads(client, bucket)
    await deleteObjects(client, bucket)
    await client.send(new DeleteBucketCommand({ Bucket: bucket }))
  } catch (error) {
    if (!isNoSuchBucket(error)) throw error
  }
}

/** Inside a test: a bucket of its own, removed when the test finishes (passed or failed). */
export const freshBucket = async (client: S3Client, label = "test"): Promise<string> => {
  const bucket = await createBucket(client, label)
  onTestFinished(() => removeBucket(client, bucket))
  return bucket
}

/**
 * At the top of a file or describe block: one bucket for its tests, created before them and removed after.
 * Returns a function that gives its name (from inside the tests).
 */
export const bucketPerFile = (label = "test"): (() => string) => {
  let bucket: string | undefined
  const client = s3Client()
  beforeAll(async () => {
    bucket = await createBucket(client, label)
  })
  afterAll(async () => {
    if (bucket !== undefined) await removeBucket(client, bucket)
    client.destroy()
  })
  return () => {
    if (bucket === undefined) throw new Error("bucketPerFile(): the bucket exists from beforeAll on; use it inside tests or hooks")
    return bucket
  }
}

/** A gateway of a test's own, in the run's cluster: objects written through any gateway are there for all. */
export type OwnGateway = S3Server & Restartable

/**
 * Starts a gateway of the test's own (under a second), so that stopping and restarting it does not disturb the other
 * test files, which run at the same time against the shared gateway.
 *
 * @example
 * const gateway = await ownGateway()
 * onTestFinished(gateway.close)
 * const client = s3Client(gateway)
 * await gateway.stop()       // requests now fail: connection refused
 * await gateway.start()      // same endpoint, same objects
 */
export const ownGateway = async (): Promise<OwnGateway> => {
  const cephDir = provided("cephDir")
  const name = uniqueName("gw").replaceAll("-", "")
  const port = await freePort()
  const owner = provided("testRunPid")
  const controls = await restartable(`gateway ${name}`, () => startGateway(cephDir, name, port, owner))
  return { ...s3Server(), endpoint: `http://127.0.0.1:${port}`, ...controls }
}
