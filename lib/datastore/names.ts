/**
 * Flow names and run ids become path segments in the local store and keys everywhere else: one rule for
 * every adapter, so a name that works in tests works on disk.
 */
import { StorageError } from "../errors.js"

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

/** What a valid name looks like, for error messages. */
export const NAME_RULE =
  "1 to 128 characters among letters, digits, '_', '-' and '.', starting with a letter, a digit or '_' (and not '__proto__')"

/** Whether `name` may be used as a flow name or run id. */
export const isValidName = (name: string): boolean => NAME.test(name) && name !== "__proto__"

/**
 * Throws a `StorageError` unless `name` is a valid flow name or run id: this rules out "", ".", "..",
 * anything with "/" or "\", "__proto__" and names over 128 characters.
 */
export const assertValidName = (kind: "flow name" | "run id", name: string): void => {
  if (typeof name === "string" && isValidName(name)) return
  throw new StorageError(`artiflow: invalid ${kind} ${JSON.stringify(name)}: use ${NAME_RULE}`)
}

/** Validates a flow name and a run id together. */
export const assertValidRun = (flow: string, runId: string): void => {
  assertValidName("flow name", flow)
  assertValidName("run id", runId)
}
