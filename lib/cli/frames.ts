/**
 * Which stack frames of a user's error are worth printing: their own code's, not Node's and not artiflow's (the
 * run's or the spin's machinery that called their step, the loaders that loaded their file).
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

/** Frames of Node's loaders, of tsx and esbuild (compiling TypeScript) and of this CLI: how a file loaded, not why it failed. */
const isLoaderFrame = (line: string): boolean =>
  /^\s*at /.test(line) && (/\(?node:/.test(line) || /\/node_modules\/(tsx|esbuild)\//.test(line) || mentionsOwnCode(line))

/** The stack of an error a flow file threw while it loaded, without the loaders' frames. */
export const withoutLoaderFrames = (stack: string): string =>
  stack
    .split("\n")
    .filter((line) => !isLoaderFrame(line))
    .join("\n")
