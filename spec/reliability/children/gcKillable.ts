/**
 * Child process of the gc crash test: runs `gc` on a store and may be killed with SIGKILL while it does.
 *
 *     node gcKillable.js '<JSON of GcJob>'
 *
 * It prints `ready` just before gc starts and, if nobody killed it, one line of JSON (the GcResult). With
 * `selfKill`, it sends itself SIGKILL at its `point`-th deletion call (the `deleteCacheEntries`, a `deleteRun`,
 * or a `deleteBlobs` of a batch), `turns` turns of the event loop after starting it (0: just before): amid the
 * deletion of cache packs, inside the deletion of a run's files, or amid a batch of blob deletions.
 */
import { gc, storeAt } from "../../../lib/index.js"
import type { CacheEntry, Datastore, KeepCriteria } from "../../../lib/index.js"

export interface GcJob {
  readonly store: string
  readonly keep: KeepCriteria
  readonly selfKill?: { readonly point: number; readonly turns: number }
}

const die = (): void => {
  process.kill(process.pid, "SIGKILL")
}

const afterTurns = (turns: number, then: () => void): void => {
  if (turns <= 0) then()
  else setImmediate(() => afterTurns(turns - 1, then))
}

const job = JSON.parse(process.argv[2] ?? "{}") as GcJob
const inner = storeAt(job.store)
let calls = 0

/** Counts a deletion call, and dies in the planned one. */
const deleting = <T>(call: () => Promise<T>): Promise<T> => {
  calls++
  const plan = job.selfKill
  if (plan === undefined || plan.point !== calls) return call()
  if (plan.turns === 0) die()
  const pending = call()
  afterTurns(plan.turns, die)
  return pending
}

const { deleteRun, deleteBlobs, deleteCacheEntries } = inner
if (deleteRun === undefined || deleteBlobs === undefined || deleteCacheEntries === undefined) {
  throw new Error(`${inner.description} cannot delete`)
}
// Everything else is the store's own (its methods reach its fields through the prototype).
const store: Datastore = Object.assign(Object.create(inner) as Datastore, {
  deleteRun: (flow: string, runId: string) => deleting(() => deleteRun.call(inner, flow, runId)),
  deleteBlobs: (hashes: ReadonlyArray<string>, since: number) => deleting(() => deleteBlobs.call(inner, hashes, since)),
  deleteCacheEntries: (doomed: (entry: CacheEntry) => boolean) => deleting(() => deleteCacheEntries.call(inner, doomed))
})

process.stdout.write("ready\n")
const result = await gc(store, { keep: job.keep, graceMs: 0 })
process.stdout.write(`${JSON.stringify({ ...result, deletionCalls: calls })}\n`)
