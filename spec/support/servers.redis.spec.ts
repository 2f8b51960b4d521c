/**
 * The Redis test infrastructure works: the `redis` project's global setup started a real redis-server that BullMQ
 * runs jobs on, and a test can have a redis-server of its own to stop and start again.
 */
import { connect } from "node:net"
import { Queue, QueueEvents, Worker } from "bullmq"
import { Redis } from "ioredis"
import { describe, expect, it, onTestFinished } from "vitest"
import { ownRedis, redisServer, uniqueName, type RedisServer } from "./redis.js"

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("error", () => resolve(false))
  })

/**
 * A queue, its events and a worker adding two numbers, all closed when the test finishes. Their `error` events
 * (BullMQ would print them) go to `errors`.
 */
const sumQueue = (server: RedisServer) => {
  const connection = { host: server.host, port: server.port }
  const name = uniqueName("sum")
  const queue = new Queue<{ a: number; b: number }, number>(name, { connection })
  const events = new QueueEvents(name, { connection })
  const worker = new Worker<{ a: number; b: number }, number>(name, async (job) => job.data.a + job.data.b, { connection })
  const errors: Array<Error> = []
  const collect = (error: Error): void => void errors.push(error)
  queue.on("error", collect)
  events.on("error", collect)
  worker.on("error", collect)
  // closing waits for the server: before the test stops it for good (its own redis-server closes in a hook
  // registered earlier, which runs later)
  const close = async (): Promise<void> => {
    await worker.close()
    await events.close()
    await queue.close()
  }
  onTestFinished(close)
  const sum = async (a: number, b: number): Promise<number> => {
    await events.waitUntilReady()
    const job = await queue.add("sum", { a, b })
    return job.waitUntilFinished(events, 20_000)
  }
  return { sum, errors, close }
}

const redisClient = (server: RedisServer): Redis => {
  const client = new Redis({ host: server.host, port: server.port, lazyConnect: true })
  onTestFinished(() => client.disconnect())
  return client
}

describe("the run's redis-server", () => {
  it("listens on a port of 127.0.0.1 chosen free", async () => {
    const server = redisServer()
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`)
    expect(server.host).toBe("127.0.0.1")
    expect(await listening(server.port)).toBe(true)
  })

  it("runs a BullMQ job: a Queue adds it, a Worker processes it, its result comes back", async () => {
    const { sum, errors } = sumQueue(redisServer())
    expect(await sum(2, 3)).toBe(5)
    expect(errors).toEqual([])
  })

  it("is set up as BullMQ needs: no eviction, and nothing written to disk", async () => {
    const client = redisClient(redisServer())
    expect(await client.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"])
    expect(await client.config("GET", "save")).toEqual(["save", ""])
    expect(await client.config("GET", "appendonly")).toEqual(["appendonly", "no"])
    expect(await client.config("GET", "bind")).toEqual(["bind", "127.0.0.1"])
  })

  it("runs with the suite's environment", () => {
    expect(process.env["ARTIFLOW_VERIFY"]).toBe("1")
  })
})

describe("a redis-server of a test's own", () => {
  it("stops (the port is closed), starts again empty on the same port, and a BullMQ worker carries on", async () => {
    const redis = await ownRedis()
    onTestFinished(redis.close)
    expect(redis.port).not.toBe(redisServer().port)
    const client = redisClient(redis)
    await client.set("before", "restart")
    const { sum, errors, close } = sumQueue(redis)
    expect(await sum(1, 1)).toBe(2)
    expect(errors).toEqual([])

    await redis.stop()
    expect(redis.running()).toBe(false)
    expect(await listening(redis.port)).toBe(false)

    await redis.start()
    expect(redis.running()).toBe(true)
    expect(await client.get("before")).toBeNull()
    expect(await sum(20, 22)).toBe(42)
    // what BullMQ saw meanwhile: connections lost, and, the data being gone, locks of jobs it had (job ids start
    // again at 1 in the empty server)
    for (const error of errors) expect(error.message).toMatch(/ECONNRESET|ECONNREFUSED|Connection is closed|Missing lock for job/)

    await close()
    await redis.close()
    expect(redis.running()).toBe(false)
    expect(await listening(redis.port)).toBe(false)
  })
})
