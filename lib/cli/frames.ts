/**
 * The stack frames of a user's failure worth printing: their own code's, not Node's and not artiflow's (the
 * run's or the spin's machinery that called their step).
 */
import { mentionsOwnCode } from "../ownPackage.js"

const MAX_FRAMES = 5

/** The first few stack frames of `cause` that are the user's code (not Node's, not artiflow's). */
export const userFrames = (cause: unknown): ReadonlyArray<string> => {
  const stack = cause instanceof Error ? cause.stack : undefined
  if (stack === undefined) return []
  return stack
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("at ") && !line.includes("node:") && !mentionsOwnCode(line))
    .slice(0, MAX_FRAMES)
}
