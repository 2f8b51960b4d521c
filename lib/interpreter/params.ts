/**
 * Parameters at run start: every given value decoded with its io-ts codec, defaults applied, included files
 * read. Anything wrong is a ParamError naming the parameter, what it expects and what it got, before any run
 * exists in the store.
 */
import { readFile } from "node:fs/promises"
import { resolve } from "node:path"
import { left, right } from "fp-ts/lib/Either.js"
import type { Either } from "fp-ts/lib/Either.js"
import type { IncludeFileDef, ParamDef } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { ParamError } from "../errors.js"
import { describeValue } from "../types/messages.js"

const decodeParam = (flow: string, name: string, def: ParamDef, given: object): Either<ParamError, unknown> => {
  if (!Object.hasOwn(given, name)) {
    if (def.hasDefault) return right(def.default)
    return left(
      new ParamError(name, `artiflow: flow '${flow}': parameter '${name}' is required (${def.codec.name}): pass it in params`)
    )
  }
  const value = (given as Record<string, unknown>)[name]
  const decoded = def.codec.decode(value)
  if (decoded._tag === "Right") return right(decoded.right)
  return left(
    new ParamError(
      name,
      `artiflow: flow '${flow}': parameter '${name}' expects ${def.codec.name}, received ${describeValue(value)}`
    )
  )
}

const readIncluded = async (
  flow: string,
  name: string,
  def: IncludeFileDef,
  given: object
): Promise<Either<ParamError, unknown>> => {
  const path = Object.hasOwn(given, name) ? (given as Record<string, unknown>)[name] : def.default
  if (path === undefined) {
    if (!def.required) return right(undefined)
    return left(new ParamError(name, `artiflow: flow '${flow}': file parameter '${name}' is required: pass a path`))
  }
  if (typeof path !== "string" || path.length === 0) {
    return left(
      new ParamError(name, `artiflow: flow '${flow}': file parameter '${name}' expects a path, received ${describeValue(path)}`)
    )
  }
  const absolute = resolve(path)
  try {
    const bytes = await readFile(absolute)
    return right(def.encoding === "binary" ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString("utf8"))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error"
    return left(
      new ParamError(
        name,
        `artiflow: flow '${flow}': file parameter '${name}' cannot read '${absolute}' (${code}): pass a readable file`
      )
    )
  }
}

/** The parameter values of a run, or the first problem with them. */
export const decodeParams = async (
  flow: FlowValue,
  given: unknown
): Promise<Either<ParamError, Readonly<Record<string, unknown>>>> => {
  if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
    return left(new ParamError("params", `artiflow: flow '${flow.name}': params must be an object of parameter values`))
  }
  const values = given ?? {}
  const unknownName = Object.keys(values).find((name) => !Object.hasOwn(flow.params, name))
  if (unknownName !== undefined) {
    const known = Object.keys(flow.params).join(", ") || "none"
    return left(
      new ParamError(unknownName, `artiflow: flow '${flow.name}' has no parameter '${unknownName}' (parameters: ${known})`)
    )
  }
  const decoded: Record<string, unknown> = {}
  for (const [name, def] of Object.entries(flow.params)) {
    const value =
      def._tag === "Param" ? decodeParam(flow.name, name, def, values) : await readIncluded(flow.name, name, def, values)
    if (value._tag === "Left") return value
    decoded[name] = value.right
  }
  return right(decoded)
}
