/**
 * The S3 store on a real S3 API (the run's Ceph radosgw): the conformance suite, then what only S3 has:
 * conditional blob writes, parallel multipart uploads hashed as they go, uploads that fail or are abandoned,
 * one object per commit and packing, pagination, listing without blob reads, the read-through cache, errors
 * at first use, and choosing the store with ARTIFLOW_STORE or a location string.
 */
import { Hash } from "node:crypto"
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from "@aws-sdk/client-s3"
import { afterEach, describe, expect, test, vi } from "vitest"
import { sha256Hex } from "../../lib/codec/hash.js"
import { IntegrityError, StorageError } from "../../lib/errors.js"
import { Client, flow, run, s3Store, step } from "../../lib/index.js"
import { S3Api } from "../../lib/datastore/s3Api.js"
import { S3Blobs } from "../../lib/datastore/s3Blobs.js"
import { frameRecord } from "../../lib/datastore/manifestLog.js"
import { encodePack } from "../../lib/datastore/manifestPack.js"
import { encodeManifest } from "../../lib/datastore/records.js"
import { defaultStore, storeAt } from "../../lib/datastore/storeAt.js"
import { datastoreContract } from "./contract.js"
import { manifest, runMeta } from "./contract/fixtures.js"
import { s3Client, s3Server } from "../support/s3.js"
import type { S3Server } from "../support/s3.js"
import { listKeys, s3Harness } from "./s3Harness.js"
const server = (): S3Server => s3Server()

datastoreContract("s3", () => s3Harness(server()))
datastoreContract("s3, under a prefix, no read cache", () => s3Harness(server(), { prefix: "team/a", cacheDir: false }))

interface SentCommand {
  readonly constructor: { readonly name: string }
  readonly input: Readonly<Record<string, unknown>>
}

