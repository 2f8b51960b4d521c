import type * as t from "io-ts"
import { isCodec } from "./codec.js"
import { FlowDefinitionError } from "../errors.js"
import { describeValue } from "../types/messages.js"
import type { IncludeFile, Param } from "../types/params.js"

/** Options of `param`. */
export interface ParamOptions<Value> {
  /** Used when the run gives no value; a parameter without a default is required. */
  readonly default?: Value
  /** Shown by the CLI's `run --help`. */
  readonly help?: string
}

/**
 * A flow parameter typed by an io-ts codec. Its value is an artifact from the first step on, read-only.
 * Values given to `run` are decoded with the codec (a wrong value is an error naming the parameter, the
 * expected type and the value; no run is created). On the CLI, `t.string` takes the raw string and other
 * codecs parse JSON first (`--n 3`, `--tags '["a"]'`).
 *
 * @example
 * import * as t from "io-ts"
 * import { flow, param } from "artiflow"
 *
 * const Train = flow("Train", {
 *   params: { lr: param(t.number, { default: 0.1, help: "learning rate" }), tag: param(t.string) }
 * })
 */
export function param<Codec extends t.Mixed>(codec: Codec): Param<Codec, true>
export function param<Codec extends t.Mixed>(
  codec: Codec,
  options: ParamOptions<t.TypeOf<Codec>> & { readonly default: t.TypeOf<Codec> }
): Param<Codec, false>
export function param<Codec extends t.Mixed>(
  codec: Codec,
  options: ParamOptions<t.TypeOf<Codec>> & { readonly default?: undefined }
): Param<Codec, true>
export function param<Codec extends t.Mixed>(codec: Codec, options: ParamOptions<t.TypeOf<Codec>>): Param<Codec, boolean>
export function param(codec: t.Mixed, options: ParamOptions<unknown> = {}): Param {
  if (!isCodec(codec)) {
    throw new FlowDefinitionError("artiflow: param needs an io-ts codec as its first argument, e.g. param(t.number)")
  }
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError("artiflow: param options must be an object: param(codec, { default?, help? })")
  }
  const hasDefault = Object.hasOwn(options, "default")
  if (hasDefault && !codec.is(options.default)) {
    throw new FlowDefinitionError(
      `artiflow: param default ${describeValue(options.default)} is not a valid ${codec.name}: fix the default or the codec`
    )
  }
  return Object.freeze({
    _tag: "Param",
    codec,
    hasDefault,
    default: options.default,
    help: options.help
  })
}

/** Options of `includeFile`. */
export interface IncludeFileOptions {
  /** Path used when the run gives none. */
  readonly default?: string
  /** "utf8" (default) gives a string; "binary" a Uint8Array. */
  readonly encoding?: "utf8" | "binary"
  /** Whether a path must be given (default: true unless there is a default). */
  readonly required?: boolean
  readonly help?: string
}

type ContentOf<Options> = Options extends { readonly encoding: "binary" } ? Uint8Array : string
type IsRequired<Options> = Options extends { readonly default: string }
  ? false
  : Options extends { readonly required: false }
    ? false
    : true
type ValueOf<Options> = IsRequired<Options> extends true
  ? ContentOf<Options>
  : Options extends { readonly default: string }
    ? ContentOf<Options>
    : ContentOf<Options> | undefined

/**
 * A parameter whose value is a local file's path; the run reads the file when it starts and stores its
 * content (a string, or a Uint8Array with `encoding: "binary"`) as the artifact. A missing required file is
 * an error naming the path, and no run is created.
 *
 * @example
 * import { flow, includeFile } from "artiflow"
 *
 * const Etl = flow("Etl", { params: { raw: includeFile({ default: "data/orders.csv" }) } })
 */
export function includeFile<const Options extends IncludeFileOptions = {}>(
  options?: Options
): IncludeFile<ValueOf<Options>, IsRequired<Options>>
export function includeFile(options: IncludeFileOptions = {}): IncludeFile {
  if (typeof options !== "object" || options === null) {
    throw new FlowDefinitionError(
      "artiflow: includeFile options must be an object: includeFile({ default?, encoding? })"
    )
  }
  const encoding = options.encoding ?? "utf8"
  if (encoding !== "utf8" && encoding !== "binary") {
    throw new FlowDefinitionError(`artiflow: includeFile encoding must be "utf8" or "binary" (received ${String(encoding)})`)
  }
  if (options.default !== undefined && typeof options.default !== "string") {
    throw new FlowDefinitionError("artiflow: includeFile default must be a path (a string)")
  }
  return Object.freeze({
    _tag: "IncludeFile",
    default: options.default,
    encoding,
    required: options.required ?? options.default === undefined,
    help: options.help
  })
}
