/**
 * Where `run` and `resume` run tasks, from the command line: `--threads <n>` (worker threads of this process),
 * `--redis <url> [--queue <name>]` (artiflow worker processes through BullMQ), else in process.
 */
import { bullmqExecutor } from "../executor/bullmq.js"
import type { Executor } from "../executor/Executor.js"
import { workerThreads } from "../executor/workerThreads.js"
import { positiveIntOption, stringOption } from "./args.js"
import type { ParsedArgs } from "./args.js"
import { UsageError } from "./errors.js"

/** `--redis <url>`, checked in the command line's words (the URL's details are checked by the executor). */
export const redisUrlOption = (args: ParsedArgs, command: string): string | undefined => {
  const url = stringOption(args, "redis")
  if (url !== undefined && !/^rediss?:\/\//.test(url)) {
    throw new UsageError(`artiflow: option --redis expects a redis://host[:port] URL (rediss:// for TLS), received '${url}'`, command)
  }
  return url
}

/**
 * The executor the options name, or `{}` for the default. A flow parameter named `threads`, `redis` or `queue`
 * takes that option (`params`: the flow's parameters, for `run`).
 */
export const executorOption = (
  args: ParsedArgs,
  command: string,
  params: Readonly<Record<string, unknown>> = {}
): { readonly executor?: Executor } => {
  const own = (name: string): boolean => !Object.hasOwn(params, name) && args.options.has(name)
  const threads = own("threads") ? positiveIntOption(args, "threads") : undefined
  const redis = own("redis") ? redisUrlOption(args, command) : undefined
  const queue = own("queue") ? stringOption(args, "queue") : undefined
  if (threads !== undefined && redis !== undefined) {
    throw new UsageError("artiflow: give --threads or --redis, not both: tasks run on threads of this process or on workers", command)
  }
  if (queue !== undefined && redis === undefined) throw new UsageError("artiflow: --queue names the workers' queue: give --redis <url> too", command)
  if (threads !== undefined) return { executor: workerThreads({ threads }) }
  if (redis !== undefined) return { executor: bullmqExecutor({ connection: redis, ...(queue !== undefined && { queue }) }) }
  return {}
}
