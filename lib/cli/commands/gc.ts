/**
 * `artiflow gc`: deletes old runs and the blobs nothing references any more (see lib/gc/gc.ts). Without a
 * keep option it deletes no run at all, only blobs no run references: a bare `artiflow gc` is always safe.
 */
import { gc } from "../../gc/gc.js"
import type { GcResult, Keep } from "../../gc/gc.js"
import { DEFAULT_GRACE_MS } from "../../gc/keep.js"
import { checkOptionNames, flagOption, positionalArgs, repeatedOption, stringOption } from "../args.js"
import type { ParsedArgs } from "../args.js"
import { EXIT, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import { DURATION_FORMS, parseDuration } from "../duration.js"
import { UsageError } from "../errors.js"
import { formatBytes, jsonText, plural } from "../format.js"
import { writeLine } from "../io.js"
import { storeOf } from "../store.js"
import { tagsProblem } from "../../tags.js"

const HELP = helpText(
  "artiflow gc [--keep-last <n>] [--older-than <age>] [--keep-tag <t>]... [--dry-run] [--grace <age>] [--store <dir>] [--json]",
  [
    "Deletes the runs not kept, then every blob that no remaining run references. A run is kept when any",
    "option keeps it; a running run, and every run a kept run was resumed or cached from, are always kept.",
    "Without --keep-last, --older-than or --keep-tag, every run is kept and only blobs no run references",
    "are deleted (what crashed or failed writes left). Blobs written in the last hour (--grace) always stay,",
    "so that a run writing to the store meanwhile loses nothing. Safe to interrupt: run it again to finish."
  ].join("\n"),
  [
    {
      title: "Options",
      rows: [
        ["--keep-last <n>", "keep the n newest runs of each flow (n: an integer >= 0)"],
        ["--older-than <age>", `delete runs started longer ago than this; keep the newer ones (age: ${DURATION_FORMS})`],
        ["--keep-tag <t>", "keep the runs with this tag (repeatable)"],
        ["--dry-run", "print what would be deleted, delete nothing"],
        ["--grace <age>", "keep blobs written within this age, referenced or not (default 1h)"],
        STORE_ROW,
        ["--json", "print JSON: { runsDeleted, blobsDeleted, bytesFreed, cacheEntriesDeleted, dryRun }"],
        HELP_ROW
      ]
    }
  ]
)

const OPTIONS = ["keep-last", "older-than", "keep-tag", "dry-run", "grace", "store", "json"]

/** `--keep-last`: an integer >= 0 (0 keeps no run by count: the other options may still keep some). */
const keepLastOption = (args: ParsedArgs): number | undefined => {
  const text = stringOption(args, "keep-last")
  if (text === undefined) return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new UsageError(`artiflow: option --keep-last expects an integer >= 0 (received '${text}')`, "gc")
  }
  return value
}

/** What the options keep; every run when none is given. */
const keepOf = (args: ParsedArgs, now: number): { readonly keep: Keep; readonly everyRun: boolean } => {
  const lastRuns = keepLastOption(args)
  const olderThan = stringOption(args, "older-than")
  const since = olderThan === undefined ? undefined : new Date(now - parseDuration(olderThan, "--older-than", "gc"))
  const tags = repeatedOption(args, "keep-tag")
  const problem = tagsProblem("option --keep-tag", "--keep-tag", tags)
  if (problem !== undefined) throw new UsageError(problem, "gc")
  if (lastRuns === undefined && since === undefined && tags.length === 0) return { keep: () => true, everyRun: true }
  return {
    keep: {
      ...(lastRuns !== undefined && { lastRuns }),
      ...(since !== undefined && { since }),
      ...(tags.length > 0 && { tags })
    },
    everyRun: false
  }
}

const summary = (result: GcResult, dryRun: boolean): string => {
  // The step cache entries the runs computed are named only when there are some (most flows cache nothing).
  const entries = result.cacheEntriesDeleted ?? 0
  const cache = entries === 0 ? "" : ` (with ${entries} step cache ${entries === 1 ? "entry" : "entries"})`
  const what = `${plural(result.runsDeleted, "run")}${cache} and ${plural(result.blobsDeleted, "blob")} (${formatBytes(result.bytesFreed)})`
  return dryRun ? `would delete ${what}; nothing was deleted (--dry-run)` : `deleted ${what}`
}

export const gcCommand: Command = {
  name: "gc",
  summary: "delete old runs (--keep-last, --older-than) and blobs no run references",
  flags: ["dry-run", "json"],
  repeatable: ["keep-tag"],
  help: async () => HELP,
  async run(args, io) {
    positionalArgs(args, 0, 0, "no arguments (options only: artiflow gc --keep-last 10)", "gc")
    checkOptionNames(args, OPTIONS, "gc")
    const { keep, everyRun } = keepOf(args, Date.now())
    const grace = stringOption(args, "grace")
    const graceMs = grace === undefined ? DEFAULT_GRACE_MS : parseDuration(grace, "--grace", "gc")
    const dryRun = flagOption(args, "dry-run")
    const json = flagOption(args, "json")
    const store = storeOf(args)
    const result = await gc(store, { keep, dryRun, graceMs })
    if (json) {
      io.stdout.write(jsonText({ ...result, cacheEntriesDeleted: result.cacheEntriesDeleted ?? 0, dryRun }))
      return EXIT.ok
    }
    if (everyRun) writeLine(io.stdout, "keeping every run (no --keep-last, --older-than or --keep-tag): deleting only blobs no run references")
    writeLine(io.stdout, summary(result, dryRun))
    return EXIT.ok
  }
}
