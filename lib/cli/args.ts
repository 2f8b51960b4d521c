/**
 * The command line, parsed once per command: positionals and `--name value` / `--name=value` options. Which
 * names are boolean flags depends on the command (`--json` never takes the next argument); every other
 * `--name` takes the next argument as its value unless that argument starts with `--` itself. An option may
 * be given once, unless the command says it is repeatable (`--tag a --tag b`). Parameter names are only
 * known once the flow file is loaded, so unknown names are kept and checked by the command.
 */
import { UsageError } from "./errors.js"

/** A parsed command line (the command name itself excluded). */
export interface ParsedArgs {
  readonly positionals: ReadonlyArray<string>
  /** Every `--name`, with its value (a repeatable option's last), or `true` when it was given without one. */
  readonly options: ReadonlyMap<string, string | true>
  /** Every value of each repeatable option given, in command-line order. */
  readonly repeated: ReadonlyMap<string, ReadonlyArray<string | true>>
  /** `--help` or `-h` was given. */
  readonly help: boolean
}

const OPTION = /^--([^=]+)(?:=([\s\S]*))?$/

/**
 * Parses `argv` (without the command name). `flags` are the command's boolean options, `repeatable` the
 * options it takes more than once.
 *
 * @example
 * parseArgs(["flow.ts", "--n", "3", "--tag=a", "--tag", "b", "--json"], new Set(["json"]), new Set(["tag"]))
 * // { positionals: ["flow.ts"], options: Map { n => "3", tag => "b", json => true },
 * //   repeated: Map { tag => ["a", "b"] }, help: false }
 */
export const parseArgs = (
  argv: ReadonlyArray<string>,
  flags: ReadonlySet<string>,
  repeatable: ReadonlySet<string> = new Set()
): ParsedArgs => {
  const positionals: Array<string> = []
  const options = new Map<string, string | true>()
  const repeated = new Map<string, Array<string | true>>()
  const given = (name: string, value: string | true): void => {
    if (repeatable.has(name)) {
      repeated.set(name, [...(repeated.get(name) ?? []), value])
    } else if (options.has(name)) {
      throw new UsageError(`artiflow: option --${name} is given twice`)
    }
    options.set(name, value)
  }
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (arg === "-h" || arg === "--help") {
      help = true
      continue
    }
    const match = OPTION.exec(arg)
    if (match === null) {
      positionals.push(arg)
      continue
    }
    const name = match[1] as string
    const inline = match[2]
    if (flags.has(name)) {
      if (inline !== undefined) throw new UsageError(`artiflow: option --${name} takes no value (received '${inline}')`)
      given(name, true)
    } else if (inline !== undefined) {
      given(name, inline)
    } else {
      const next = argv[i + 1]
      if (next !== undefined && !next.startsWith("--")) {
        given(name, next)
        i++
      } else {
        given(name, true)
      }
    }
  }
  return { positionals, options, repeated, help }
}

/** The value of a `--name value` option, or `undefined` when it is absent; a usage error without a value. */
export const stringOption = (args: ParsedArgs, name: string): string | undefined => {
  const value = args.options.get(name)
  if (value === true || value === "") throw new UsageError(`artiflow: option --${name} needs a value: --${name} <value>`)
  return value
}

/** Every value of a repeatable option such as `--tag a --tag b`, in order ([] when absent); each needs a value. */
export const repeatedOption = (args: ParsedArgs, name: string): ReadonlyArray<string> =>
  (args.repeated.get(name) ?? []).map((value) => {
    if (value === true || value === "") throw new UsageError(`artiflow: option --${name} needs a value: --${name} <value>`)
    return value
  })

/** Whether a boolean flag was given. */
export const flagOption = (args: ParsedArgs, name: string): boolean => args.options.get(name) === true

/** A positive integer option such as `--max-workers 8`. */
export const positiveIntOption = (args: ParsedArgs, name: string): number | undefined => {
  const text = stringOption(args, name)
  if (text === undefined) return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`artiflow: option --${name} expects an integer > 0 (received '${text}')`)
  }
  return value
}

/** Rejects options the command does not know, naming the ones it does. */
export const checkOptionNames = (args: ParsedArgs, known: ReadonlyArray<string>, command: string): void => {
  const unknown = [...args.options.keys()].find((name) => !known.includes(name))
  if (unknown === undefined) return
  const list = known.length === 0 ? "none" : known.map((name) => `--${name}`).join(", ")
  throw new UsageError(`artiflow: ${command} has no option --${unknown} (options: ${list})`, command)
}

/** The command's positionals, checked against how many it takes. */
export const positionalArgs = (
  args: ParsedArgs,
  min: number,
  max: number,
  usage: string,
  command: string
): ReadonlyArray<string> => {
  const count = args.positionals.length
  if (count < min) throw new UsageError(`artiflow: ${command} needs ${usage}`, command)
  if (count > max) {
    const given = args.positionals.join(" ")
    throw new UsageError(`artiflow: ${command} takes ${usage}, but got ${count} arguments: ${given}`, command)
  }
  return args.positionals
}
