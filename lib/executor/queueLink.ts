/**
 * A scheduler's link to a BullMQ queue for one run: attempts go in as jobs (added in batches), outcomes come
 * back through the queue's events, and the link watches what could leave an attempt waiting forever:
 *
 * - a job a worker refused (another version of the flow, a module it cannot load), or one BullMQ failed after
 *   losing its workers too often: the attempt rejects with the worker's message, and the run fails with it;
 * - a job Redis no longer has, while its outcome never came (Redis restarted empty, an event missed): sent
 *   again, as a new attempt (the scheduler commits only the outcomes it takes, so running it twice is harmless);
 * - Redis unreachable for longer than `reconnectTimeout`: every attempt rejects, the run fails, and `resume`
 *   completes it once Redis is back.
 *
 * While the run lives, the link keeps a heartbeat key in Redis: workers drop the jobs of a run whose scheduler
 * is gone (its process stopped), rather than run tasks nobody will commit.
 */
import { ExecutorError, messageOf } from "../errors.js"
import type { BullLike, QueueEventsLike, QueueLike, RedisLike } from "./bullmqApi.js"
import { loadBullmq, loadIoredis } from "./bullmqApi.js"
import type { RedisOptions } from "./redis.js"
import { describeRedis } from "./redis.js"
import type { Sent } from "./remoteSession.js"
import type { WireAttempt, WireOutcome } from "./wire.js"

/** How often the heartbeat is written, and how long it lives without being written again. */
export const HEARTBEAT_EVERY_MS = 5_000
export const HEARTBEAT_TTL_MS = 30_000

/** How often jobs waiting for an outcome are looked up, to find the ones Redis lost. */
const CHECK_EVERY_MS = 5_000

/** The heartbeat key of a run on a queue. */
export const heartbeatKey = (queue: string, flow: string, runId: string): string => `artiflow:${queue}:scheduler:${flow}:${runId}`

/** A job id (BullMQ forbids ':' and integer ids): flow, run, step, task and attempt. */
const jobIdOf = (request: WireAttempt): string => `${request.flow.name}/${request.runId}/${request.step}/${request.taskId}/${request.attempt}`

interface Pending {
  request: WireAttempt
  readonly resolve: (outcome: WireOutcome) => void
  readonly reject: (error: unknown) => void
  since: number
  /** Consecutive looks that found no such job in Redis. */
  unseen: number
}

/** A failed job's reason, as the run reports it. */
const failureOf = (request: WireAttempt, reason: string): ExecutorError => {
  if (/stalled more than allowable limit/.test(reason)) {
    return new ExecutorError(
      `artiflow: step '${request.step}' (task ${request.taskId}) was lost with its worker too many times (workers killed, or ` +
        `blocked by a step for longer than their lock duration): ${reason}`
    )
  }
  return new ExecutorError(reason.startsWith("artiflow:") ? reason : `artiflow: a worker failed step '${request.step}' (task ${request.taskId}): ${reason}`)
}

/** Whether an outcome from Redis has the shape of one (a worker of another version could send anything). */
const isOutcome = (value: unknown): value is WireOutcome => {
  const outcome = value as Partial<WireOutcome> | null
  return (
    typeof outcome === "object" &&
    outcome !== null &&
    (outcome.status === "succeeded" || outcome.status === "failed") &&
    typeof outcome.attempt === "number" &&
    Array.isArray(outcome.logs) &&
    typeof outcome.worker === "object"
  )
}

export interface LinkOptions {
  readonly connection: RedisOptions
  readonly queue: string
  readonly reconnectTimeout: number
  readonly flow: string
  readonly runId: string
}

export class QueueLink {
  private readonly pending = new Map<string, Pending>()
  private batch: Array<{ readonly id: string; readonly request: WireAttempt }> = []
  private broken: ExecutorError | undefined
  private lostSince: number | undefined
  private lastError: unknown
  private readonly timers: Array<ReturnType<typeof setInterval>> = []
  private readonly where: string

  private constructor(
    private readonly options: LinkOptions,
    private readonly queue: QueueLike,
    private readonly events: QueueEventsLike,
    private readonly monitor: RedisLike
  ) {
    this.where = `queue '${options.queue}' at ${describeRedis(options.connection)}`
  }

