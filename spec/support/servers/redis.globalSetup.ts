/**
 * Global setup of the `redis` test project (spec/**\/*.redis.spec.ts): installs redis-server when it is missing,
 * starts one on a free 127.0.0.1 port (~60 ms), provides it as `redis` (spec/support/redis.ts reads it) and the
 * directory the run's redis-servers live under as `redisDir`, and stops them all by PID when the run ends,
 * however it ends. Vitest runs it only when the run includes a file of the project.
 */
import type { TestProject } from "vitest/node"
import { startRedis, type Started } from "./launch.js"
import { ensurePackages, redisPackages } from "./packages.js"
import { freePort } from "./ports.js"
import { serverDir, stopOnExit } from "./processes.js"
import type { RedisServer } from "./provided.js"

// A second try on another port: between freePort() and redis-server's bind, another process may take the port.
const attempts = 2

const startShared = async (dir: string): Promise<Started<RedisServer>> => {
  for (let attempt = 1; ; attempt++) {
    try {
      // in `dir` itself: when the run is killed outright, the shared server's script is what removes `dir`
      return await startRedis(dir, await freePort(), process.pid)
    } catch (error) {
      if (attempt >= attempts) throw error
      process.stderr.write(`Redis tests: starting redis-server failed, trying another port: ${String(error)}\n`)
    }
  }
}

export default async function startSharedRedis(project: TestProject): Promise<() => Promise<void>> {
  await ensurePackages(redisPackages)
  const dir = serverDir("artiflow-redis-")
  const exitHook = stopOnExit(dir)
  try {
    const { server, script } = await startShared(dir)
    project.provide("redis", server)
    project.provide("redisDir", dir)
    project.provide("testRunPid", process.pid)
    return async () => {
      exitHook.release()
      await script.stop()
    }
  } catch (error) {
    exitHook.release()
    throw error
  }
}
