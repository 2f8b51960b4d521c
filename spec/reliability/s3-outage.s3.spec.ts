/**
 * An S3 server that stops in the middle of a run (issue 10, faults): the run fails with a RunFailedError whose
 * cause is a StorageError naming the operation, the object and the endpoint; once the server is back, `resume`
 * completes the run, reusing every task that was committed before the stop, with the same final artifacts as a
 * run that was never disturbed.
 *
 * The server is a radosgw gateway of the test's own (spec/support/s3.ts `ownGateway`), stopped with SIGKILL (a
 * crash, or a cut network) and started again on the same port with the same data. The store's client tries
 * each request twice instead of the library's five times (the SDK's backoff would only make the failure slower).
 */
import { afterEach, describe, expect, test } from "vitest"
import { StorageError } from "../../lib/errors.js"
import { Client, flow, foreach, join, resume, RunFailedError, run, s3Store, step } from "../../lib/index.js"
import type { Datastore, RunEvent } from "../../lib/index.js"
import { freshBucket, ownGateway, s3Client } from "../support/s3.js"
import type { OwnGateway } from "../support/s3.js"

const ITEMS = 50
/** Items 0..19 finish and are committed while the server is up; the others finish once it is down. */
const BEFORE_STOP = 20
const quiet = (): void => {}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolved once the gateway is down: the tasks held back until then finish and try to commit. */
let serverDown: Promise<void> = Promise.resolve()

const Outage = flow("Outage").pipe(
  step("start", () => ({ items: Array.from({ length: ITEMS }, (_, i) => i), label: "outage" })),
  foreach(
    "items",
    step("work", async (a, ctx) => {
      await sleep(2 + (ctx.input % 4))
      if (ctx.input >= BEFORE_STOP) await serverDown
      return { square: ctx.input * ctx.input, note: `${a.label} item ${ctx.input}` }
    })
  ),
  join("gather", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.square, 0), notes: inputs.map((i) => i.note) })),
  step("end", (a) => ({ summary: `${a.notes.length} items, total ${a.total}` }))
)

let gateway: OwnGateway | undefined
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

/** An S3 store on `endpoint`, through a client that tries each request twice. */
const storeOn = (server: OwnGateway, bucket: string): Datastore =>
  s3Store({ bucket, endpoint: server.endpoint, client: s3Client(server, { maxAttempts: 2 }), cacheDir: false })

describe("an S3 server that stops mid-run", () => {
  test("fails the run naming the operation and the object; resume completes it once the server is back", async () => {
    const own = await ownGateway()
    gateway = own
    // Made and removed through the run's shared gateway: this test's own one is down at times.
    const bucket = await freshBucket(s3Client())
    const store = storeOn(own, bucket)
    const undisturbed = await run(Outage, { store, runId: "undisturbed", log: quiet })

    let committed = 0
    let stopping: Promise<void> | undefined
    let release = (): void => {}
    serverDown = new Promise((resolve) => (release = resolve))
    const onEvent = (event: RunEvent): void => {
      if (event.type !== "task-finished" || event.step !== "work") return
      committed += 1
      if (committed === BEFORE_STOP) stopping = own.stop().then(release)
    }
    const error: unknown = await run(Outage, { store, runId: "interrupted", onEvent, log: quiet }).catch((e: unknown) => e)
    await stopping

    expect(error).toBeInstanceOf(RunFailedError)
    const failure = error as RunFailedError
    expect(failure.step).toBe("work")
    expect(failure.cause).toBeInstanceOf(StorageError)
    const manifestKey = String.raw`runs/Outage/interrupted/manifests/\d{15}-[0-9a-f]{8}-\d{10}\.jsonl`
    const endpoint = own.endpoint.replaceAll(".", "\\.")
    expect((failure.cause as StorageError).message).toMatch(
      new RegExp(
        `^artiflow: S3 PutObject of s3://${bucket}/${manifestKey} at ${endpoint} failed: ` +
          String.raw`cannot reach the endpoint \(ECONNREFUSED\): is the S3 server up\?$`
      )
    )
    // The failure could not be recorded either: the caller is told so, and the run reads as running.
    expect(failure.message).toContain("(the run's failed status could not be recorded: artiflow: S3 ")

    await own.start()
    const client = Client.open(store)
    const origin = await client.run("Outage", "interrupted")
    expect(origin.status).toBe("running")
    const before = await origin.step("work").tasks()
    expect(before.map((task) => task.index)).toEqual(Array.from({ length: BEFORE_STOP }, (_, i) => i))

    const resumed = await resume(Outage, { store, origin: "interrupted", runId: "resumed", log: quiet })
    expect(resumed.artifacts).toEqual(undisturbed.artifacts)
    const handle = await client.run("Outage", "resumed")
    expect(handle.status).toBe("succeeded")
    const work = await handle.step("work").tasks()
    expect(work).toHaveLength(ITEMS)
    // Exactly what was committed before the stop is reused (by reference); the rest ran again.
    expect(work.filter((task) => task.originTaskId !== undefined).map((task) => task.index)).toEqual(
      before.map((task) => task.index)
    )
    for (const [i, task] of work.slice(0, BEFORE_STOP).entries()) {
      expect((await task.info("square")).hash).toBe((await before[i]?.info("square"))?.hash)
    }
    const [start] = await handle.step("start").tasks()
    expect(start?.originTaskId).toBe("0")
  })
})
