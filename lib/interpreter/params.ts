/**
 * Parameters at run start: every given value decoded with its io-ts codec, defaults applied, included files
 * read. Anything wrong is a ParamError naming the parameter, what it expects and what it got, before any run
 * exists in the store.
 */
import { readFile } from "node:fs/promises"
import { resolve } from "node:path"
import { left, right } from "../codec/either.js"
import type { Either } from "fp-ts/lib/Either.js"
import type * as t from "io-ts"
import type { IncludeFileDef, ParamDef } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { messageOf, ParamError } from "../errors.js"
import { describeValue } from "../types/messages.js"

/**
 * Where inside the value the first decoding error is, and what was expected there: " (at tags.1: expected
 * string, received 3)". Empty when the value itself is wrong (the message already says what it expects).
 */
export const whereInside = (errors: t.Errors): string => {
  const first = errors[0]
  if (first === undefined) return ""
  const tags = first.context.map((entry) => (entry.type as { readonly _tag?: string })._tag)
  // Past a union, the first error is only the first member's complaint: naming a place would mislead.
  if (tags.slice(0, -1).includes("UnionType")) return ""
  // The first entry of the context is the codec itself (key ""); the rest is the path into the value, except
  // the keys an intersection adds (the index of the member codec, not a place in the value).
  const path = first.context.filter((_, i) => i > 0 && tags[i - 1] !== "IntersectionType").map((entry) => entry.key)
  const expected = first.context.at(-1)?.type.name
  if (path.length === 0 || expected === undefined) return ""
  return ` (at ${path.join(".")}: expected ${expected}, received ${describeValue(first.value)})`
}

const decodeParam = (flow: string, name: string, def: ParamDef, given: object): Either<ParamError, unknown> => {
  if (!Object.hasOwn(given, name)) {
    if (def.hasDefault) return right(def.default)
    return left(
      new ParamError(name, `artiflow: flow '${flow}': parameter '${name}' is required (${def.codec.name}): pass it in params`)
    )
  }
  const value = (given as Record<string, unknown>)[name]
  let decoded: t.Validation<unknown>
  try {
    decoded = def.codec.decode(value)
  } catch (error) {
    // A codec that throws is a bug in the codec; say so, naming the parameter, rather than let a bare error escape.
    const threw = `its codec ${def.codec.name} threw while decoding ${describeValue(value)} (${messageOf(error)})`
    return left(new ParamError(name, `artiflow: flow '${flow}': parameter '${name}': ${threw}: fix the codec`))
  }
  if (decoded._tag === "Right") return right(decoded.right)
  return left(
    new ParamError(
      name,
      `artiflow: flow '${flow}': parameter '${name}' expects ${def.codec.name}, received ${describeValue(value)}` +
        whereInside(decoded.left)
    )
  )
}

/** Why a file cannot be read, in words, for the codes a wrong path usually gives ("" for ENOENT: the code says it). */
const FILE_PROBLEMS: Readonly<Record<string, string>> = {
  EISDIR: ": it is a directory",
  ENOTDIR: ": a part of the path is a file, not a directory",
  EACCES: ": permission denied",
  EPERM: ": operation not permitted",
  ELOOP: ": too many symbolic links (a loop?)",
  ENAMETOOLONG: ": the path is too long"
}

/** "ENOENT", "EISDIR: it is a directory": why reading a file failed, for messages. */
export const fileProblem = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code ?? "unknown error"
  return `${code}${Object.hasOwn(FILE_PROBLEMS, code) ? FILE_PROBLEMS[code] : ""}`
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
    return left(
      new ParamError(
        name,
        `artiflow: flow '${flow}': file parameter '${name}' cannot read '${absolute}' (${fileProblem(error)}): pass a readable file`
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
