/**
 * Reaching Redis for BullMQ, in artiflow's words: a connection is a `redis://` (or `rediss://`) URL or a few
 * options, described in messages without its password; BullMQ itself is imported when first used, so that
 * `artiflow` loads without it (it is an optional peer dependency, like the AWS SDK).
 */
import { FlowDefinitionError } from "../errors.js"
import { invalidOption } from "../types/messages.js"

/** How to reach Redis: `redis://[user:password@]host[:port][/db]` (`rediss://` for TLS), or options. */
export type RedisConnection =
  | string
  | {
      readonly host?: string
      readonly port?: number
      readonly username?: string
      readonly password?: string
      readonly db?: number
      /** TLS options (an empty object for TLS with the system's certificates). */
      readonly tls?: Readonly<Record<string, unknown>>
    }

/** The options BullMQ's ioredis connections take, from a RedisConnection. */
export interface RedisOptions {
  readonly host: string
  readonly port: number
  readonly username?: string
  readonly password?: string
  readonly db?: number
  readonly tls?: Readonly<Record<string, unknown>>
}

const EXPECTED = "a redis:// URL or { host, port, username?, password?, db?, tls? }"

const fromUrl = (where: string, text: string): RedisOptions => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new FlowDefinitionError(invalidOption(where, "connection", EXPECTED, text))
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new FlowDefinitionError(invalidOption(where, "connection", EXPECTED, text))
  }
  const db = url.pathname.replace(/^\//, "")
  if (db !== "" && !/^\d+$/.test(db)) throw new FlowDefinitionError(invalidOption(where, "connection", `${EXPECTED} (the path is a database number)`, text))
  return {
    host: url.hostname === "" ? "127.0.0.1" : url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port === "" ? 6379 : Number(url.port),
    ...(url.username !== "" && { username: decodeURIComponent(url.username) }),
    ...(url.password !== "" && { password: decodeURIComponent(url.password) }),
    ...(db !== "" && { db: Number(db) }),
    ...(url.protocol === "rediss:" && { tls: {} })
  }
}

/** Checks a connection option and turns it into ioredis options; `where` names the caller in messages. */
export const redisOptions = (where: string, connection: unknown): RedisOptions => {
  if (typeof connection === "string") return fromUrl(where, connection)
  if (typeof connection !== "object" || connection === null || Array.isArray(connection)) {
    throw new FlowDefinitionError(invalidOption(where, "connection", EXPECTED, connection))
  }
  const given = connection as Exclude<RedisConnection, string>
  const port = given.port ?? 6379
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FlowDefinitionError(invalidOption(where, "connection.port", "a port number", given.port))
  if (given.host !== undefined && typeof given.host !== "string") throw new FlowDefinitionError(invalidOption(where, "connection.host", "a host name", given.host))
  return {
    host: given.host ?? "127.0.0.1",
    port,
    ...(given.username !== undefined && { username: given.username }),
    ...(given.password !== undefined && { password: given.password }),
    ...(given.db !== undefined && { db: given.db }),
    ...(given.tls !== undefined && { tls: given.tls })
  }
}

/** The connection as messages show it: its URL without the password. */
export const describeRedis = (options: RedisOptions): string => {
  const host = options.host.includes(":") ? `[${options.host}]` : options.host
  const user = options.username === undefined ? "" : `${encodeURIComponent(options.username)}@`
  return `${options.tls === undefined ? "redis" : "rediss"}://${user}${host}:${options.port}${options.db === undefined ? "" : `/${options.db}`}`
}

/** The queue every scheduler and worker uses unless told otherwise. */
export const DEFAULT_QUEUE = "artiflow"

/** Checks a queue name (BullMQ keys are `bull:<queue>:...`: no ':' in it). */
export const queueName = (where: string, queue: unknown): string => {
  if (queue === undefined) return DEFAULT_QUEUE
  if (typeof queue !== "string" || !/^[A-Za-z0-9_.-]{1,128}$/.test(queue)) {
    throw new FlowDefinitionError(invalidOption(where, "queue", "1 to 128 letters, digits, '_', '.' and '-'", queue))
  }
  return queue
}
