/**
 * For test files of the `redis` project (spec/**\/*.redis.spec.ts): the run's redis-server, and a redis-server of
 * their own to stop and restart. Tests share the run's server: give queues names of their own (`uniqueName`).
 *
 * @example
 * const { host, port } = redisServer()
 * const queue = new Queue(uniqueName("jobs"), { connection: { host, port } })
 */
import { join } from "node:path"
import { inject } from "vitest"
import { startRedis } from "./servers/launch.js"
import { uniqueName } from "./servers/names.js"
import { freePort } from "./servers/ports.js"
import { restartable, type Restartable } from "./servers/processes.js"
import type { RedisServer } from "./servers/provided.js"

export type { RedisServer } from "./servers/provided.js"
export { uniqueName } from "./servers/names.js"

const provided = <Key extends "redis" | "redisDir" | "testRunPid">(key: Key) => {
  const value = inject(key)
  if (value === undefined) {
    throw new Error(`no Redis server here: Redis tests run in the vitest project "redis", which starts one; name the file *.redis.spec.ts`)
  }
  return value
}

/** The run's redis-server (no persistence, noeviction as BullMQ needs). */
export const redisServer = (): RedisServer => provided("redis")

/** A redis-server of a test's own. Stopping it loses its data, as a restarted Redis without persistence does. */
export type OwnRedis = RedisServer & Restartable

/**
 * Starts a redis-server of the test's own (~100 ms), so that stopping and restarting it does not disturb the other
 * test files, which share the run's server. Close BullMQ queues and workers on it before you `close()` it: their
 * `close()` waits for the server, which would not come back.
 *
 * @example
 * const redis = await ownRedis()
 * onTestFinished(redis.close)
 * await redis.stop()    // clients now fail to connect and retry
 * await redis.start()   // same port, no data
 */
export const ownRedis = async (): Promise<OwnRedis> => {
  const dir = join(provided("redisDir"), uniqueName("own"))
  const port = await freePort()
  const owner = provided("testRunPid")
  const start = async () => (await startRedis(dir, port, owner)).script
  const controls = await restartable(`redis-server on port ${port}`, start)
  return { url: `redis://127.0.0.1:${port}`, host: "127.0.0.1", port, ...controls }
}
