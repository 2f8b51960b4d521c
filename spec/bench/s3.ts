/**
 * The S3 store against a real S3 API (a throwaway Ceph radosgw started here, as the S3 tests start theirs):
 *
 * - persist + reload of a 256 MB Float64Array through `s3Store` (the artifact layer: raw encoding, a
 *   multipart upload hashed as it goes, a verified download), next to raw PutObject + GetObject of the same
 *   bytes with the same SDK, alternating; target: at least 70% of raw throughput (ratio <= 1.43x). The read
 *   cache is off, so every reload is a download.
 * - a 1,000-item foreach of small values on `s3Store`: target >= 500 tasks/s.
 * - a fresh Node process opening the latest run of a 10,000-task flow on S3 and reading one small artifact
 *   (artiflow/client, the AWS SDK loaded on first use): target <= 300 ms inside the process.
 */
import { execFile } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { flow, foreach, join as joinStep, run, s3Store, step } from "artiflow"
import { loadValue } from "../../lib/datastore/load.js"
import { storeValue } from "../../lib/datastore/artifacts.js"
import { startCluster } from "../support/servers/launch.js"
import { cephPackages, ensurePackages } from "../support/servers/packages.js"
import { freePort } from "../support/servers/ports.js"
import { serverDir, stopOnExit } from "../support/servers/processes.js"
import type { S3Server } from "../support/servers/provided.js"
import type { Figure } from "./measure.js"
import { median, ms, sideBySide, timed, withTempDir } from "./measure.js"

const exec = promisify(execFile)
const root = fileURLToPath(new URL("../..", import.meta.url))
const quiet = { log: () => {} }
const MB = 1024 * 1024

const clientFor = (server: S3Server): S3Client =>
  new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED"
  })

const storeFor = (server: S3Server, bucket: string, prefix: string) =>
  s3Store({
    bucket,
    prefix,
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    cacheDir: false
  })

/** A throwaway Ceph cluster for the benchmarks, stopped when `work` ends. */
const withS3 = async <T>(work: (server: S3Server) => Promise<T>): Promise<T> => {
  await ensurePackages(cephPackages)
  const dir = serverDir("artiflow-bench-ceph-")
  const exitHook = stopOnExit(dir)
  const monPort = await freePort()
  let gatewayPort = await freePort()
  while (gatewayPort === monPort) gatewayPort = await freePort()
  const cluster = await startCluster(dir, monPort, gatewayPort, process.pid)
  try {
    return await work(cluster.server)
  } finally {
    await cluster.script.stop()
    exitHook.release()
  }
}

const largeArtifact = async (server: S3Server, bucket: string, megabytes: number, repetitions: number): Promise<Figure> => {
  const client = clientFor(server)
  const array = new Float64Array((megabytes * MB) / 8)
  for (let i = 0; i < array.length; i += 512) array[i] = i / 3
  const bytes = new Uint8Array(array.buffer)
  const times = await sideBySide(
    repetitions,
    async (rep) => {
      // A prefix per repetition: the value is new to the store each time, as a new artifact would be.
      array[0] = rep + 1
      const store = storeFor(server, bucket, `large-${rep}`)
      const stored = await storeValue(store, array)
      if (stored._tag === "Left") throw new Error("not storable")
      const loaded = await loadValue(store, stored.right, { flow: "Bench", runId: "r", step: "s", taskId: "0", artifact: "a" })
      if ((loaded as Float64Array).length !== array.length) throw new Error("reloaded the wrong value")
    },
    async (rep) => {
      const key = `raw-${rep}`
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }))
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      const read = await object.Body?.transformToByteArray()
      if (read?.byteLength !== bytes.byteLength) throw new Error("raw read came back short")
    }
  )
  const ratio = times.ours / times.baseline
  return {
    name: `s3: ${megabytes} MB Float64Array, persist + reload`,
    ours: ms(times.ours),
    baseline: `${ms(times.baseline)} raw PutObject + GetObject`,
    ratio: `${ratio.toFixed(2)}x (${Math.round((100 / ratio))}% of raw throughput)`,
    target: "<= 1.43x (>= 70% of raw)",
    stored: "",
    met: ratio <= 1.43,
    measured: { ms: times.ours, rawMs: times.baseline, ratio, megabytes }
  }
}

