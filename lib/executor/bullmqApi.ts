/**
 * The few parts of BullMQ and ioredis artiflow uses, as its own structural types: the packages are optional,
 * so no type of theirs may appear in artiflow's declarations (a project without them would not type-check).
 * Both are imported when first needed, with a clear error when they are missing.
 */
import { ExecutorError } from "../errors.js"
import type { RedisOptions } from "./redis.js"
import { dynamicImport } from "../dynamicImport.js"

/** A listener registry, as BullMQ's classes and ioredis clients have. */
interface Emitter {
  on(event: string, listener: (...args: Array<any>) => void): unknown
}

export interface JobLike {
  readonly id?: string | undefined
  readonly name: string
  readonly data: unknown
  /** How many times a worker took the job (1 the first time, more after a worker was lost). */
  readonly attemptsStarted: number
}

export interface JobOptions {
  readonly jobId: string
  readonly removeOnComplete: boolean
  readonly removeOnFail: boolean
  readonly attempts: number
}

export interface QueueLike extends Emitter {
  waitUntilReady(): Promise<void>
  addBulk(jobs: ReadonlyArray<{ readonly name: string; readonly data: unknown; readonly opts: JobOptions }>): Promise<unknown>
  remove(jobId: string): Promise<number>
  getJobState(jobId: string): Promise<string>
  getWaitingCount(): Promise<number>
  close(): Promise<void>
  disconnect(): Promise<void>
}

export interface QueueEventsLike extends Emitter {
  waitUntilReady(): Promise<void>
  close(): Promise<void>
  disconnect(): Promise<void>
}

export interface WorkerLike extends Emitter {
  waitUntilReady(): Promise<void>
  close(force?: boolean): Promise<void>
}

export interface WorkerOptions {
  readonly connection: RedisOptions & { readonly maxRetriesPerRequest: null }
  readonly concurrency: number
  readonly lockDuration: number
  readonly stalledInterval: number
  readonly maxStalledCount: number
  readonly autorun: boolean
  readonly name?: string
}

export interface BullLike {
  readonly Queue: new (name: string, options: { readonly connection: RedisOptions; readonly skipVersionCheck?: boolean }) => QueueLike
  readonly QueueEvents: new (name: string, options: { readonly connection: RedisOptions & { readonly maxRetriesPerRequest: null } }) => QueueEventsLike
  readonly Worker: new (name: string, processor: (job: JobLike) => Promise<unknown>, options: WorkerOptions) => WorkerLike
  readonly UnrecoverableError: new (message: string) => Error
}

/** An ioredis client, for the scheduler's own watch on the connection and its heartbeat. */
export interface RedisLike extends Emitter {
  set(key: string, value: string, px: "PX", ms: number): Promise<unknown>
  get(key: string): Promise<string | null>
  del(key: string): Promise<unknown>
  ping(): Promise<unknown>
  quit(): Promise<unknown>
  disconnect(): void
  readonly status: string
}

export interface IoredisLike {
  readonly Redis: new (options: RedisOptions & { readonly lazyConnect?: boolean; readonly maxRetriesPerRequest?: number | null }) => RedisLike
}

const missing = (error: unknown): ExecutorError =>
  new ExecutorError(
    "artiflow: running tasks on BullMQ workers needs the packages bullmq and ioredis, which are not installed: npm install bullmq ioredis",
    { cause: error }
  )

let bullmq: Promise<BullLike> | undefined
let ioredis: Promise<IoredisLike> | undefined

/** BullMQ, imported once per process. */
export const loadBullmq = (): Promise<BullLike> =>
  (bullmq ??= dynamicImport("bullmq").then(
    (module) => module as unknown as BullLike,
    (error: unknown) => {
      bullmq = undefined
      throw missing(error)
    }
  ))

/** ioredis, imported once per process. */
export const loadIoredis = (): Promise<IoredisLike> =>
  (ioredis ??= dynamicImport("ioredis").then(
    (module) => module as unknown as IoredisLike,
    (error: unknown) => {
      ioredis = undefined
      throw missing(error)
    }
  ))