/** A client that records every command it sends ("PutObject key") before sending it on, or failing it. */
const recording = (server: S3Server, fail?: (command: SentCommand) => Error | undefined) => {
  const real = s3Client(server)
  const sent: Array<string> = []
  const send = vi.fn(async (command: object): Promise<unknown> => {
    const typed = command as SentCommand
    sent.push(`${typed.constructor.name.replace(/Command$/, "")} ${String(typed.input["Key"] ?? typed.input["Prefix"] ?? "")}`)
    const failure = fail?.(typed)
    if (failure !== undefined) throw failure
    return real.send(command as never)
  })
  return { client: { send }, sent, send }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  vi.unstubAllEnvs()
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

/** A harness whose store sends through a recording client. */
const recordedHarness = async (options: Parameters<typeof s3Harness>[1] = {}) => {
  const rec = recording(server())
  const harness = await s3Harness(server(), { client: rec.client, ...options })
  cleanups.push(harness.cleanup)
  return { ...harness, sent: rec.sent, send: rec.send }
}

const bytesOf = (size: number, seed = 1): Uint8Array => {
  const bytes = new Uint8Array(size)
  let x = seed
  for (let i = 0; i < size; i += 4096) {
    x = (x * 1103515245 + 12345) >>> 0
    bytes[i] = x & 0xff
  }
  return bytes
}

describe("blobs", () => {
  test("written once with If-None-Match: a second or concurrent write of the same bytes creates nothing and is no error", async () => {
    const { store, sent } = await recordedHarness()
    const bytes = bytesOf(100_000)
    const results = await Promise.all(Array.from({ length: 8 }, () => store.writeBlob(bytes)))
    expect(new Set(results.map((result) => result.hash))).toEqual(new Set([sha256Hex(bytes)]))
    expect(sent.filter((line) => line.startsWith("PutObject"))).toHaveLength(8)
    expect(await store.readBlob(sha256Hex(bytes))).toEqual(bytes)
  })

  test("a large blob is a parallel multipart upload hashed as its parts go, published by a pointer", async () => {
    const { store, sent, send, client, bucket } = await recordedHarness({ cacheDir: false })
    const part = 16 * 1024 * 1024
    const size = 2 * part + 123
    const bytes = bytesOf(size, 7)
    const updates = vi.spyOn(Hash.prototype, "update")
    const { hash } = await store.writeBlob(bytes)
    expect(hash).toBe(sha256Hex(bytes))
    expect(sent.filter((line) => line.startsWith("CreateMultipartUpload"))).toHaveLength(1)
    expect(sent.filter((line) => line.startsWith("UploadPart"))).toHaveLength(3)
    expect(sent.filter((line) => line.startsWith("CompleteMultipartUpload"))).toHaveLength(1)
    // One pass: the first part was on its way before the last one was hashed (the hash of the whole is only
    // known at the end, which is why the blob is published by a pointer under it).
    const firstPartSent = Math.min(
      ...send.mock.calls.flatMap(([command], i) => ((command as object).constructor.name === "UploadPartCommand" ? [send.mock.invocationCallOrder[i] ?? 0] : []))
    )
    const lastPartHashed = Math.min(
      ...updates.mock.calls.flatMap(([data], i) => ((data as unknown as { readonly byteLength?: number }).byteLength === 123 ? [updates.mock.invocationCallOrder[i] ?? 0] : []))
    )
    updates.mockRestore()
    expect(firstPartSent).toBeLessThan(lastPartHashed)
    const pointer = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `blobs/${hash.slice(0, 2)}/${hash}` }))
    expect(pointer.ContentLength).toBe(0)
    expect(pointer.Metadata?.["artiflow-data"]).toMatch(/^data\//)
    expect(sha256Hex(await store.readBlob(hash))).toBe(hash)
    // The same bytes again: the second copy finds the pointer there and deletes its own data object.
    await store.writeBlob(bytes)
    expect(await listKeys(client, bucket, "data/")).toHaveLength(1)
  }, 120_000)

  test("a multipart upload that fails is aborted: nothing visible, no upload left", async () => {
    const failOnPart2 = (command: SentCommand) =>
      command.constructor.name === "UploadPartCommand" && command.input["PartNumber"] === 2 ? new Error("connection reset") : undefined
    const rec = recording(server(), failOnPart2)
    const harness = await s3Harness(server(), { client: rec.client })
    cleanups.push(harness.cleanup)
    const bytes = bytesOf(40 * 1024 * 1024, 3)
    await expect(harness.store.writeBlob(bytes)).rejects.toThrow(/UploadPart 2 of s3:\/\/.*\/data\/.* failed: connection reset$/)
    expect(await harness.store.hasBlob(sha256Hex(bytes))).toBe(false)
    expect(await listKeys(harness.client, harness.bucket)).toEqual([])
    const uploads = await harness.client.send(new ListMultipartUploadsCommand({ Bucket: harness.bucket }))
    expect(uploads.Uploads ?? []).toEqual([])
    expect(rec.sent.some((line) => line.startsWith("AbortMultipartUpload"))).toBe(true)
  })

  test("an upload a crashed writer left is invisible, and swept once it is an hour old", async () => {
    const harness = await s3Harness(server())
    cleanups.push(harness.cleanup)
    const left = await harness.client.send(new CreateMultipartUploadCommand({ Bucket: harness.bucket, Key: "data/crashed" }))
    expect(left.UploadId).toBeDefined()
    const location = { bucket: harness.bucket, endpoint: server().endpoint }
    const blobs = new S3Blobs(new S3Api(async () => s3Client(server()), location), "", undefined, "test store")
    await blobs.sweepUploads(Date.now())
    expect((await harness.client.send(new ListMultipartUploadsCommand({ Bucket: harness.bucket }))).Uploads).toHaveLength(1)
    await blobs.sweepUploads(Date.now() + 2 * 60 * 60 * 1000)
    expect((await harness.client.send(new ListMultipartUploadsCommand({ Bucket: harness.bucket }))).Uploads ?? []).toEqual([])
  })
})

