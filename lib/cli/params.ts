/**
 * Parameters on the command line: `--name value` strings turned into the values `run` decodes, and the
 * parameter list `run <file> --help` prints. A `t.string` parameter takes the raw string; any other codec
 * gets the JSON-parsed string (`--n 3`, `--tags '["a"]'`), or the raw string when that is what decodes (so a
 * union of string literals takes `--mode fast`). An included file takes a path.
 */
import type { ParamSpec } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { UsageError } from "./errors.js"

type CodecParam = Extract<ParamSpec, { readonly _tag: "Param" }>

const isStringCodec = (spec: CodecParam): boolean => (spec.codec as { readonly _tag?: unknown })._tag === "StringType"

const decodes = (spec: CodecParam, value: unknown): boolean => spec.codec.decode(value)._tag === "Right"

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

/** The value to hand to `run` for `--name text`; when nothing decodes, `run` reports the ParamError. */
const paramValue = (spec: CodecParam, text: string): unknown => {
  if (isStringCodec(spec)) return text
  const parsed = parseJson(text)
  if (parsed.ok && decodes(spec, parsed.value)) return parsed.value
  if (decodes(spec, text)) return text
  return parsed.ok ? parsed.value : text
}

/** `--a <number>, --b <string>`: the parameters as the CLI takes them. */
export const paramList = (flow: FlowValue): string => {
  const names = Object.keys(flow.params)
  return names.length === 0 ? "none" : names.map((name) => `--${name} <${typeOf(flow.params[name] as ParamSpec)}>`).join(", ")
}

/**
 * The parameter values given on the command line: every option not in `own` must name a parameter of the
 * flow (a usage error lists them otherwise).
 *
 * @example
 * paramsFromOptions(Train, new Map([["lr", "0.5"], ["tag", "x"], ["store", "/tmp/s"]]), ["store"])
 * // { lr: 0.5, tag: "x" }
 */
export const paramsFromOptions = (
  flow: FlowValue,
  options: ReadonlyMap<string, string | true>,
  own: ReadonlyArray<string>
): Readonly<Record<string, unknown>> => {
  const values: Record<string, unknown> = Object.create(null)
  for (const [name, text] of options) {
    if (own.includes(name)) continue
    if (!Object.hasOwn(flow.params, name)) {
      const commandOptions = own.map((option) => `--${option}`).join(", ")
      throw new UsageError(
        `artiflow: flow '${flow.name}' has no parameter --${name} (parameters: ${paramList(flow)}; options: ${commandOptions})`,
        "run"
      )
    }
    const spec = flow.params[name] as ParamSpec
    if (text === true) {
      if (spec._tag === "Param" && decodes(spec, true)) values[name] = true
      else throw new UsageError(`artiflow: parameter --${name} needs a value: --${name} <${typeOf(spec)}>`, "run")
      continue
    }
    values[name] = spec._tag === "IncludeFile" ? text : paramValue(spec, text)
  }
  return values
}

/** The type a parameter shows in help: the codec's name, or "path" for an included file. */
export const typeOf = (spec: ParamSpec): string => (spec._tag === "Param" ? spec.codec.name : "path")

const MAX_DEFAULT = 60

const defaultText = (spec: ParamSpec): string | undefined => {
  if (spec._tag === "IncludeFile") return spec.default
  if (!spec.hasDefault) return undefined
  let text: string
  try {
    text = JSON.stringify(spec.default) ?? String(spec.default)
  } catch {
    text = String(spec.default)
  }
  return text.length > MAX_DEFAULT ? `${text.slice(0, MAX_DEFAULT - 1)}…` : text
}

/** What a parameter's help line says after its name: the help text, file encoding, default or "required". */
const describeParam = (spec: ParamSpec): string => {
  const parts: Array<string> = []
  if (spec.help !== undefined) parts.push(spec.help)
  if (spec._tag === "IncludeFile") parts.push(`read as ${spec.encoding === "binary" ? "bytes" : "UTF-8 text"}`)
  const fallback = defaultText(spec)
  const required = spec._tag === "Param" ? !spec.hasDefault : spec.required
  if (fallback !== undefined) parts.push(`default: ${fallback}`)
  else parts.push(required ? "required" : "optional")
  return parts.join("; ")
}

/** One `[--name <type>, description]` row per parameter, for `run <file> --help`. */
export const paramHelpRows = (flow: FlowValue): ReadonlyArray<readonly [string, string]> =>
  Object.entries(flow.params).map(([name, spec]) => [`--${name} <${typeOf(spec)}>`, describeParam(spec)] as const)
