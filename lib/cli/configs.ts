/**
 * Configs on the command line: `--config <name> <path>` (a file, read like the config's default) and
 * `--config-value <name> '<json>'` (the value itself, as JSON), turned into `run`'s `configs` option; and the
 * config list `run <file> --help` prints.
 */
import type { ConfigDef } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { messageOf, ParamError } from "../errors.js"
import { listNames } from "../listing.js"
import type { ConfigSource } from "../types/params.js"
import type { ParsedArgs } from "./args.js"
import { UsageError } from "./errors.js"

/** The pair options that give configs (option names without --). */
export const CONFIG_OPTIONS = ["config", "config-value"] as const

export const CONFIG_USAGE = "[--config <name> <path>]... [--config-value <name> <json>]..."

export const CONFIG_ROWS: ReadonlyArray<readonly [string, string]> = [
  ["--config <name> <path>", "read config <name> from this file (relative to the current directory)"],
  ["--config-value <name> <json>", "give config <name> as JSON text instead of a file"]
]

const parseValue = (flow: string, name: string, text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new ParamError(
      name,
      `artiflow: flow '${flow}': config '${name}': --config-value is not valid JSON (${messageOf(error)}): pass JSON, e.g. --config-value ${name} '{"key": 1}'`
    )
  }
}

/**
 * The configs given on the command line, by config name: each must name a config of the flow (a usage error
 * lists them otherwise), once.
 *
 * @example
 * configsFromArgs(Train, parseArgs(["--config", "model", "m.json"], { pairs: CONFIG_OPTIONS }))
 * // { model: { path: "m.json" } }
 */
export const configsFromArgs = (flow: FlowValue, args: ParsedArgs): Readonly<Record<string, ConfigSource>> => {
  const configs: Record<string, ConfigSource> = Object.create(null)
  for (const option of CONFIG_OPTIONS) {
    for (const [name, text] of args.pairs.get(option) ?? []) {
      if (!Object.hasOwn(flow.configs, name)) {
        // `config` is a fine parameter name, but on run's command line --config names a config.
        const shadowed = Object.hasOwn(flow.params, option)
          ? ` (parameter '${option}' cannot be given on the command line, --${option} gives configs: rename the parameter)`
          : ""
        throw new UsageError(
          `artiflow: flow '${flow.name}' has no config '${name}' (configs: ${listNames(Object.keys(flow.configs))})${shadowed}`,
          "run"
        )
      }
      if (Object.hasOwn(configs, name)) {
        throw new UsageError(`artiflow: config '${name}' is given twice: give it once, with --config or --config-value`, "run")
      }
      configs[name] = option === "config" ? { path: text } : { value: parseValue(flow.name, name, text) }
    }
  }
  return configs
}

/** What a config's help line says: its help text, its type, and its default file or "required". */
const describeConfig = (spec: ConfigDef): string => {
  const parts: Array<string> = []
  if (spec.help !== undefined) parts.push(spec.help)
  parts.push(`${spec.parse === undefined ? "JSON" : "parsed"}, decoded as ${spec.codec.name}`)
  parts.push(spec.default === undefined ? "required" : `default: ${spec.default}`)
  return parts.join("; ")
}

/** One `[--config <name> <path>, description]` row per config, for `run <file> --help`. */
export const configHelpRows = (flow: FlowValue): ReadonlyArray<readonly [string, string]> =>
  Object.entries(flow.configs).map(([name, spec]) => [`--config ${name} <path>`, describeConfig(spec)] as const)
