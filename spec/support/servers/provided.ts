/**
 * What the global setups of the `s3` and `redis` test projects hand to their test files through vitest's
 * `provide`/`inject` (the test files run in worker processes: they get these values, not the setup's objects).
 * Test files use the helpers in spec/support/s3.ts and spec/support/redis.ts rather than `inject` directly.
 */

/** The S3 endpoint of the run's Ceph radosgw gateway and the credentials of its one user. */
export interface S3Server {
  readonly endpoint: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: "us-east-1"
}

/** The run's redis-server. */
export interface RedisServer {
  readonly url: string
  readonly host: string
  readonly port: number
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared gateway, for every test file of the `s3` project. */
    s3: S3Server
    /** The Ceph cluster's directory: its ceph.conf, PID files and logs; more gateways start here. */
    cephDir: string
    /** The shared redis-server, for every test file of the `redis` project. */
    redis: RedisServer
    /** The directory the redis-servers of the run live under (the shared one, and each test's own). */
    redisDir: string
    /** The test run's main process: servers a test file starts end when it does, even if it is killed outright. */
    testRunPid: number
  }
}
