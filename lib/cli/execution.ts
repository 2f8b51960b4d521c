/**
 * The execution options `run` and `resume` share on the command line: --max-workers, --max-foreach-items,
 * --verify and --run-id, with their help rows and parsing in one place.
 */
import type { ExecutionOptions } from "../interpreter/execute.js"
import { flagOption, positiveIntOption, stringOption } from "./args.js"
import type { ParsedArgs } from "./args.js"

/** Option names (without --), for checking a command line. */
export const EXECUTION_OPTIONS = ["max-workers", "max-foreach-items", "verify", "run-id"] as const

/** Boolean flags among them (they take no value). */
export const EXECUTION_FLAGS = ["verify"] as const

export const EXECUTION_USAGE = "[--max-workers <n>] [--max-foreach-items <n>] [--verify] [--run-id <id>]"

export const EXECUTION_ROWS: ReadonlyArray<readonly [string, string]> = [
  ["--max-workers <n>", "run at most n tasks at once (default: CPU count x 4)"],
  ["--max-foreach-items <n>", "refuse a foreach over more than n items before it starts (default: 100000)"],
  ["--verify", "fail a task that changed an inherited binary artifact in place (re-hashes them at each commit)"],
  ["--run-id <id>", "the new run's id (default: a new time-sortable id)"]
]

/** The execution options given on the command line; absent ones are left to the run's defaults. */
export const executionOptions = (args: ParsedArgs): ExecutionOptions => {
  const maxWorkers = positiveIntOption(args, "max-workers")
  const maxForeachItems = positiveIntOption(args, "max-foreach-items")
  const runId = stringOption(args, "run-id")
  return {
    ...(maxWorkers !== undefined && { maxWorkers }),
    ...(maxForeachItems !== undefined && { maxForeachItems }),
    ...(flagOption(args, "verify") && { verify: true }),
    ...(runId !== undefined && { runId })
  }
}
