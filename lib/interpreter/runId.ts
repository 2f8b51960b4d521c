/**
 * Run ids: sortable by start time (newest first is a reverse string sort), readable, and unique enough that
 * two processes starting the same flow in the same millisecond do not collide (the store refuses a
 * duplicate anyway).
 */
import { randomBytes } from "node:crypto"

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

/** Six base-36 digits; random suffixes leave room above them for the runs of one busy millisecond. */
const SUFFIXES = 36 ** 6
const HEADROOM = 2 ** 20

/** The last id this process made: its time and the number its suffix spells. */
let last: { readonly stamp: string; readonly suffix: number } | undefined

/**
 * `20261130-151716-123-k3f9x2`: UTC date, time, milliseconds and a random suffix. The runs one process starts
 * within one millisecond (a fast flow's on a memory store, about half the time) get increasing suffixes, so
 * that the run started last sorts newest: stores order runs by start time, then by id, and `resume`, `spin`,
 * `client.run(flow)` and gc's `lastRuns` go by that order.
 */
export const newRunId = (now: Date = new Date()): string => {
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1, 2)}${pad(now.getUTCDate(), 2)}`
  const time = `${pad(now.getUTCHours(), 2)}${pad(now.getUTCMinutes(), 2)}${pad(now.getUTCSeconds(), 2)}`
  const stamp = `${date}-${time}-${pad(now.getUTCMilliseconds(), 3)}`
  const suffix = last?.stamp === stamp ? last.suffix + 1 : randomBytes(4).readUInt32BE(0) % (SUFFIXES - HEADROOM)
  last = { stamp, suffix }
  return `${stamp}-${suffix.toString(36).padStart(6, "0")}`
}

const RUN_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

/** Run ids given by callers must be safe path segments. */
export const isValidRunId = (runId: unknown): runId is string =>
  typeof runId === "string" && RUN_ID.test(runId) && runId !== "__proto__"
