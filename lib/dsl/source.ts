/**
 * Finds the file that called `flow(...)`, for the run metadata ("source file when known"). Best effort:
 * stack traces are not a contract, so any surprise yields `undefined`.
 */
import { fileURLToPath } from "node:url"
import { mentionsOwnCode } from "../ownPackage.js"

export const callerFile = (): string | undefined => {
  const stack = new Error().stack?.split("\n").slice(1) ?? []
  for (const line of stack) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line.trim())
    const location = match?.[1]
    if (location === undefined) continue
    const file = location.startsWith("file://") ? fileURLToPath(location) : location
    if (!mentionsOwnCode(file) && !file.includes("/node_modules/")) return file
  }
  return undefined
}
