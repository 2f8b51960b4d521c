/** Reaching Redis: connections as URLs or options, described without their password; queue names. */
import { describe, expect, test } from "vitest"
import { FlowDefinitionError } from "../../lib/errors.js"
import { DEFAULT_QUEUE, describeRedis, queueName, redisOptions } from "../../lib/executor/redis.js"

describe("redisOptions", () => {
  test.each([
    ["redis://localhost", { host: "localhost", port: 6379 }],
    ["redis://10.0.0.5:6380/2", { host: "10.0.0.5", port: 6380, db: 2 }],
    ["redis://me:s%40cret@queue.internal:7000", { host: "queue.internal", port: 7000, username: "me", password: "s@cret" }],
    ["rediss://:pw@redis.example.com", { host: "redis.example.com", port: 6379, password: "pw", tls: {} }],
    ["redis://[::1]:6390", { host: "::1", port: 6390 }]
  ])("%s", (url, expected) => {
    expect(redisOptions("bullmqExecutor", url)).toEqual(expected)
  })

  test("options: defaults filled in, the rest kept", () => {
    expect(redisOptions("x", {})).toEqual({ host: "127.0.0.1", port: 6379 })
    expect(redisOptions("x", { host: "h", port: 1, password: "p", db: 3, tls: { servername: "h" } })).toEqual({
      host: "h",
      port: 1,
      password: "p",
      db: 3,
      tls: { servername: "h" }
    })
  })

  test.each([
    ["http://localhost:6379", "a redis:// URL or { host, port, username?, password?, db?, tls? }"],
    ["not a url", "a redis:// URL"],
    ["redis://host/x", "a redis:// URL or { host, port, username?, password?, db?, tls? } (the path is a database number)"],
    [42, "a redis:// URL"],
    [null, "a redis:// URL"]
  ])("%j is refused, naming the option", (connection, expected) => {
    expect(() => redisOptions("bullmqExecutor", connection)).toThrow(FlowDefinitionError)
    expect(() => redisOptions("bullmqExecutor", connection)).toThrow(`artiflow: bullmqExecutor: option 'connection' must be ${expected}`)
  })

  test("a port out of range or a host that is no string is refused", () => {
    expect(() => redisOptions("x", { port: 70000 })).toThrow("artiflow: x: option 'connection.port' must be a port number (received 70000)")
    expect(() => redisOptions("x", { host: 1 as unknown as string })).toThrow("option 'connection.host' must be a host name")
  })
})

describe("describeRedis", () => {
  test("never shows the password", () => {
    const described = describeRedis(redisOptions("x", "rediss://me:secret@h:7000/1"))
    expect(described).toBe("rediss://me@h:7000/1")
    expect(describeRedis(redisOptions("x", "redis://[::1]"))).toBe("redis://[::1]:6379")
  })
})

describe("queueName", () => {
  test("defaults the same on both sides; refuses names BullMQ cannot take", () => {
    expect(queueName("x", undefined)).toBe(DEFAULT_QUEUE)
    expect(DEFAULT_QUEUE).toBe("artiflow")
    expect(queueName("x", "team-a.jobs_1")).toBe("team-a.jobs_1")
    expect(() => queueName("startWorker", "a:b")).toThrow("artiflow: startWorker: option 'queue' must be 1 to 128 letters, digits, '_', '.' and '-' (received \"a:b\")")
    expect(() => queueName("x", "")).toThrow(FlowDefinitionError)
  })
})
