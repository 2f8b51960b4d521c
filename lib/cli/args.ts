/**
 * The command line, parsed once per command: positionals and `--name value` / `--name=value` options. Which
 * names are boolean flags depends on the command (`--json` never takes the next argument); every other
 * `--name` takes the next argument as its value unless that argument starts with `--` itself. An option may
 * be given once, unless the command says it is repeatable (`--tag a --tag b`). Parameter names are only
 * known once the flow file is loaded, so unknown names are kept and checked by the command. A command's pair
 * options (`--config <name> <path>`) take the next two arguments and may be repeated.
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
  /** Every `--name <key> <value>` of the command's pair options, in the order given, by option name. */
  readonly pairs: ReadonlyMap<string, ReadonlyArray<readonly [key: string, value: string]>>
}

const OPTION = /^--([^=]+)(?:=([\s\S]*))?$/

/** The two arguments after a pair option, which must both be there and not be options themselves. */
const pairAt = (argv: ReadonlyArray<string>, i: number, name: string): readonly [string, string] => {
  const key = argv[i + 1]
  const value = argv[i + 2]
  if (key === undefined || value === undefined || key.startsWith("--") || value.startsWith("--")) {
    throw new UsageError(`artiflow: option --${name} takes two values: --${name} <name> <value>`)
  }
  return [key, value]
}

/**
/** How a command's options are shaped; an option in none of these takes one value and may be given once. */
export interface OptionShapes {
  /** Boolean options: they take no value. */
  readonly flags?: ReadonlyArray<string>
  /** Options that may be given more than once (`--tag a --tag b`). */
  readonly repeatable?: ReadonlyArray<string>
  /** Options that take two values and may be repeated (`--config <name> <path>`). */
  readonly pairs?: ReadonlyArray<string>
}

/**
 * Parses `argv` (without the command name) given the shapes of the command's options.
 *
 * @example
 * parseArgs(["flow.ts", "--tag=a", "--tag", "b", "--json", "--config", "model", "m.json"], { flags: ["json"], repeatable: ["tag"], pairs: ["config"] })
 * // { positionals: ["flow.ts"], options: Map { tag => "b", json => true }, repeated: Map { tag => ["a", "b"] },
 * //   help: false, pairs: Map { config => [["model", "m.json"]] } }
 */
export const parseArgs = (argv: ReadonlyArray<string>, shapes: OptionShapes = {}): ParsedArgs => {
  const flags = new Set(shapes.flags)
  const repeatable = new Set(shapes.repeatable)
  const pairOptions = new Set(shapes.pairs)
  const positionals: Array<string> = []
  const options = new Map<string, string | true>()
  const repeated = new Map<string, Array<string | true>>()
  const pairs = new Map<string, Array<readonly [string, string]>>()
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
    if (pairOptions.has(name)) {
      if (inline !== undefined) throw new UsageError(`artiflow: option --${name} takes two values: --${name} <name> <value>`)
      pairs.set(name, [...(pairs.get(name) ?? []), pairAt(argv, i, name)])
      i += 2
      continue
    }
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
  return { positionals, options, repeated, help, pairs }
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
