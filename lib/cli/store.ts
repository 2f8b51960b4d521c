/** The datastore a command reads or writes: `--store <dir | s3://bucket/prefix>`, else the default store. */
import type { Datastore } from "../datastore/Datastore.js"
import { defaultStore, storeAt } from "../datastore/storeAt.js"
import { StorageError } from "../errors.js"
import { stringOption } from "./args.js"
import type { ParsedArgs } from "./args.js"
import { UsageError } from "./errors.js"

/**
 * The store `--store` names (a directory, relative to the working directory, or `s3://bucket/prefix`), else
 * `ARTIFLOW_STORE`'s, else the local store at `$ARTIFLOW_HOME` / `./.artiflow`.
 */
export const storeOf = (args: ParsedArgs): Datastore => {
  const location = stringOption(args, "store")
  try {
    return location === undefined ? defaultStore() : storeAt(location)
  } catch (error) {
    // A location that names no store (`s3://Bad_Bucket`) is a wrong argument, not a store that failed: exit 2.
    if (!(error instanceof StorageError)) throw error
    throw new UsageError(location === undefined ? `${error.message} (it is ARTIFLOW_STORE's value)` : error.message)
  }
}

/** `--store <dir>` to repeat in a suggested command, or "" when the default store was used. */
export const storeSuffix = (args: ParsedArgs): string => {
  const dir = stringOption(args, "store")
  return dir === undefined ? "" : ` --store ${quoteArg(dir)}`
}

/** A shell word for a suggested command line (quoted only when it needs to be). */
export const quoteArg = (word: string): string => (/^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)
