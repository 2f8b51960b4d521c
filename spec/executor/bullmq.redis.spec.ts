/**
 * The BullMQ executor passes the executor conformance suite, with a worker (`startWorker`) in this process on a
 * queue of its own of the run's redis-server, sharing a local store with the scheduler.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join as joinPath } from "node:path"
import { bullmqExecutor, localStore, startWorker } from "artiflow"
import type { WorkerHandle } from "artiflow"
import { Forecast } from "../../examples/config.js"
import { Etl } from "../../examples/etl.js"
import { Flaky } from "../../examples/flaky.js"
import { LargeArray } from "../../examples/large-array.js"
import { Sweep } from "../../examples/sweep.js"
import { redisServer, uniqueName } from "../support/redis.js"
import { executorContract } from "./contract.js"
import { Cached, Fragments, Grid, Resumable, Retries, Shapes, Unstorable } from "./flows.js"

export const contractFlows = [Shapes, Grid, Retries, Resumable, Fragments, Unstorable, Cached, Sweep, Etl, Forecast, Flaky, LargeArray]

executorContract("bullmqExecutor", async () => {
  const { url } = redisServer()
  const queue = uniqueName("contract")
  // One store for the whole file (the worker's), removed when the file ends.
  const dir = await mkdtemp(joinPath(tmpdir(), "artiflow-bullmq-"))
  const store = localStore(joinPath(dir, "store"))
  const worker: WorkerHandle = await startWorker({ flows: contractFlows, connection: url, store, queue, concurrency: 2, onMessage: () => {} })
  return {
    executor: bullmqExecutor({ connection: url, queue }),
    workerPids: () => [worker.worker.pid],
    runsUnexported: false,
    store: async () => store,
    close: async () => {
      await worker.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
})