  /** Connects to the queue; rejects with ExecutorError when Redis cannot be reached within `reconnectTimeout`. */
  static async open(options: LinkOptions): Promise<QueueLink> {
    const [bull, { Redis }] = await Promise.all([loadBullmq(), loadIoredis()])
    const monitor = new Redis({ ...options.connection, lazyConnect: true, maxRetriesPerRequest: 1 })
    let lastError: unknown
    monitor.on("error", (error: unknown) => (lastError = error))
    const where = `Redis at ${describeRedis(options.connection)}`
    try {
      await withTimeout(monitor.ping(), options.reconnectTimeout, () => lastError)
    } catch (error) {
      monitor.disconnect()
      const why = messageOf(lastError ?? error)
      throw new ExecutorError(`artiflow: cannot reach ${where} (${why}): start Redis, or pass the connection of a running one`, {
        cause: error
      })
    }
    const { queue, events } = QueueLink.queueOf(bull, options)
    const link = new QueueLink(options, queue, events, monitor)
    link.listen()
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()])
    await link.beat()
    link.timers.push(setInterval(() => void link.beat(), HEARTBEAT_EVERY_MS))
    link.timers.push(setInterval(() => void link.check(), CHECK_EVERY_MS))
    return link
  }

  private static queueOf(bull: BullLike, options: LinkOptions): { queue: QueueLike; events: QueueEventsLike } {
    const queue = new bull.Queue(options.queue, { connection: options.connection })
    const events = new bull.QueueEvents(options.queue, { connection: { ...options.connection, maxRetriesPerRequest: null } })
    return { queue, events }
  }

  private listen(): void {
    // BullMQ reports connection errors as events; they are what `lost` reports if Redis stays away.
    const remember = (error: unknown): void => void (this.lastError = error)
    this.queue.on("error", remember)
    this.events.on("error", remember)
    this.monitor.on("error", remember)
    this.monitor.on("close", () => this.lost())
    this.monitor.on("ready", () => this.regained())
    this.events.on("completed", ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => this.completed(jobId, returnvalue))
    this.events.on("failed", ({ jobId, failedReason }: { jobId: string; failedReason: string }) => this.failed(jobId, failedReason))
  }

  /** Sends an attempt as a job. */
  send(request: WireAttempt): Sent {
    const id = jobIdOf(request)
    const outcome = new Promise<WireOutcome>((resolve, reject) => {
      if (this.broken !== undefined) return reject(this.broken)
      this.pending.set(id, { request, resolve, reject, since: Date.now(), unseen: 0 })
      this.enqueue(id, request)
    })
    return { outcome, cancel: () => this.cancel(id) }
  }

  private enqueue(id: string, request: WireAttempt): void {
    this.batch.push({ id, request })
    // Attempts sent in one turn (a foreach fanning out) go in one round trip.
    if (this.batch.length === 1) setImmediate(() => void this.flush())
  }

  private async flush(): Promise<void> {
    const batch = this.batch
    this.batch = []
    const jobs = batch.map(({ id, request }) => ({
      name: request.flow.name,
      data: request,
      opts: { jobId: id, removeOnComplete: true, removeOnFail: true, attempts: 1 }
    }))
    try {
      await this.queue.addBulk(jobs)
    } catch (error) {
      const failure = new ExecutorError(`artiflow: cannot add tasks to the ${this.where}: ${messageOf(error)}`, { cause: error })
      for (const { id } of batch) this.settle(id)?.reject(failure)
    }
  }

  private settle(id: string): Pending | undefined {
    const pending = this.pending.get(id)
    this.pending.delete(id)
    return pending
  }

  private completed(id: string, returnvalue: unknown): void {
    // Another run's job, or a duplicate completion (at-least-once delivery): not ours to take.
    const pending = this.settle(id)
    if (pending === undefined) return
    if (isOutcome(returnvalue)) pending.resolve(returnvalue)
    else if (typeof returnvalue === "object" && returnvalue !== null && "dropped" in returnvalue) {
      // A worker took this scheduler for gone (its heartbeat lapsed while it was busy): beat, and send it again.
      void this.beat()
      this.resend(id, pending)
    }
    else pending.reject(new ExecutorError(`artiflow: a worker on the ${this.where} returned no artiflow outcome for step '${pending.request.step}': is it an artiflow worker of this version?`))
  }

  private failed(id: string, reason: string): void {
    const pending = this.settle(id)
    pending?.reject(failureOf(pending.request, reason))
  }

  /** The run no longer waits for this attempt: a job no worker took yet is taken off the queue. */
  private cancel(id: string): void {
    if (this.settle(id) === undefined) return
    // A job a worker holds cannot be removed: it runs to its end, and its outcome is dropped.
    this.queue.remove(id).catch(() => {})
  }

  private async beat(): Promise<void> {
    const key = heartbeatKey(this.options.queue, this.options.flow, this.options.runId)
    await this.monitor.set(key, String(process.pid), "PX", HEARTBEAT_TTL_MS).catch(() => {})
  }

  private lost(): void {
    this.lostSince ??= Date.now()
    const since = this.lostSince
    setTimeout(() => {
      if (this.lostSince === since) this.fail()
    }, this.options.reconnectTimeout).unref()
  }

  private regained(): void {
    this.lostSince = undefined
    // Redis may have come back empty (restarted without persistence): look for lost jobs now.
    void this.check(true)
  }

  private fail(): void {
    if (this.broken !== undefined) return
    const seconds = Math.round(this.options.reconnectTimeout / 100) / 10
    this.broken = new ExecutorError(
      `artiflow: lost the connection to the ${this.where} for more than ${seconds} s (${messageOf(this.lastError ?? "closed")}): ` +
        "the run stops; once Redis is back, resume it with the same executor"
    )
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(this.broken)
  }

  /** Finds jobs Redis no longer has (twice in a row, or at once after a reconnection) and sends them again. */
  private async check(reconnected = false): Promise<void> {
    if (this.lostSince !== undefined || this.broken !== undefined) return
    const now = Date.now()
    for (const [id, pending] of [...this.pending]) {
      if (!reconnected && now - pending.since < CHECK_EVERY_MS) continue
      const state = await this.queue.getJobState(id).catch(() => undefined)
      if (state !== "unknown" || this.pending.get(id) !== pending) {
        pending.unseen = 0
        continue
      }
      if (++pending.unseen < 2 && !reconnected) continue
      // Gone without an outcome: send it again.
      this.resend(id, pending)
    }
  }

  /** Sends an attempt again, as the next attempt (never the number of one that may have run). */
  private resend(id: string, pending: Pending): void {
    this.pending.delete(id)
    const request = { ...pending.request, attempt: pending.request.attempt + 1 }
    const again = jobIdOf(request)
    this.pending.set(again, { ...pending, request, since: Date.now(), unseen: 0 })
    this.enqueue(again, request)
  }

  /** Takes the run's jobs no worker holds off the queue, drops its heartbeat and closes the connections. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    const left = [...this.pending.keys()]
    this.pending.clear()
    if (this.broken === undefined && this.lostSince === undefined) {
      await Promise.all(left.map((id) => this.queue.remove(id).catch(() => 0)))
      await this.monitor.del(heartbeatKey(this.options.queue, this.options.flow, this.options.runId)).catch(() => {})
    }
    if (this.broken === undefined && this.lostSince === undefined) {
      await Promise.all([this.events.close(), this.queue.close()]).catch(() => {})
      await this.monitor.quit().catch(() => this.monitor.disconnect())
    } else {
      // Closing waits for Redis, which is not there: drop the connections instead.
      await Promise.all([this.events.disconnect(), this.queue.disconnect()]).catch(() => {})
      this.monitor.disconnect()
    }
  }
}

/** `work`, or a rejection after `ms` with the error `why()` gives (what the last attempt to connect said). */
const withTimeout = <T>(work: Promise<T>, ms: number, why: () => unknown): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(why() ?? new Error(`no answer within ${ms} ms`)), ms)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      }
    )
  })
