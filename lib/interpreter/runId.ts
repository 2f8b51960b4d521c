/**
 * Run ids: sortable by start time (newest first is a reverse string sort), readable, and unique enough that
 * two processes starting the same flow in the same millisecond do not collide (the store refuses a
 * duplicate anyway).
 */
import { randomBytes } from "node:crypto"

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

/** `20261130-151716-123-k3f9x2`: UTC date, time, milliseconds and a random suffix. */
export const newRunId = (now: Date = new Date()): string => {
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1, 2)}${pad(now.getUTCDate(), 2)}`
  const time = `${pad(now.getUTCHours(), 2)}${pad(now.getUTCMinutes(), 2)}${pad(now.getUTCSeconds(), 2)}`
  const suffix = randomBytes(4).readUInt32BE(0).toString(36).padStart(6, "0").slice(-6)
  return `${date}-${time}-${pad(now.getUTCMilliseconds(), 3)}-${suffix}`
}

const RUN_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

/** Run ids given by callers must be safe path segments. */
export const isValidRunId = (runId: unknown): runId is string =>
  typeof runId === "string" && RUN_ID.test(runId) && runId !== "__proto__"