describe("manifests", () => {
  test("each commit is one object, read whole; past 1,000 objects listing pages; an ended run is packed into one", async () => {
    const { store, client, bucket } = await recordedHarness()
    await store.createRun(runMeta("Train", "r1"))
    for (let i = 0; i < 1_050; i++) await store.commitManifests("Train", "r1", [manifest("fit", String(i)), manifest("fit", String(i), 1)])
    const objects = await listKeys(client, bucket, "runs/Train/r1/manifests/")
    expect(objects).toHaveLength(1_050)
    const expected = Array.from({ length: 1_050 }, (_, i) => [`${i}/0`, `${i}/1`]).flat()
    expect((await store.readManifests("Train", "r1")).map((m) => `${m.taskId}/${m.attempt}`)).toEqual(expected)
    await store.updateRun(runMeta("Train", "r1", 1_000, { status: "succeeded", finishedAt: 2_000 }))
    const packed = await listKeys(client, bucket, "runs/Train/r1/manifests/")
    expect(packed).toHaveLength(1)
    expect(packed[0]).toMatch(/manifests\/pack-/)
    expect((await store.readManifests("Train", "r1")).map((m) => `${m.taskId}/${m.attempt}`)).toEqual(expected)
    // A late commit (a duplicate delivered after the end) is its own object, read after the pack.
    await store.commitManifests("Train", "r1", [manifest("late")])
    expect((await store.readManifests("Train", "r1")).at(-1)?.step).toBe("late")
  }, 120_000)

  /** Run Train/r1 of three tasks, ended: its commits are packed into one object, `packKey`. */
  const packedRun = async () => {
    const harness = await recordedHarness()
    const { store, client, bucket } = harness
    await store.createRun(runMeta("Train", "r1"))
    for (let i = 0; i < 3; i++) await store.commitManifests("Train", "r1", [manifest("start", String(i))])
    await store.updateRun(runMeta("Train", "r1", 1_000, { status: "succeeded", finishedAt: 2_000 }))
    const [packKey] = await listKeys(client, bucket, "runs/Train/r1/manifests/")
    return { ...harness, packKey }
  }

  test("an ended run's metadata names its pack; readers fetch it while listing, and only if the listing names it too", async () => {
    const { client, bucket, packKey } = await packedRun()
    const pack = (packKey as string).split("/").at(-1) as string
    const metaKey = "runs/Train/r1/run.json"
    expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: metaKey }))).Metadata).toEqual({ "artiflow-pack": pack })
    const reader = () => {
      const rec = recording(server())
      return { store: s3Store({ bucket, client: rec.client, cacheDir: false }), sent: rec.sent }
    }
    const fresh = reader()
    const handle = await Client.open(fresh.store).run("Train")
    expect((await handle.step("start").tasks()).map((task) => task.id)).toEqual(["0", "1", "2"])
    // The pack is asked for before the listing that confirms it, and read once.
    const packRead = fresh.sent.indexOf(`GetObject ${packKey as string}`)
    expect(packRead).toBeGreaterThanOrEqual(0)
    expect(packRead).toBeLessThan(fresh.sent.indexOf("ListObjectsV2 runs/Train/r1/manifests/"))
    expect(fresh.sent.filter((line) => line === `GetObject ${packKey as string}`)).toHaveLength(1)

    // A hint the listing does not confirm is not used: an older pack (another run's records), a missing one, a bad name.
    const meta = await client.send(new GetObjectCommand({ Bucket: bucket, Key: metaKey }))
    const metaText = (await meta.Body?.transformToString()) as string
    const older = "pack-000000000000001-00000000-0000000001.jsonl"
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `runs/Train/r1/manifests/${older}`, Body: encodePack([], [encodeManifest(manifest("other"))]) }))
    for (const hint of [older, "pack-000000000000002-00000000-0000000001.jsonl", "../r2/run.json"]) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: metaKey, Body: metaText, Metadata: { "artiflow-pack": hint } }))
      const misled = reader()
      const read = await (await Client.open(misled.store).run("Train")).step("start").tasks()
      expect(read.map((task) => task.id)).toEqual(["0", "1", "2"])
      expect(await misled.store.readManifests("Train", "r1")).toHaveLength(3)
      expect(misled.sent.some((line) => line.includes("../"))).toBe(false)
    }
  })

  test("a pack whose records do not match its header's checksum is an IntegrityError naming it; older packs without one are read", async () => {
    const { client, bucket, packKey } = await packedRun()
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: packKey }))
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) as Uint8Array)
    const text = bytes.toString("utf8")
    // Task "1" becomes task "7", its record's own checksum made right: only the pack's body checksum sees it.
    const lines = text.split("\n")
    const damaged = lines.map((line, i) => (i > 0 && line.includes('"taskId":"1"') ? frameRecord(line.slice(9).replace('"taskId":"1"', '"taskId":"7"')).toString("utf8").trimEnd() : line))
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: packKey, Body: damaged.join("\n") }))
    const reader = s3Store({ bucket, client, cacheDir: false })
    await expect(reader.readManifests("Train", "r1")).rejects.toBeInstanceOf(IntegrityError)
    await expect(reader.readManifests("Train", "r1")).rejects.toThrow(
      `manifest pack s3://${bucket}/${packKey as string} is corrupt: its records do not match the checksum in its header`
    )
    await expect((await Client.open(reader).run("Train")).step("start").tasks()).rejects.toThrow(IntegrityError)
    // The same records in a pack as written before the body checksum: read, each record checked on its own.
    const headerOnly = JSON.parse((lines[0] as string).slice(9)) as { commits: ReadonlyArray<string> }
    const old = [frameRecord(JSON.stringify({ artiflowPack: 1, commits: headerOnly.commits })), ...lines.slice(1, -1).map((line) => frameRecord(line.slice(9)))]
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: packKey, Body: Buffer.concat(old) }))
    expect((await reader.readManifests("Train", "r1")).map((m) => m.taskId)).toEqual(["0", "1", "2"])
    const tampered = Buffer.concat(old).toString("utf8").replace('"taskId":"2"', '"taskId":"9"')
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: packKey, Body: tampered }))
    await expect(reader.readManifests("Train", "r1")).rejects.toThrow(`manifest object s3://${bucket}/${packKey as string} is corrupt after record 3`)
  })

  test("listing runs and opening a run read no blob", async () => {
    const { store, sent } = await recordedHarness()
    const Notes = flow("Notes").pipe(step("start", () => ({ text: "n".repeat(100_000) })))
    await run(Notes, { store, log: () => {} })
    sent.length = 0
    const client = Client.open(store)
    await client.runs("Notes")
    const handle = await client.run("Notes")
    await handle.step("start").tasks()
    expect(sent.filter((line) => line.includes(" blobs/"))).toEqual([])
    expect(await handle.artifact("text")).toHaveLength(100_000)
    expect(sent.filter((line) => line.includes(" blobs/"))).toHaveLength(1)
  })
})

