/**
 * The scheduler's side of an executor whose attempts run elsewhere (worker threads, BullMQ workers): each
 * attempt leaves as references (wire.ts), its outcome comes back as entries, and its `ctx.log` lines are
 * delivered when it ends. Once the run stops, attempts still out are no longer waited for (a worker may finish
 * one later: its outcome is dropped, and nothing of it is committed).
 */
import type { ArtifactEntry } from "../datastore/Manifest.js"
import type { Attempt, AttemptOutcome, ExecutorRun, ExecutorSession, WorkerIdentity } from "./Executor.js"
import { thisProcess } from "./inProcess.js"
import type { WireAttempt, WireOutcome, WireRun } from "./wire.js"
import { entriesSent, isLargeInline, outcomeFromWire, toWire } from "./wire.js"
import { messageOf } from "../errors.js"

/** An attempt sent away: its outcome, and how to tell its worker the run no longer wants it. */
export interface Sent {
  readonly outcome: Promise<WireOutcome>
  cancel(reason: string): void
}

/** How a session sends an attempt to its workers. */
export type Dispatch = (request: WireAttempt) => Sent

/** What the session reports for an attempt it stopped waiting for: interrupted by the run's stop. */
const abandoned = (attempt: Attempt, reason: unknown, worker: WorkerIdentity): AttemptOutcome => {
  const now = Date.now()
  return { status: "failed", attempt: attempt.number, startedAt: now, finishedAt: now, logs: [], worker, error: reason }
}

/** The wire outcome, or undefined once `signal` aborts (the attempt is then cancelled). */
const untilStopped = (sent: Sent, signal: AbortSignal): Promise<WireOutcome | undefined> =>
  new Promise((resolve, reject) => {
    const onAbort = (): void => {
      sent.cancel(messageOf(signal.reason))
      resolve(undefined)
    }
    signal.addEventListener("abort", onAbort, { once: true })
    sent.outcome.then(
      (outcome) => {
        signal.removeEventListener("abort", onAbort)
        resolve(outcome)
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort)
        reject(error)
      }
    )
  })

/** A session sending attempts with `dispatch`; `close` ends what the executor opened for the run. */
export const remoteSession = (
  run: ExecutorRun,
  wire: WireRun,
  dispatch: Dispatch,
  options: {
    readonly preferredConcurrency: number
    readonly close: () => Promise<void>
    /**
     * Whether large inline values are written as blobs and sent by hash (over a network: each job would carry
     * them). Threads of this process take them as they are: a copy in memory costs less than a file.
     */
    readonly publishLargeValues: boolean
  }
): ExecutorSession => {
  const scheduler = thisProcess()
  // Large inline values written as blobs (by hash), so that their entries travel without them (wire.ts).
  const published = new Map<string, Promise<boolean>>()
  const publish = (entry: ArtifactEntry): Promise<boolean> => {
    let writing = published.get(entry.hash)
    if (writing === undefined) {
      // The inline text is the value's encoded bytes, whose sha256 the entry's hash is: the blob has that name.
      writing = run.store.writeBlob(Buffer.from(entry.inline ?? "", "utf8")).then((blob) => blob.hash === entry.hash)
      published.set(entry.hash, writing)
    }
    return writing
  }
  const publishAll = async (attempt: Attempt): Promise<ReadonlySet<string>> => {
    if (!options.publishLargeValues) return new Set()
    const large = entriesSent(attempt).filter(isLargeInline)
    if (large.length === 0) return new Set()
    const written = await Promise.all(large.map(async (entry) => [entry.hash, await publish(entry)] as const))
    return new Set(written.filter(([, ok]) => ok).map(([hash]) => hash))
  }
  return {
    holdsValues: false,
    preferredConcurrency: options.preferredConcurrency,
    async runAttempt(attempt, signal) {
      if (signal.aborted) return abandoned(attempt, signal.reason, scheduler)
      const blobs = await publishAll(attempt)
      const outcome = await untilStopped(dispatch(toWire(wire, attempt, (hash) => blobs.has(hash))), signal)
      if (outcome === undefined) return abandoned(attempt, signal.reason, scheduler)
      const where = { flow: run.flow.name, runId: run.runId, step: attempt.step, taskId: attempt.taskId, attempt: outcome.attempt }
      try {
        for (const text of outcome.logs) run.log({ ...where, text })
      } catch {
        // The lines are in the attempt's manifest; a log sink that throws must not lose the attempt.
      }
      return outcomeFromWire(outcome)
    },
    close: options.close
  }
}
