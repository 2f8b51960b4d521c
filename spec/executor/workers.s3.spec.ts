/**
 * The kill scenario of workers.redis.spec.ts on an S3 store: 1,000 tasks over three `artiflow worker` processes
 * that read and write the run's bucket (`--store s3://bucket/prefix`, credentials from the AWS environment), one
 * SIGKILLed mid-run, the run ending with the in-process artifacts. This `s3` project has no Redis of its own:
 * the file starts a redis-server for itself (stopped with the test run however it ends).
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, inject, test } from "vitest"
import { s3Store } from "artiflow"
import { startRedis } from "../support/servers/launch.js"
import type { Started } from "../support/servers/launch.js"
import { freePort } from "../support/servers/ports.js"
import type { RedisServer } from "../support/servers/provided.js"
import { bucketPerFile, s3Client, s3Server, uniqueName } from "../support/s3.js"
import { killOneOfThree } from "./workerProcesses.js"

describe("artiflow worker processes on an S3 store", () => {
  const bucket = bucketPerFile("workers")
  let redis: Started<RedisServer> | undefined
  let redisDir: string | undefined
  beforeAll(async () => {
    redisDir = await mkdtemp(join(tmpdir(), "artiflow-s3-redis-"))
    const owner = inject("testRunPid") ?? process.pid
    redis = await startRedis(join(redisDir, "server"), await freePort(), owner)
  }, 60_000)
  afterAll(async () => {
    await redis?.script.stop()
    if (redisDir !== undefined) await rm(redisDir, { recursive: true, force: true })
  })

  test("1,000 tasks over three workers, one SIGKILLed mid-run: the run ends with the in-process artifacts", async () => {
    const server = s3Server()
    const prefix = uniqueName("kill")
    const env = {
      AWS_ENDPOINT_URL_S3: server.endpoint,
      AWS_ACCESS_KEY_ID: server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
      AWS_REGION: server.region,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true"
    }
    const store = s3Store({ bucket: bucket(), prefix, client: s3Client(server) })
    await killOneOfThree({ redis: redis?.server.url ?? "", storeArg: `s3://${bucket()}/${prefix}`, store, env }, uniqueName("kill-s3"))
  }, 300_000)
})
