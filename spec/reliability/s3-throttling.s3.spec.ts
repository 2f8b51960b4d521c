/**
 * Throttling (issue 10, faults): S3 answers `503 SlowDown` when a client must slow down, and the store's
 * requests are retried with backoff. The S3 server is the run's real radosgw gateway behind a proxy of the
 * test's own (faultProxy.ts) that answers some requests with 503 SlowDown itself and forwards the others.
 *
 * - A run through a proxy throttling every third new request succeeds with the same artifacts as a run that
 *   was not throttled, and every throttled request was tried again.
 * - The store's default client makes 5 attempts (the SDK's default is 3): a request throttled three times in
 *   a row succeeds at its fourth attempt, where a client with the SDK's defaults gives up after its third.
 */
import { afterEach, describe, expect, test } from "vitest"
import { StorageError } from "../../lib/errors.js"
import { Client, flow, foreach, join, run, s3Store, step } from "../../lib/index.js"
import type { Datastore } from "../../lib/index.js"
import { freshBucket, s3Client, s3Server } from "../support/s3.js"
import { faultProxy } from "./faultProxy.js"
import type { FaultProxy, ProxiedRequest } from "./faultProxy.js"

const quiet = (): void => {}

/** Small inline values and 20 KB blobs: manifests, blobs, run metadata and reads all go through the proxy. */
const Busy = flow("Busy").pipe(
  step("start", () => ({ items: Array.from({ length: 8 }, (_, i) => i) })),
  foreach(
    "items",
    step("work", (_a, ctx) => ({ square: ctx.input * ctx.input, page: `${ctx.input}:`.padEnd(20_000, "lorem ipsum ") }))
  ),
  join("gather", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.square, 0), pages: inputs.map((i) => i.page.length) }))
)

const proxies: Array<FaultProxy> = []
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
})

const throttlingProxy = async (throttle: (request: ProxiedRequest) => boolean): Promise<FaultProxy> => {
  const proxy = await faultProxy(s3Server().endpoint, throttle)
  proxies.push(proxy)
  return proxy
}

/** A store on `endpoint` with the store's own default client (made from these options). */
const defaultClientStore = (bucket: string, endpoint: string): Datastore => {
  const { region, accessKeyId, secretAccessKey } = s3Server()
  return s3Store({ bucket, endpoint, region, credentials: { accessKeyId, secretAccessKey }, cacheDir: false })
}

/** Every artifact of every task of a run, by "step/task/name": its hash and its value. */
const contents = async (store: Datastore, flowName: string, runId: string): Promise<Record<string, unknown>> => {
  const handle = await Client.open(store).run(flowName, runId)
  const found: Record<string, unknown> = {}
  for (const stepHandle of handle.steps()) {
    for (const task of await stepHandle.tasks()) {
      for (const name of await task.artifactNames()) {
        found[`${stepHandle.name}/${task.id}/${name}`] = { hash: (await task.info(name)).hash, value: await task.artifact(name) }
      }
    }
  }
  return found
}

describe("throttling (503 SlowDown)", () => {
  test("a run through a server that throttles every third request succeeds with the same artifacts", async () => {
    const bucket = await freshBucket(s3Client())
    const direct = defaultClientStore(bucket, s3Server().endpoint)
    const calm = await run(Busy, { store: direct, runId: "calm", log: quiet })

    let fresh = 0
    const proxy = await throttlingProxy((request) => request.attempt === 0 && fresh++ % 3 === 0)
    const throttled = defaultClientStore(bucket, proxy.endpoint)
    const result = await run(Busy, { store: throttled, runId: "throttled", log: quiet })
    expect(result.artifacts).toEqual(calm.artifacts)
    expect(await contents(throttled, "Busy", "throttled")).toEqual(await contents(direct, "Busy", "calm"))

    const slowedDown = proxy.seen.filter((request) => request.throttled)
    expect(slowedDown.length).toBeGreaterThanOrEqual(10)
    // Writes, reads and the bucket check were all throttled, and each was tried again and got through.
    const methods = new Set(slowedDown.map((request) => request.method))
    expect(["HEAD", "PUT", "GET"].filter((method) => !methods.has(method))).toEqual([])
    for (const request of slowedDown) {
      const retried = proxy.seen.some((r) => r.method === request.method && r.path === request.path && r.query === request.query && r.attempt === 1 && !r.throttled)
      expect(retried, `${request.method} ${request.path} was not tried again`).toBe(true)
    }
  }, 120_000)

  test("the default client makes 5 attempts: a request throttled 3 times in a row goes through, where the SDK's default of 3 gives up", async () => {
    const bucket = await freshBucket(s3Client())
    const runJson = (request: ProxiedRequest): boolean => request.method === "PUT" && request.path.endsWith("/run.json")
    const proxy = await throttlingProxy((request) => runJson(request) && request.attempt < 3)

    const result = await run(Busy, { store: defaultClientStore(bucket, proxy.endpoint), runId: "patient", log: quiet })
    expect(result.status).toBe("succeeded")
    const creates = proxy.seen.filter((request) => runJson(request) && request.path.includes("/patient/"))
    // Three 503s, then the fourth attempt created the run (and the fifth PUT is its final status).
    expect(creates.map((request) => request.throttled)).toEqual([true, true, true, false, false])

    const { endpoint: _direct, ...server } = s3Server()
    const sdkDefaults = s3Client({ ...server, endpoint: proxy.endpoint })
    expect(await sdkDefaults.config.maxAttempts()).toBe(3)
    const store = s3Store({ bucket, endpoint: proxy.endpoint, client: sdkDefaults, cacheDir: false })
    const failure = run(Busy, { store, runId: "impatient", log: quiet })
    await expect(failure).rejects.toBeInstanceOf(StorageError)
    await expect(failure).rejects.toThrow(
      `artiflow: S3 PutObject of s3://${bucket}/runs/Busy/impatient/run.json at ${proxy.endpoint} failed: SlowDown (HTTP 503): Please reduce your request rate.`
    )
    expect(proxy.seen.filter((request) => runJson(request) && request.path.includes("/impatient/"))).toHaveLength(3)
    // Given up before the run existed: nothing of it is stored.
    expect(await Client.open(defaultClientStore(bucket, s3Server().endpoint)).runs("Busy")).toHaveLength(1)
  }, 120_000)
})
