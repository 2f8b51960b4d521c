/**
 * The dispatcher: picks the command (importing only its module), parses its arguments, prints help or the
 * version, and turns errors into messages and exit codes (0 success, 1 a run failed or a spun function threw,
 * 2 a usage error: a bad command line, an unknown flow, run, step, task or artifact, an invalid parameter or flow).
 */
import { packageVersion } from "../ownPackage.js"
import { parseArgs } from "./args.js"
import type { ParsedArgs } from "./args.js"
import { EXIT, helpText } from "./command.js"
import type { Command, CommandEntry } from "./command.js"
import { UsageError } from "./errors.js"
import { writeLine } from "./io.js"
import type { Io } from "./io.js"

/** Every command, in the order `artiflow --help` lists them; a command's module is imported when it is chosen. */
export const COMMANDS: ReadonlyArray<CommandEntry> = [
  {
    name: "run",
    summary: "run a flow from a file: artiflow run <file.ts> [--<param> <value>]...",
    load: async () => (await import("./commands/run.js")).runCommand
  },
  {
    name: "resume",
    summary: "resume a flow's failed run, reusing what succeeded",
    load: async () => (await import("./commands/resume.js")).resumeCommand
  },
  {
    name: "spin",
    summary: "run one step again on a past task's record, and compare",
    load: async () => (await import("./commands/spin.js")).spinCommand
  },
  {
    name: "worker",
    summary: "run tasks from a BullMQ queue for bullmqExecutor runs: artiflow worker <file.ts> --redis <url>",
    load: async () => (await import("./commands/worker.js")).workerCommand
  },
  {
    name: "runs",
    summary: "list a flow's runs, newest first (filter by --tag, --status)",
    load: async () => (await import("./commands/runs.js")).runsCommand
  },
  {
    name: "show",
    summary: "show a run: status, times, parameters and the graph with per-step status",
    load: async () => (await import("./commands/show.js")).showCommand
  },
  {
    name: "dump",
    summary: "print the artifacts of a run, a step or a task",
    load: async () => (await import("./commands/dump.js")).dumpCommand
  },
  {
    name: "graph",
    summary: "draw a flow's graph as text or Mermaid",
    load: async () => (await import("./commands/graph.js")).graphCommand
  },
  {
    name: "report",
    summary: "write a run's HTML report",
    load: async () => (await import("./commands/report.js")).reportCommand
  },
  {
    name: "lineage",
    summary: "show where an artifact came from: the tasks that produced it and what each read",
    load: async () => (await import("./commands/lineage.js")).lineageCommand
  },
  {
    name: "gc",
    summary: "delete old runs (--keep-last, --older-than) and blobs no run references",
    load: async () => (await import("./commands/gc.js")).gcCommand
  }
]

const MAIN_HELP = helpText(
  "artiflow <command> [arguments] [options]",
  "Runs artiflow flows from TypeScript files and inspects their runs: Metaflow-style data artifacts for TypeScript.",
  [
    { title: "Commands", rows: COMMANDS.map((command) => [command.name, command.summary] as const) },
    {
      title: "Options",
      rows: [
        ["-h, --help", "show help (artiflow <command> --help for a command's)"],
        ["--version", "print the version"]
      ]
    },
    {
      title: "Exit codes",
      rows: [
        ["0", "success"],
        ["1", "the run failed (artiflow resume picks it up), the function spin ran threw, or the store could not be used"],
        ["2", "usage error: bad arguments, an unknown flow, run, step, task or artifact, an invalid parameter"]
      ]
    }
  ]
)

/** Errors that mean "what you asked for is wrong", not "something broke": exit code 2. */
const USAGE_TAGS = new Set(["UsageError", "NotFoundError", "ParamError", "FlowDefinitionError"])

const tagOf = (error: unknown): string | undefined => {
  const tag = typeof error === "object" && error !== null ? (error as { readonly _tag?: unknown })._tag : undefined
  return typeof tag === "string" ? tag : undefined
}

/** Prints an error the way its kind deserves and returns the exit code. */
const reportError = (error: unknown, io: Io): number => {
  const tag = tagOf(error)
  if (error instanceof Error && tag !== undefined) {
    writeLine(io.stderr, error.message)
    if (error instanceof UsageError && error.command !== undefined) writeLine(io.stderr, `see: artiflow ${error.command} --help`)
    return USAGE_TAGS.has(tag) ? EXIT.usage : EXIT.runFailed
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
  writeLine(io.stderr, `artiflow: unexpected error: ${detail}`)
  return EXIT.runFailed
}

const findCommand = (name: string): Promise<Command> => {
  const command = COMMANDS.find((candidate) => candidate.name === name)
  if (command !== undefined) return command.load()
  const names = COMMANDS.map((candidate) => candidate.name).join(", ")
  throw new UsageError(`artiflow: unknown command '${name}' (commands: ${names}): see artiflow --help`)
}

/** The command line as `command` reads it: its flags take no value, its pair options two. */
const commandArgs = (command: Command, argv: ReadonlyArray<string>): ParsedArgs =>
  parseArgs(argv, command)

const dispatch = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.stderr.write(MAIN_HELP)
    return EXIT.usage
  }
  if (name === "--help" || name === "-h") {
    io.stdout.write(MAIN_HELP)
    return EXIT.ok
  }
  if (name === "--version" || name === "-v") {
    writeLine(io.stdout, `artiflow ${packageVersion()}`)
    return EXIT.ok
  }
  if (name === "help") {
    const helped = rest[0] === undefined ? undefined : await findCommand(rest[0])
    io.stdout.write(helped === undefined ? MAIN_HELP : await helped.help(commandArgs(helped, rest.slice(1))))
    return EXIT.ok
  }
  const command = await findCommand(name)
  const args = commandArgs(command, rest)
  if (args.help) {
    io.stdout.write(await command.help(args))
    return EXIT.ok
  }
  return command.run(args, io)
}

/**
 * Runs the command line `argv` (without `node` and the script) and resolves to the exit code; never rejects.
 *
 * @example
 * const io = { stdout: streamWriter(process.stdout), stderr: streamWriter(process.stderr) }
 * const code = await cli(["runs", "Train", "--json"], io)
 */
export const cli = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  try {
    return await dispatch(argv, io)
  } catch (error) {
    return reportError(error, io)
  }
}
