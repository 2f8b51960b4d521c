/**
 * What a command is: its name, a one-line summary for `artiflow --help`, its help text, which of its options
 * are boolean flags, and what it does. Commands write through an `Io` and return the exit code; they throw
 * `UsageError` and the library's errors, which the dispatcher turns into messages and exit codes.
 */
import type { ParsedArgs } from "./args.js"
import { table } from "./format.js"
import type { Io } from "./io.js"

/** Exit codes: success, a run that failed, a command line (or a name on it) that was wrong. */
export const EXIT = { ok: 0, runFailed: 1, usage: 2 } as const

export interface Command {
  readonly name: string
  /** One line for the list of commands. */
  readonly summary: string
  /** Its boolean options (every other option takes a value). */
  readonly flags: ReadonlyArray<string>
  /** Its options that may be given more than once (`--tag a --tag b`); the others may be given once. */
  readonly repeatable?: ReadonlyArray<string>
  /** Its options that take two values and may be repeated (`--config <name> <path>`). */
  readonly pairs?: ReadonlyArray<string>
  /** The help text `artiflow <command> --help` prints (some commands say more given their arguments). */
  help(args: ParsedArgs): Promise<string>
  run(args: ParsedArgs, io: Io): Promise<number>
}

/**
 * A command as the dispatcher knows it before choosing one: its name and summary (what `artiflow --help`
 * lists), and how to import it. Each command's module, with what it needs (the interpreter, the client, the
 * report, the TypeScript loader...), is imported only when that command runs: start-up pays for one command.
 */
export interface CommandEntry {
  readonly name: string
  /** The command's `summary`, repeated here so that listing commands imports none (a test keeps them equal). */
  readonly summary: string
  readonly load: () => Promise<Command>
}

/** A section of a help text: a title and rows of [term, description]. */
export interface HelpSection {
  readonly title: string
  readonly rows: ReadonlyArray<readonly [string, string]>
}

/**
 * Lays out a help text: the usage line, a description, then each section with aligned rows.
 *
 * @example
 * helpText("artiflow runs <Flow>", "Lists a flow's runs.", [{ title: "Options", rows: [["--json", "print JSON"]] }])
 */
export const helpText = (usage: string, description: string, sections: ReadonlyArray<HelpSection>): string => {
  const parts = [`Usage: ${usage}`, "", description]
  for (const section of sections) {
    if (section.rows.length === 0) continue
    parts.push("", `${section.title}:`, ...table(section.rows).map((line) => `  ${line}`))
  }
  return `${parts.join("\n")}\n`
}

/** The options most commands share. */
export const STORE_ROW = [
  "--store <dir | s3://bucket/prefix>",
  "the datastore: a directory or an S3 bucket (default: $ARTIFLOW_STORE, else $ARTIFLOW_HOME, else ./.artiflow)"
] as const
export const HELP_ROW = ["-h, --help", "show this help"] as const
/** The flow chosen by `--flow`, for the commands that load a flow file. */
export const FLOW_ROW = ["--flow <name>", "the flow to use when the file exports several (export or flow name)"] as const
