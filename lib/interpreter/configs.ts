/**
 * Configs at run start: each config's file read (the path given to `run`, else its default, relative to the
 * working directory), parsed (JSON unless the config has its own `parse`) and decoded with its codec, or the
 * value given to `run` decoded directly. Anything wrong is a ParamError naming the config, the file and the
 * problem, before any run exists in the store.
 */
import { readFile } from "node:fs/promises"
import { resolve } from "node:path"
import { left, right } from "../codec/either.js"
import type { Either } from "fp-ts/lib/Either.js"
import type * as t from "io-ts"
import type { StoredConfigSource } from "../datastore/Manifest.js"
import type { ConfigDef } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { messageOf, ParamError } from "../errors.js"
import { listNames } from "../listing.js"
import { describeValue } from "../types/messages.js"
import { fileProblem, whereInside } from "./params.js"

/** The configs of a run: their decoded values, and where each came from (recorded with the run). */
export interface DecodedConfigs {
  readonly values: Readonly<Record<string, unknown>>
  readonly sources: Readonly<Record<string, StoredConfigSource>>
}

/** One config's value before decoding, and where it came from. */
interface Loaded {
  readonly value: unknown
  readonly source: StoredConfigSource
}

/** Where a config's value came from, in messages: "in '/abs/cfg.json'" or "(given as a value)". */
const origin = (source: StoredConfigSource): string => (source.from === "file" ? `in '${source.path}'` : "(given as a value)")

const isThenable = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof (value as { readonly then?: unknown }).then === "function"

/** A UTF-8 byte order mark, which editors on Windows put first and JSON.parse refuses. */
const BOM = "\uFEFF"

/** Reads and parses a config file; a missing file or text that does not parse is a ParamError. */
const readConfig = async (flow: string, name: string, def: ConfigDef, path: string): Promise<Either<ParamError, Loaded>> => {
  const absolute = resolve(path)
  const where = `artiflow: flow '${flow}': config '${name}'`
  let text: string
  try {
    text = await readFile(absolute, "utf8")
  } catch (error) {
    return left(new ParamError(name, `${where} cannot read '${absolute}' (${fileProblem(error)}): pass a readable file`))
  }
  if (text.startsWith(BOM)) text = text.slice(BOM.length)
  let value: unknown
  try {
    value = def.parse === undefined ? JSON.parse(text) : def.parse(text)
  } catch (error) {
    const problem =
      def.parse === undefined
        ? `'${absolute}' is not valid JSON (${messageOf(error)}): fix the file, or give the config a parse function for its format`
        : `its parse function failed on '${absolute}' (${messageOf(error)}): fix the file or the parse function`
    return left(new ParamError(name, `${where}: ${problem}`))
  }
  if (isThenable(value)) {
    const problem = `its parse function returned a Promise for '${absolute}': parse must return the value itself`
    return left(new ParamError(name, `${where}: ${problem}`))
  }
  return right({ value, source: { from: "file", path: absolute } })
}

/** The value `run` was given for one config (a file to read, or the value), or its default file. */
const loadConfig = async (
  flow: string,
  name: string,
  def: ConfigDef,
  given: Readonly<Record<string, unknown>>
): Promise<Either<ParamError, Loaded>> => {
  const where = `artiflow: flow '${flow}': config '${name}'`
  if (!Object.hasOwn(given, name) || given[name] === undefined) {
    if (def.default !== undefined) return readConfig(flow, name, def, def.default)
    return left(
      new ParamError(
        name,
        `${where} is required (${def.codec.name}): pass configs: { ${name}: { path } } or { value } (CLI: --config ${name} <path>)`
      )
    )
  }
  const source = given[name]
  if (typeof source !== "object" || source === null || Array.isArray(source)) {
    return left(new ParamError(name, `${where} takes { path } or { value }, received ${describeValue(source)}`))
  }
  const hasPath = Object.hasOwn(source, "path")
  const hasValue = Object.hasOwn(source, "value")
  if (hasPath === hasValue) {
    const problem = hasPath ? "both" : "neither"
    return left(new ParamError(name, `${where} takes either { path } or { value }, but was given ${problem}`))
  }
  if (hasValue) return right({ value: (source as { readonly value: unknown }).value, source: { from: "value" } })
  const path = (source as { readonly path: unknown }).path
  if (typeof path !== "string" || path.length === 0) {
    return left(new ParamError(name, `${where} expects a path (a non-empty string), received ${describeValue(path)}`))
  }
  return readConfig(flow, name, def, path)
}

/** Decodes a loaded config with its codec; a value the codec rejects names the field and the type expected. */
const decodeConfig = (flow: string, name: string, def: ConfigDef, loaded: Loaded): Either<ParamError, unknown> => {
  const where = `artiflow: flow '${flow}': config '${name}' ${origin(loaded.source)}`
  let decoded: t.Validation<unknown>
  try {
    decoded = def.codec.decode(loaded.value)
  } catch (error) {
    // A codec that throws is a bug in the codec; say so, naming the config, rather than let a bare error escape.
    const problem = `its codec ${def.codec.name} threw while decoding (${messageOf(error)}): fix the codec`
    return left(new ParamError(name, `${where}: ${problem}`))
  }
  if (decoded._tag === "Right") return right(decoded.right)
  return left(
    new ParamError(
      name,
      `${where} expects ${def.codec.name}, received ${describeValue(loaded.value)}${whereInside(decoded.left)}`
    )
  )
}

/**
 * The configs of a run, or the first problem with them. `given` is `run`'s `configs` option: config name →
 * `{ path }` or `{ value }`; configs it leaves out are read from their default file.
 */
export const decodeConfigs = async (flow: FlowValue, given: unknown): Promise<Either<ParamError, DecodedConfigs>> => {
  if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
    return left(
      new ParamError("configs", `artiflow: flow '${flow.name}': configs must be an object: { <config>: { path } or { value } }`)
    )
  }
  const sources = (given ?? {}) as Readonly<Record<string, unknown>>
  const unknownName = Object.keys(sources).find((name) => !Object.hasOwn(flow.configs, name))
  if (unknownName !== undefined) {
    return left(
      new ParamError(
        unknownName,
        `artiflow: flow '${flow.name}' has no config '${unknownName}' (configs: ${listNames(Object.keys(flow.configs))})`
      )
    )
  }
  const values: Record<string, unknown> = Object.create(null)
  const recorded: Record<string, StoredConfigSource> = Object.create(null)
  for (const [name, def] of Object.entries(flow.configs)) {
    const loaded = await loadConfig(flow.name, name, def, sources)
    if (loaded._tag === "Left") return loaded
    const value = decodeConfig(flow.name, name, def, loaded.right)
    if (value._tag === "Left") return value
    values[name] = value.right
    recorded[name] = loaded.right.source
  }
  return right({ values, sources: recorded })
}
