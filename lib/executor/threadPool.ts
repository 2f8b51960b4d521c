/**
 * A pool of worker threads running attempts (threadMain.ts), one at a time each, queued in arrival order. The
 * pool's owner serves their store calls from the stores it registered (each attempt names its store: one pool
 * serves runs on any number of stores). A thread that dies in an attempt (an uncaught
 * error in a timer, `process.exit`, out of memory) is replaced, and the attempt runs again on another as a new
 * attempt; an attempt that kills three threads fails with why. Threads start when first needed, and hold the
 * process open only while the pool is held (a run, a worker).
 */
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { MessageChannel, Worker } from "node:worker_threads"
import type { MessagePort } from "node:worker_threads"
import type { Datastore } from "../datastore/Datastore.js"
import { ExecutorError, messageOf } from "../errors.js"
import { serveStore } from "./storeProxy.js"
import type { FromThread, ToThread } from "./threadMessages.js"
import type { WireAttempt, WireOutcome } from "./wire.js"
import { builtFile } from "../ownPackage.js"

/** An attempt that killed this many threads fails instead of killing another. */
const MAX_CRASHES = 3

interface Job {
  readonly id: number
  readonly store: number
  request: WireAttempt
  crashes: number
  readonly resolve: (outcome: WireOutcome) => void
  readonly reject: (error: unknown) => void
}

interface Thread {
  readonly worker: Worker
  readonly storePort: MessagePort
  job: Job | undefined
  /** Why it died, when an uncaught error killed it. */
  lastError: unknown
}

const ownFile = fileURLToPath(import.meta.url)
/** Running from source (tests, the benchmarks): threads compile TypeScript, with the source condition. */
const fromSource = ownFile.endsWith(".ts")
/**
 * The thread's entry: next to this file in lib/; built, dist/executor/threadMain.js, found from the package's root
 * because this code is bundled into whichever file of dist/ esbuild chose (spec/build/bundle.ts).
 */
const entry = fromSource
  ? new URL("./threadMain.ts", import.meta.url)
  : pathToFileURL(builtFile("executor/threadMain.js") ?? fileURLToPath(new URL("./threadMain.js", import.meta.url)))

/**
 * A thread running threadMain. From source, the thread first registers tsx (to compile the entry) and resolves
 * "artiflow" with the source condition, as the process that started it does.
 */
const startWorker = (workerData: object, transferList: ReadonlyArray<MessagePort>): Worker => {
  if (!fromSource) return new Worker(entry, { workerData, transferList: [...transferList] })
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(code, { eval: true, workerData, transferList: [...transferList], execArgv: ["--conditions=artiflow-source"] })
}

/** What crashed a thread, in words. */
const crashReason = (thread: Thread, code: number): string =>
  thread.lastError === undefined ? `it exited with code ${code}` : messageOf(thread.lastError)

export class ThreadPool {
  private readonly threads: Array<Thread> = []
  private readonly queue: Array<Job> = []
  private readonly stores = new Map<number, Datastore>()
  private nextId = 0
  private nextStore = 0
  private holders = 0
  private closed = false

  /**
   * @param size how many threads
   * @param label how messages name one of the pool's threads ("worker thread")
   */
  constructor(
    readonly size: number,
    private readonly label: string
  ) {}

  /** Serves `store` to the threads until `removeStore`; attempts name it by the id returned. */
  addStore(store: Datastore): number {
    const id = this.nextStore++
    this.stores.set(id, store)
    return id
  }

  removeStore(id: number): void {
    this.stores.delete(id)
  }

  private storeOf(id: number): Datastore {
    const store = this.stores.get(id)
    if (store === undefined) throw new ExecutorError(`artiflow: a ${this.label} used a store no run holds any more`)
    return store
  }

  /** Keeps the threads (and so the process) alive until the matching `release`. */
  hold(): void {
    if (this.holders++ === 0) for (const thread of this.threads) this.ref(thread, true)
  }

  release(): void {
    if (--this.holders === 0) for (const thread of this.threads) this.ref(thread, false)
  }

