/** The datastore a command reads or writes: `--store <dir>`, else `localStore()`'s default. */
import { localStore } from "../datastore/local.js"
import type { Datastore } from "../datastore/Datastore.js"
import { stringOption } from "./args.js"
import type { ParsedArgs } from "./args.js"

/** The local store at `--store <dir>` (relative to the working directory), or at `$ARTIFLOW_HOME` / `./.artiflow`. */
export const storeOf = (args: ParsedArgs): Datastore => {
  const dir = stringOption(args, "store")
  return dir === undefined ? localStore() : localStore(dir)
}

/** `--store <dir>` to repeat in a suggested command, or "" when the default store was used. */
export const storeSuffix = (args: ParsedArgs): string => {
  const dir = stringOption(args, "store")
  return dir === undefined ? "" : ` --store ${quoteArg(dir)}`
}

/** A shell word for a suggested command line (quoted only when it needs to be). */
export const quoteArg = (word: string): string => (/^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)
