/**
 * Durations on the command line (`--older-than 30d`): a whole number and a unit, nothing else. A bare number
 * is refused: "30" could mean seconds or days, and gc deletes what the user gets wrong.
 */
import { UsageError } from "./errors.js"

const UNIT_MS: Readonly<Record<string, number>> = Object.assign(Object.create(null) as Record<string, number>, {
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  w: 7 * 24 * 60 * 60 * 1000
})

/** What the duration options accept, for their messages and help. */
export const DURATION_FORMS = "a whole number and a unit: ms, s, m, h, d or w (e.g. 90m, 12h, 30d, 2w)"

const DURATION = /^(\d+)(ms|s|m|h|d|w)$/

/**
 * Milliseconds of a duration like "30d", or a usage error naming `option` and the accepted forms.
 *
 * @example
 * parseDuration("12h", "--older-than", "gc") // 43_200_000
 */
export const parseDuration = (text: string, option: string, command: string): number => {
  const match = DURATION.exec(text.trim())
  const amount = match === null ? Number.NaN : Number(match[1])
  const unit = match?.[2]
  const ms = unit !== undefined && Object.hasOwn(UNIT_MS, unit) ? amount * (UNIT_MS[unit] as number) : Number.NaN
  if (!Number.isSafeInteger(ms)) {
    throw new UsageError(`artiflow: option ${option} expects a duration, ${DURATION_FORMS} (received '${text}')`, command)
  }
  return ms
}