describe("the read-through cache", () => {
  test("a second read of a 100 MB artifact costs no request, and the cached copy is verified on use", async () => {
    const { store, sent, cacheDir } = await recordedHarness()
    const Large = flow("Large").pipe(step("start", () => ({ weights: new Float64Array(12_500_000).fill(0.25) })))
    const result = await run(Large, { store, log: () => {} })
    const entry = await (await Client.open(store).run("Large", result.runId)).step("start").tasks()
    const hash = (await entry[0]?.info("weights"))?.hash as string
    sent.length = 0
    expect(sha256Hex(await store.readBlob(hash))).toBe(hash)
    expect(sent.length).toBeGreaterThan(0)
    // The cache is written in the background; wait for the file.
    const file = join(cacheDir, "blobs", hash.slice(0, 2), hash)
    await vi.waitFor(async () => expect((await fs.stat(file)).size).toBe(100_000_000), { timeout: 20_000 })
    sent.length = 0
    expect(sha256Hex(await store.readBlob(hash))).toBe(hash)
    expect(sent).toEqual([])
    // A damaged cached copy is noticed, dropped and read again from S3.
    const handle = await fs.open(file, "r+")
    await handle.write(new Uint8Array([1, 2, 3]), 0, 3, 50_000_000)
    await handle.close()
    expect(sha256Hex(await store.readBlob(hash))).toBe(hash)
    expect(sent.length).toBeGreaterThan(0)
  }, 120_000)
})