const Wide = (items: number) =>
  flow("Wide").pipe(
    step("start", () => ({ items: Array.from({ length: items }, (_, i) => i) })),
    foreach("items", step("work", (_a, ctx) => ({ square: ctx.input * ctx.input }))),
    joinStep("sum", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.square, 0) }))
  )

const foreachOnS3 = async (server: S3Server, bucket: string, repetitions: number): Promise<Figure> => {
  const items = 1000
  const times: Array<number> = []
  for (let rep = 0; rep < repetitions; rep++) {
    const store = storeFor(server, bucket, `foreach-${rep}`)
    times.push(await timed(() => run(Wide(items), { store, ...quiet })))
  }
  const tasksPerSecond = (items + 2) / (median(times) / 1000)
  return {
    name: `s3: foreach of ${items.toLocaleString("en-US")} small items (whole run)`,
    ours: `${Math.round(tasksPerSecond).toLocaleString("en-US")} tasks/s (${ms(median(times))})`,
    baseline: "",
    ratio: "",
    target: ">= 500 tasks/s",
    stored: "",
    met: tasksPerSecond >= 500,
    measured: { tasksPerSecond, ms: median(times), items }
  }
}

/** The fresh process: open the latest run, find one foreach task, read its artifact. */
const reader = (server: S3Server, bucket: string, taskIndex: number): string => `
const started = performance.now()
const { Client, s3Store } = await import(${JSON.stringify(join(root, "dist/client/index.js"))})
const store = s3Store({ bucket: ${JSON.stringify(bucket)}, prefix: "client", endpoint: ${JSON.stringify(server.endpoint)},
  region: "us-east-1", credentials: { accessKeyId: ${JSON.stringify(server.accessKeyId)}, secretAccessKey: ${JSON.stringify(server.secretAccessKey)} },
  cacheDir: false })
const latest = await Client.open(store).run("Wide")
const task = (await latest.step("work").tasks())[${taskIndex}]
if ((await task.artifact("square")) !== ${taskIndex * taskIndex}) throw new Error("wrong artifact")
process.stdout.write(String(performance.now() - started))
`

const freshClient = async (server: S3Server, bucket: string, repetitions: number): Promise<Figure> => {
  const items = 10_000
  await run(Wide(items), { store: storeFor(server, bucket, "client"), ...quiet })
  const inside: Array<number> = []
  const bare: Array<number> = []
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }
  await withTempDir(async (dir) => {
    const script = join(dir, "read.mjs")
    await writeFile(script, reader(server, bucket, items / 2))
    for (let rep = 0; rep < repetitions; rep++) {
      bare.push(await timed(() => exec(process.execPath, ["-e", "0"])))
      const { stdout } = await exec(process.execPath, [script], { env })
      inside.push(Number(stdout))
    }
  })
  return {
    name: `s3: fresh process reads one task's artifact, run of ${(items + 2).toLocaleString("en-US")} tasks`,
    ours: `${ms(median(inside))} in the process`,
    baseline: `${ms(median(bare))} node -e 0`,
    ratio: "",
    target: "<= 300 ms in process",
    stored: "",
    met: median(inside) <= 300,
    measured: { ms: median(inside), nodeStartMs: median(bare), tasks: items + 2 }
  }
}

export const measureS3 = async (repetitions: number, megabytes: number): Promise<ReadonlyArray<Figure>> =>
  withS3(async (server) => {
    const client = clientFor(server)
    const bucket = `artiflow-bench-${Date.now().toString(36)}`
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
    return [
      await largeArtifact(server, bucket, megabytes, repetitions),
      await foreachOnS3(server, bucket, repetitions),
      await freshClient(server, bucket, repetitions + 2)
    ]
  })