  /** Runs an attempt on the next free thread. Rejects with ExecutorError when a thread refuses it or it kills three. */
  run(request: WireAttempt, store: number): { readonly id: number; readonly outcome: Promise<WireOutcome> } {
    const id = this.nextId++
    const outcome = new Promise<WireOutcome>((resolve, reject) => {
      if (this.closed) return reject(new ExecutorError(`artiflow: the ${this.label}s were closed`))
      this.queue.push({ id, store, request, crashes: 0, resolve, reject })
      this.dispatch()
    })
    return { id, outcome }
  }

  /** Aborts a running attempt's `ctx.signal` (a queued one is dropped): the run no longer waits for it. */
  cancel(id: number, reason: string): void {
    const queued = this.queue.findIndex((job) => job.id === id)
    if (queued >= 0) {
      const [job] = this.queue.splice(queued, 1)
      job?.reject(new ExecutorError(`artiflow: cancelled: ${reason}`))
      return
    }
    const thread = this.threads.find((candidate) => candidate.job?.id === id)
    thread?.worker.postMessage({ type: "cancel", id, reason } satisfies ToThread)
  }

  /** Stops every thread; queued and running attempts reject. */
  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.reject(new ExecutorError(`artiflow: the ${this.label}s were closed`))
    await Promise.all(this.threads.splice(0).map((thread) => this.stop(thread)))
  }

  private async stop(thread: Thread): Promise<void> {
    thread.job?.reject(new ExecutorError(`artiflow: the ${this.label}s were closed`))
    thread.job = undefined
    thread.storePort.close()
    await thread.worker.terminate()
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const thread = this.threads.find((candidate) => candidate.job === undefined) ?? this.spawn()
      if (thread === undefined) return
      const job = this.queue.shift() as Job
      thread.job = job
      thread.worker.postMessage({ type: "attempt", id: job.id, request: job.request, store: job.store } satisfies ToThread)
    }
  }

  /** A new thread, unless the pool is full. */
  private spawn(): Thread | undefined {
    if (this.threads.length >= this.size) return undefined
    const { port1, port2 } = new MessageChannel()
    serveStore(port1, (id) => this.storeOf(id))
    const worker = startWorker({ stores: port2, label: this.label }, [port2])
    const thread: Thread = { worker, storePort: port1, job: undefined, lastError: undefined }
    worker.on("message", (message: FromThread) => this.received(thread, message))
    worker.on("error", (error) => (thread.lastError = error))
    worker.on("exit", (code) => this.exited(thread, code))
    this.threads.push(thread)
    this.ref(thread, this.holders > 0)
    return thread
  }

  private ref(thread: Thread, held: boolean): void {
    if (held) {
      thread.worker.ref()
      thread.storePort.ref()
    } else {
      thread.worker.unref()
      thread.storePort.unref()
    }
  }

  private received(thread: Thread, message: FromThread): void {
    if (message.type === "ready") return
    const job = thread.job
    if (job === undefined || job.id !== message.id) return
    thread.job = undefined
    if (message.type === "outcome") job.resolve(message.outcome)
    else job.reject(new ExecutorError(message.message))
    this.dispatch()
  }

  /** A thread ended: replaced, and its attempt run again as a new attempt (or failed once it killed three). */
  private exited(thread: Thread, code: number): void {
    const index = this.threads.indexOf(thread)
    if (index >= 0) this.threads.splice(index, 1)
    thread.storePort.close()
    const job = thread.job
    thread.job = undefined
    if (job === undefined || this.closed) return
    job.crashes += 1
    const reason = crashReason(thread, code)
    if (job.crashes >= MAX_CRASHES) {
      job.reject(
        new ExecutorError(
          `artiflow: step '${job.request.step}' (task ${job.request.taskId}) killed ${MAX_CRASHES} ${this.label}s; the last: ${reason}`
        )
      )
    } else {
      job.request = { ...job.request, attempt: job.request.attempt + 1 }
      this.queue.unshift(job)
    }
    this.dispatch()
  }
}