describe("errors at first use", () => {
  const Tiny = flow("Tiny").pipe(step("start", () => ({ x: 1 })))

  test("a missing bucket fails the run before it exists, naming the bucket and the endpoint", async () => {
    const { endpoint, accessKeyId, secretAccessKey, region } = server()
    const store = s3Store({ bucket: "no-such-bucket-artiflow", endpoint, region, credentials: { accessKeyId, secretAccessKey } })
    const failure = run(Tiny, { store, log: () => {} })
    await expect(failure).rejects.toBeInstanceOf(StorageError)
    await expect(failure).rejects.toThrow(
      `artiflow: S3 HeadBucket of s3://no-such-bucket-artiflow/ at ${endpoint} failed: `
    )
  })

  test("wrong credentials say so, naming the bucket and the endpoint", async () => {
    const harness = await s3Harness(server())
    cleanups.push(harness.cleanup)
    const { endpoint, region } = server()
    const store = s3Store({ bucket: harness.bucket, endpoint, region, credentials: { accessKeyId: "nobody", secretAccessKey: "wrong" } })
    await expect(run(Tiny, { store, log: () => {} })).rejects.toThrow(
      new RegExp(`S3 HeadBucket of s3://${harness.bucket}/ at ${endpoint} failed: access denied .*check the credentials`)
    )
    expect(await listKeys(harness.client, harness.bucket)).toEqual([])
  })

  test("an unreachable endpoint says so", async () => {
    const store = s3Store({ bucket: "any-bucket", endpoint: "http://127.0.0.1:9", region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } })
    await expect(run(Tiny, { store, log: () => {} })).rejects.toThrow(
      "artiflow: S3 HeadBucket of s3://any-bucket/ at http://127.0.0.1:9 failed: cannot reach the endpoint (ECONNREFUSED): is the S3 server up?"
    )
  }, 60_000)

  test("a bad s3:// location names what is wrong", () => {
    expect(() => storeAt("s3://")).toThrow("does not name an S3 bucket: use s3://<bucket>/<prefix>")
    expect(() => storeAt("s3://Bad_Bucket/x")).toThrow("does not name an S3 bucket")
  })
})

describe("choosing the store without code", () => {
  test("ARTIFLOW_STORE=s3://bucket/prefix with the AWS environment is where run and Client.open() go", async () => {
    const harness = await s3Harness(server())
    cleanups.push(harness.cleanup)
    const { endpoint, accessKeyId, secretAccessKey, region } = server()
    vi.stubEnv("AWS_ENDPOINT_URL_S3", endpoint)
    vi.stubEnv("AWS_ACCESS_KEY_ID", accessKeyId)
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", secretAccessKey)
    vi.stubEnv("AWS_REGION", region)
    vi.stubEnv("ARTIFLOW_HOME", harness.cacheDir)
    vi.stubEnv("ARTIFLOW_STORE", `s3://${harness.bucket}/shared/runs`)
    expect(defaultStore().description).toBe(`S3 store at s3://${harness.bucket}/shared/runs/ (${endpoint})`)
    const Chosen = flow("Chosen").pipe(step("start", () => ({ x: 42 })))
    const result = await run(Chosen, { log: () => {} })
    expect(await (await Client.open().run("Chosen", result.runId)).artifact("x")).toBe(42)
    expect((await listKeys(harness.client, harness.bucket, "shared/runs/runs/Chosen/")).length).toBeGreaterThan(0)
    const object = await harness.client.send(new GetObjectCommand({ Bucket: harness.bucket, Key: `shared/runs/runs/Chosen/${result.runId}/run.json` }))
    expect(JSON.parse((await object.Body?.transformToString()) ?? "{}")).toMatchObject({ flow: "Chosen", status: "succeeded" })
  })
})
