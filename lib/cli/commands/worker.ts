/**
 * `artiflow worker <file.ts> --redis <url>`: runs the tasks that schedulers using `bullmqExecutor` put on the
 * queue, for the flows the file exports, until Ctrl-C or SIGTERM (then running tasks finish first; a second
 * signal stops at once, and the tasks it cut short run again elsewhere).
 */
import { startWorker } from "../../executor/worker.js"
import { checkOptionNames, positionalArgs, positiveIntOption, stringOption } from "../args.js"
import { EXIT, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import { UsageError } from "../errors.js"
import { redisUrlOption } from "../executors.js"
import { writeLine } from "../io.js"
import { loadFlows } from "../loadFlow.js"
import { storeOf } from "../store.js"

const USAGE =
  "artiflow worker <file.ts> --redis <url> [--store <dir | s3://bucket/prefix>] [--queue <name>] [--concurrency <n>] [--lock-duration <ms>] [--flow <name>]"

const HELP = helpText(
  USAGE,
  [
    "Runs tasks of the flows a file exports for schedulers that use bullmqExecutor (run(flow, { executor })):",
    "takes jobs from a BullMQ queue in Redis, loads what each task reads from the store, runs it on a worker",
    "thread and sends its outcome back to the scheduler, which commits it. Start as many workers as you like,",
    "on any machines that reach Redis and share the store. A job of another version of the flow, or of a run",
    "this worker's store does not have, is refused with a message naming both (the run fails with it).",
    "Ctrl-C or SIGTERM stops the worker gracefully: running tasks finish first. A worker killed outright has its",
    "running tasks run again on other workers as new attempts, about --lock-duration later."
  ].join("\n"),
  [
    {
      title: "Options",
      rows: [
        ["--redis <url>", "Redis: redis://[user:password@]host[:port][/db] (rediss:// for TLS); required"],
        STORE_ROW,
        ["--queue <name>", "the BullMQ queue (default: artiflow, as bullmqExecutor's default)"],
        ["--concurrency <n>", "tasks run at once, each on a thread (default: CPU count)"],
        ["--lock-duration <ms>", "how long a silent worker keeps its tasks before others take them (default: 30000)"],
        ["--flow <name>", "serve only this flow of the file (export or flow name; default: every flow it exports)"],
        HELP_ROW
      ]
    }
  ]
)

const OPTIONS = ["redis", "store", "queue", "concurrency", "lock-duration", "flow"]

/** Resolves on the first Ctrl-C or SIGTERM (never, where the CLI cannot hear them). */
const interrupted = (onInterrupt: ((stop: () => void) => () => void) | undefined): Promise<void> =>
  new Promise((resolve) => void onInterrupt?.(resolve))

export const workerCommand: Command = {
  name: "worker",
  summary: "run tasks from a BullMQ queue for bullmqExecutor runs: artiflow worker <file.ts> --redis <url>",
  flags: [],
  help: async () => HELP,
  async run(args, io) {
    const [file] = positionalArgs(args, 1, 1, "one flow file: artiflow worker <file.ts> --redis <url>", "worker") as [string]
    checkOptionNames(args, OPTIONS, "worker")
    const redis = redisUrlOption(args, "worker")
    if (redis === undefined) throw new UsageError("artiflow: worker needs --redis <url>, the Redis its schedulers use", "worker")
    const flows = await loadFlows(file, stringOption(args, "flow"))
    const concurrency = positiveIntOption(args, "concurrency")
    const lockDuration = positiveIntOption(args, "lock-duration")
    const store = storeOf(args)
    const queue = stringOption(args, "queue")
    const worker = await startWorker({
      flows: flows.map((loaded) => loaded.flow),
      connection: redis,
      store,
      ...(queue !== undefined && { queue }),
      ...(concurrency !== undefined && { concurrency }),
      ...(lockDuration !== undefined && { lockDuration }),
      onMessage: (message) => writeLine(io.stderr, message)
    })
    writeLine(io.stdout, `${worker.description}; ${store.description}`)
    await interrupted(io.onInterrupt)
    writeLine(io.stdout, `worker ${worker.worker.host}/${worker.worker.pid}: stopping (running tasks finish first)`)
    await worker.close()
    writeLine(io.stdout, "stopped")
    return EXIT.ok
  }
}
