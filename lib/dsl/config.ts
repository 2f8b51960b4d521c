import type * as t from "io-ts"
import { isCodec } from "./codec.js"
import { FlowDefinitionError } from "../errors.js"
import { describeValue } from "../types/messages.js"
import type { Config } from "../types/params.js"

/** Options of `config`. */
export interface ConfigOptions {
  /**
   * The file read when the run names none, relative to the working directory of the process that starts the
   * run (not to the flow's file). A config without a default is required.
   */
  readonly default?: string
  /**
   * Turns the file's text into the value the codec decodes (default: `JSON.parse`). Bring your own parser for
   * other formats, e.g. `parse: (text) => YAML.parse(text)`. What it throws is reported naming the config.
   */
  readonly parse?: (text: string) => unknown
  /** Shown by the CLI's `run --help`. */
  readonly help?: string
}

/**
 * A config (Metaflow's `Config`): a file read when the run starts, parsed (JSON unless `parse` says
 * otherwise) and decoded with an io-ts codec. Its value is an artifact from the first step on, typed by the
 * codec and read-only, like a parameter's. `run(flow, { configs: { name: { path } } })` (or `{ value }`)
 * and the CLI's `--config <name> <path>` (or `--config-value <name> '<json>'`) override the default. A
 * missing file, text that does not parse or a value that does not decode is a `ParamError` naming the
 * config and the file, before any run exists.
 *
 * @example
 * import * as t from "io-ts"
 * import { pipe } from "fp-ts/lib/function.js"
 * import { config, flow, memoryStore, run, step } from "artiflow"
 *
 * const Model = t.type({ layers: t.number, activation: t.string })
 * const Train = pipe(
 *   flow("Train", { configs: { model: config(Model, { default: "model.json", help: "network shape" }) } }),
 *   step("start", (a) => ({ width: a.model.layers * 64 }))
 * )
 * const result = await run(Train, { configs: { model: { value: { layers: 2, activation: "relu" } } }, store: memoryStore() })
 * result.artifacts.width // 128
 */
export function config<Codec extends t.Mixed>(codec: Codec): Config<Codec, true>
export function config<Codec extends t.Mixed>(
  codec: Codec,
  options: ConfigOptions & { readonly default: string }
): Config<Codec, false>
export function config<Codec extends t.Mixed>(
  codec: Codec,
  options: ConfigOptions & { readonly default?: undefined }
): Config<Codec, true>
export function config<Codec extends t.Mixed>(codec: Codec, options: ConfigOptions): Config<Codec, boolean>
export function config(codec: t.Mixed, options: ConfigOptions = {}): Config {
  if (!isCodec(codec)) {
    throw new FlowDefinitionError(
      "artiflow: config needs an io-ts codec as its first argument, e.g. config(t.type({ depth: t.number }))"
    )
  }
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError("artiflow: config options must be an object: config(codec, { default?, parse?, help? })")
  }
  const { default: path, parse, help } = options
  if (path !== undefined && (typeof path !== "string" || path.length === 0)) {
    throw new FlowDefinitionError(`artiflow: config default must be a path (a non-empty string), not ${describeValue(path)}`)
  }
  if (parse !== undefined && typeof parse !== "function") {
    throw new FlowDefinitionError(
      `artiflow: config parse must be a function from the file's text to a value, not ${describeValue(parse)}`
    )
  }
  if (help !== undefined && typeof help !== "string") {
    throw new FlowDefinitionError(`artiflow: config help must be a string, not ${describeValue(help)}`)
  }
  return Object.freeze({ _tag: "Config", codec, default: path, parse, help })
}
