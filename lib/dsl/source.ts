/**
 * Finds the file that called `flow(...)`, for the run metadata ("source file when known"). Best effort:
 * stack traces are not a contract, so any surprise yields `undefined`.
 */
import { fileURLToPath } from "node:url"

const ownDirectory = fileURLToPath(new URL("..", import.meta.url))

export const callerFile = (): string | undefined => {
  const stack = new Error().stack?.split("\n").slice(1) ?? []
  for (const line of stack) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line.trim())
    const location = match?.[1]
    if (location === undefined) continue
    const file = location.startsWith("file://") ? fileURLToPath(location) : location
    if (!file.startsWith(ownDirectory) && !file.includes("/node_modules/")) return file
  }
  return undefined
}
