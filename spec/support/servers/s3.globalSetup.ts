/**
 * Global setup of the `s3` test project (spec/**\/*.s3.spec.ts): installs Ceph when it is missing, starts a
 * throwaway cluster with one radosgw gateway on free 127.0.0.1 ports (~10 s), provides the gateway as `s3`
 * (spec/support/s3.ts reads it) and the cluster's directory as `cephDir`, and stops it all by PID when the run
 * ends, however it ends. Vitest runs it only when the run includes a file of the project.
 */
import type { TestProject } from "vitest/node"
import { startCluster, type Started } from "./launch.js"
import { cephPackages, ensurePackages } from "./packages.js"
import { freePort } from "./ports.js"
import { serverDir, stopOnExit } from "./processes.js"
import type { S3Server } from "./provided.js"

const distinctFreePorts = async (): Promise<readonly [number, number]> => {
  const first = await freePort()
  let second = await freePort()
  while (second === first) second = await freePort()
  return [first, second]
}

const startInFreshDir = async (): Promise<Started<S3Server> & { readonly dir: string; readonly stop: () => Promise<void> }> => {
  const dir = serverDir("artiflow-ceph-")
  const exitHook = stopOnExit(dir)
  try {
    const started = await startCluster(dir, ...(await distinctFreePorts()), process.pid)
    return { ...started, dir, stop: async () => { await started.script.stop(); exitHook.release() } }
  } catch (error) {
    exitHook.release()
    throw error
  }
}

// A second try with other ports: between freePort() and the daemon's bind, another process may take a port.
const attempts = 2

export default async function startS3(project: TestProject): Promise<() => Promise<void>> {
  await ensurePackages(cephPackages)
  const startedAt = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      const cluster = await startInFreshDir()
      project.provide("s3", cluster.server)
      project.provide("cephDir", cluster.dir)
      project.provide("testRunPid", process.pid)
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1)
      process.stderr.write(`S3 tests: Ceph radosgw at ${cluster.server.endpoint} (started in ${seconds} s)\n`)
      return cluster.stop
    } catch (error) {
      if (attempt >= attempts) throw error
      process.stderr.write(`S3 tests: starting Ceph failed, trying again with other ports: ${String(error)}\n`)
    }
  }
}
