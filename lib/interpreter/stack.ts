/**
 * The stack a `catch` artifact stores, the same wherever the step ran: the error's message, then the frames of
 * the user's code as locations only. Frames of artiflow's own code and of Node's internals say how the step
 * was called (in process, on a worker thread, on a BullMQ worker), and a function's name in a frame depends on
 * how its module was compiled (vitest and tsx name them differently): neither belongs in an artifact whose hash
 * must not depend on the executor.
 */
import { fileURLToPath } from "node:url"

/** This package's compiled or source code (lib/ or dist/): frames there are artiflow calling the step. */
const ownCode = fileURLToPath(new URL("..", import.meta.url))

const FRAME = /^\s*at\s+(?:async\s+)?(?:.*?\s+\((.+)\)|(.+))\s*$/

/** A frame's location as a path (file URLs turned into paths), or undefined for a line that is no frame. */
const locationOf = (line: string): string | undefined => {
  const match = FRAME.exec(line)
  const location = match?.[1] ?? match?.[2]
  if (location === undefined) return undefined
  if (!location.startsWith("file://")) return location
  try {
    // A location is `file:///path:line:column`: only the path part is a URL.
    const [, url, position] = /^(file:\/\/.+?)(:\d+:\d+)?$/.exec(location) ?? []
    return `${fileURLToPath(url ?? location)}${position ?? ""}`
  } catch {
    return location
  }
}

const isUserFrame = (location: string): boolean => !location.startsWith("node:") && !location.startsWith(ownCode)

/** `stack` with its frames reduced to the user's code, as locations (see the module comment). */
export const userStack = (stack: string): string => {
  const lines = stack.split("\n")
  const firstFrame = lines.findIndex((line) => locationOf(line) !== undefined && /^\s*at\s/.test(line))
  if (firstFrame < 0) return stack
  const header = lines.slice(0, firstFrame)
  const frames = lines
    .slice(firstFrame)
    .map(locationOf)
    .filter((location): location is string => location !== undefined && isUserFrame(location))
    .map((location) => `    at ${location}`)
  return [...header, ...frames].join("\n")
}
