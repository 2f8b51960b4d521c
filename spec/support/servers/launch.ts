/**
 * The servers the tests can start: a Ceph cluster with its S3 gateway (the `s3` project's global setup), one more
 * gateway in that cluster (a test's own, to stop and restart), and a redis-server (the `redis` project's shared
 * one, or a test's own). Each is a script of this folder running as our child; see processes.ts.
 */
import { startScript, type ServerScript } from "./processes.js"
import type { RedisServer, S3Server } from "./provided.js"

/** A started server: what clients need, and its script (`script.stop()` stops it). */
export interface Started<Server> {
  readonly server: Server
  readonly script: ServerScript
}

/** Ceph's start is ~3-5 s here, 10-20 s on a loaded machine; these leave room for much slower ones. */
const clusterTimeoutMs = 240_000
const gatewayTimeoutMs = 120_000
const redisTimeoutMs = 30_000

/**
 * Starts a Ceph cluster in `dir` with its monitor on `monPort` and its first gateway on `gatewayPort`; it ends when
 * `owner` (a PID) does.
 */
export const startCluster = async (dir: string, monPort: number, gatewayPort: number, owner: number): Promise<Started<S3Server>> => {
  const options = { ready: /^S3_ENDPOINT=/, timeoutMs: clusterTimeoutMs, owner }
  const script = await startScript("ceph-cluster.sh", [dir, String(monPort), String(gatewayPort)], options)
  const found = /^S3_ENDPOINT=(\S+) S3_KEY=(\S+) S3_SECRET=(\S+)$/.exec(script.ready)
  if (found === null) {
    await script.stop()
    throw new Error(`spec/support/servers/ceph-cluster.sh printed an unexpected line: ${script.ready}`)
  }
  const [, endpoint = "", accessKeyId = "", secretAccessKey = ""] = found
  return { server: { endpoint, accessKeyId, secretAccessKey, region: "us-east-1" }, script }
}

/** Starts the gateway `name` (again) in the cluster in `cephDir`, on `port`; resolves once it answers. */
export const startGateway = (cephDir: string, name: string, port: number, owner: number): Promise<ServerScript> =>
  startScript("radosgw.sh", [cephDir, name, String(port)], { ready: /^S3_ENDPOINT=/, timeoutMs: gatewayTimeoutMs, owner })

/** Starts a redis-server in `dir` (removed when it stops) on `port`; resolves once it answers PING. */
export const startRedis = async (dir: string, port: number, owner: number): Promise<Started<RedisServer>> => {
  const script = await startScript("redis.sh", [dir, String(port)], { ready: /^REDIS_URL=/, timeoutMs: redisTimeoutMs, owner })
  return { server: { url: `redis://127.0.0.1:${port}`, host: "127.0.0.1", port }, script }
}
