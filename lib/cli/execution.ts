/**
 * The execution options `run` and `resume` share on the command line: --max-workers, --max-foreach-items,
 * --verify, --run-id, --tag, and where tasks run (--threads, --redis, --queue: parsed in executors.ts, which
 * `runs` and the other readers do not load), with their help rows and parsing in one place.
 */
import type { ExecutionOptions } from "../interpreter/execute.js"
import { isCacheMode } from "../dsl/cacheMode.js"
import type { CacheMode } from "../dsl/cacheMode.js"
import { tagsProblem } from "../tags.js"
import { CACHE_MODE_LIST, describeValue } from "../types/messages.js"
import { flagOption, positiveIntOption, repeatedOption, stringOption } from "./args.js"
import type { ParsedArgs } from "./args.js"
import { UsageError } from "./errors.js"

/** Option names (without --), for checking a command line. */
export const EXECUTION_OPTIONS = ["max-workers", "max-foreach-items", "verify", "run-id", "tag", "threads", "redis", "queue", "cache"] as const

/**
 * Options added after flows could have parameters of these names: a flow's parameter named like one of them
 * keeps the name (its `--<name>` sets the parameter).
 */
export const LATER_OPTIONS: ReadonlyArray<string> = ["tag", "threads", "redis", "queue", "cache"]

/** Boolean flags among them (they take no value). */
export const EXECUTION_FLAGS = ["verify"] as const

/** Options among them that may be given more than once. */
export const EXECUTION_REPEATABLE = ["tag"] as const

export const EXECUTION_USAGE =
  "[--max-workers <n>] [--max-foreach-items <n>] [--verify] [--run-id <id>] [--tag <t>]... [--threads <n> | --redis <url> [--queue <name>]] [--cache <mode>]"

export const EXECUTION_ROWS: ReadonlyArray<readonly [string, string]> = [
  ["--max-workers <n>", "run at most n tasks at once (default: CPU count x 4)"],
  ["--max-foreach-items <n>", "refuse a foreach over more than n items before it starts (default: 100000)"],
  ["--verify", "fail a task that changed an inherited binary artifact in place (re-hashes them at each commit)"],
  ["--run-id <id>", "the new run's id (default: a new time-sortable id)"],
  ["--tag <t>", "tag the new run (repeatable: --tag nightly --tag gpu)"],
  ["--threads <n>", "run tasks on n worker threads of this process (CPU-bound steps use n cores)"],
  ["--redis <url>", "run tasks on artiflow workers (artiflow worker <file> --redis <url>) through this Redis"],
  ["--queue <name>", "with --redis: the workers' queue (default: artiflow)"],
  ["--cache <mode>", "the step cache: use (default: answer cached steps from past runs), refresh (run them, record anew), off"]
]

/**
 * `--tag <t>`, repeatable: the new run's tags. A bad tag is a usage error naming it and the rule, before
 * anything runs.
 */
export const tagOptions = (args: ParsedArgs, command: string): ReadonlyArray<string> => {
  const tags = repeatedOption(args, "tag")
  const problem = tagsProblem("option --tag", "--tag", tags)
  if (problem !== undefined) throw new UsageError(problem, command)
  return tags
}

/** `--cache <mode>`: an unknown mode is a usage error naming the option and the modes, before anything runs. */
export const cacheOption = (args: ParsedArgs, command: string): CacheMode | undefined => {
  const mode = stringOption(args, "cache")
  if (mode === undefined || isCacheMode(mode)) return mode
  throw new UsageError(`artiflow: option --cache must be ${CACHE_MODE_LIST} (received ${describeValue(mode)})`, command)
}

/**
 * The execution options given on the command line; absent ones are left to the run's defaults. `params` are
 * the flow's parameters when `--<param>` options set them (run): a parameter named `tag` takes `--tag`, which
 * then tags nothing (the flow's own names win, as they did before run tags existed).
 */
export const executionOptions = (
  args: ParsedArgs,
  command: string,
  params: Readonly<Record<string, unknown>> = {}
): ExecutionOptions => {
  const maxWorkers = positiveIntOption(args, "max-workers")
  const maxForeachItems = positiveIntOption(args, "max-foreach-items")
  const runId = stringOption(args, "run-id")
  const tags = Object.hasOwn(params, "tag") ? [] : tagOptions(args, command)
  const cache = Object.hasOwn(params, "cache") ? undefined : cacheOption(args, command)
  return {
    ...(maxWorkers !== undefined && { maxWorkers }),
    ...(maxForeachItems !== undefined && { maxForeachItems }),
    ...(flagOption(args, "verify") && { verify: true }),
    ...(runId !== undefined && { runId }),
    ...(tags.length > 0 && { tags }),
    ...(cache !== undefined && { cache })
  }
}
