/**
 * The S3 test infrastructure works: the `s3` project's global setup started a real Ceph radosgw, the helpers of
 * spec/support/s3.ts reach it, give tests buckets of their own and a gateway they can stop and start again.
 */
import { connect } from "node:net"
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  type S3Client
} from "@aws-sdk/client-s3"
import { afterAll, describe, expect, it, onTestFinished } from "vitest"
import { bucketPerFile, createBucket, freshBucket, ownGateway, removeBucket, s3Client, s3Server } from "./s3.js"

const client = s3Client()
afterAll(() => client.destroy())

/** The HTTP status an S3 call failed with, or "ok". */
const statusOf = async (call: Promise<unknown>): Promise<number | "ok"> => {
  try {
    await call
    return "ok"
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    if (status === undefined) throw error
    return status
  }
}

const put = (to: S3Client, bucket: string, key: string, body: string, ifNoneMatch?: "*") =>
  to.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: ifNoneMatch }))

const read = async (from: S3Client, bucket: string, key: string): Promise<string> => {
  const { Body } = await from.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  return (await Body?.transformToString()) ?? ""
}

const bucketExists = async (bucket: string): Promise<boolean> => {
  const status = await statusOf(client.send(new HeadBucketCommand({ Bucket: bucket })))
  if (status === "ok") return true
  if (status === 404) return false
  throw new Error(`HeadBucket ${bucket}: HTTP ${status}`)
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("error", () => resolve(false))
  })

const portOf = (endpoint: string): number => Number(new URL(endpoint).port)

describe("the run's Ceph radosgw", () => {
  it("listens on a port of 127.0.0.1 chosen free, with the us-east-1 region", async () => {
    const server = s3Server()
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.region).toBe("us-east-1")
    expect(await listening(portOf(server.endpoint))).toBe(true)
  })

  it("stores an object and gives it back", async () => {
    const bucket = await freshBucket(client)
    await put(client, bucket, "runs/1/manifest.json", '{"ok":true}')
    expect(await read(client, bucket, "runs/1/manifest.json")).toBe('{"ok":true}')
  })

  it("refuses a write with If-None-Match: * where the key exists (412), and takes it where it does not", async () => {
    const bucket = await freshBucket(client)
    expect(await statusOf(put(client, bucket, "k", "first", "*"))).toBe("ok")
    expect(await statusOf(put(client, bucket, "k", "second", "*"))).toBe(412)
    expect(await read(client, bucket, "k")).toBe("first")
  })

  it("runs with the suite's environment", () => {
    expect(process.env["ARTIFLOW_VERIFY"]).toBe("1")
    expect(process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"]).toBe("true")
  })
})

describe("buckets of a test's own", () => {
  let removedAfterTest = ""
  it("freshBucket: a valid name used by no other bucket", async () => {
    const [first, second] = [await freshBucket(client, "Some Label_x"), await freshBucket(client, "Some Label_x")]
    for (const bucket of [first, second]) {
      expect(bucket).toMatch(/^some-label-x-[a-z0-9-]+$/)
      expect(bucket).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/)
      expect(await bucketExists(bucket)).toBe(true)
    }
    expect(first).not.toBe(second)
    removedAfterTest = first
    await put(client, first, "left/behind", "x")
  })

  it("freshBucket: removed, with its objects, once its test finished", async () => {
    expect(removedAfterTest).not.toBe("")
    expect(await bucketExists(removedAfterTest)).toBe(false)
  })

  it("removeBucket: also with objects in it and an unfinished multipart upload; a missing bucket is fine", async () => {
    const bucket = await createBucket(client, "remove")
    await put(client, bucket, "a", "1")
    await put(client, bucket, "deep/er/b", "2")
    await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "big" }))
    await removeBucket(client, bucket)
    expect(await bucketExists(bucket)).toBe(false)
    await removeBucket(client, bucket)
  })

  const perFile = bucketPerFile("per-file")
  it("bucketPerFile: one bucket for the tests of the file (written here)", async () => {
    await put(client, perFile(), "shared", "from the first test")
  })
  it("bucketPerFile: one bucket for the tests of the file (read here)", async () => {
    expect(await read(client, perFile(), "shared")).toBe("from the first test")
  })
})

describe("a gateway of a test's own", () => {
  it("stops (requests fail, the port is closed), starts again on the same endpoint, and the objects are still there", async () => {
    const gateway = await ownGateway()
    onTestFinished(gateway.close)
    expect(gateway.endpoint).not.toBe(s3Server().endpoint)
    const own = s3Client(gateway, { maxAttempts: 1 })
    onTestFinished(() => own.destroy())
    const bucket = await freshBucket(client)
    await put(own, bucket, "k", "written through the own gateway")
    expect(await read(client, bucket, "k")).toBe("written through the own gateway")

    await gateway.stop()
    expect(gateway.running()).toBe(false)
    expect(await listening(portOf(gateway.endpoint))).toBe(false)
    await expect(read(own, bucket, "k")).rejects.toMatchObject({ code: "ECONNREFUSED" })
    expect(await read(client, bucket, "k")).toBe("written through the own gateway")
    // the shared gateway does not wait for the killed one (with radosgw's metadata cache on, this took 30 s)
    const creating = Date.now()
    await freshBucket(client, "meanwhile")
    expect(Date.now() - creating).toBeLessThan(10_000)

    await gateway.start()
    expect(gateway.running()).toBe(true)
    expect(await read(own, bucket, "k")).toBe("written through the own gateway")

    await gateway.close()
    expect(gateway.running()).toBe(false)
    expect(await listening(portOf(gateway.endpoint))).toBe(false)
  })
})
