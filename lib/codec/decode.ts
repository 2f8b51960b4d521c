/**
 * `decode`: bytes back to a value. Decoding never evaluates code: JSON text is parsed with `JSON.parse`, and
 * seroval trees are rebuilt by `fromJSON` (never `deserialize`, which is `eval`), whose object writes never
 * let a stored `__proto__` or `constructor` key change a prototype. Bytes are treated as hostile.
 */
import { left, right } from "./either.js"
import type { Either } from "fp-ts/lib/Either.js"
import { fromJSON } from "seroval"
import type { SerovalJSON } from "seroval"
import { binaryFromBytes } from "./binary.js"
import { decodeFailure, SEROVAL_DEPTH_LIMIT } from "./Encoded.js"
import type { DecodeFailure } from "./Encoded.js"
import { decodeRaw, messageOf, parseJson } from "./decodePlain.js"
import { sha256Hex } from "./hash.js"
import { foreignNodeType } from "./serovalNodes.js"
import { decodePlugins } from "./plugins.js"
import type { AttachmentRef } from "./plugins.js"

/** What the caller already knows about the attachments. */
export interface DecodeOptions {
  /**
   * The verified sha256 of each attachment, by position (the artifact layer reads attachments by hash, and
   * the store verifies them). When absent, `decode` hashes the attachments it uses itself.
   */
  readonly attachmentHashes?: ReadonlyArray<string>
}

const isSerovalJson = (tree: unknown): tree is SerovalJSON =>
  typeof tree === "object" &&
  tree !== null &&
  Object.hasOwn(tree, "t") &&
  Array.isArray((tree as { readonly m?: unknown }).m) &&
  typeof (tree as { readonly t?: unknown }).t === "object"

/** Rebuilds the binary value an attachment placeholder names, after checking it against the attachment. */
const attachmentResolver =
  (attachments: ReadonlyArray<Uint8Array>, options: DecodeOptions) =>
  (ref: AttachmentRef): unknown => {
    const bytes = Number.isInteger(ref.index) ? attachments[ref.index] : undefined
    if (bytes === undefined) throw new RangeError(`attachment ${ref.index} is missing (${attachments.length} given)`)
    if (bytes.byteLength !== ref.size)
      throw new RangeError(`attachment ${ref.index} has ${bytes.byteLength} bytes, expected ${ref.size}`)
    const hash = options.attachmentHashes?.[ref.index] ?? sha256Hex(bytes)
    if (hash !== ref.hash) throw new RangeError(`attachment ${ref.index} has hash ${hash}, expected ${ref.hash}`)
    const value = binaryFromBytes(ref.type, bytes)
    if (value._tag === "Left") throw new TypeError(value.left)
    return value.right
  }

const decodeSeroval = (
  bytes: Uint8Array,
  attachments: ReadonlyArray<Uint8Array>,
  options: DecodeOptions
): Either<DecodeFailure, unknown> => {
  const tree = parseJson("seroval", bytes)
  if (tree._tag === "Left") return tree
  if (!isSerovalJson(tree.right)) return left(decodeFailure("seroval", "not a seroval tree"))
  const foreign = foreignNodeType(tree.right.t)
  if (foreign !== undefined) {
    return left(decodeFailure("seroval", `it holds a seroval node of type ${foreign}, which artiflow never writes`))
  }
  try {
    const plugins = [...decodePlugins(attachmentResolver(attachments, options))]
    return right(fromJSON(tree.right, { plugins, depthLimit: SEROVAL_DEPTH_LIMIT }) as unknown)
  } catch (error) {
    return left(decodeFailure("seroval", messageOf(error)))
  }
}

/**
 * Decodes bytes written by `encode`, given the entry's encoding and type and the attachments' bytes in the
 * entry's order. Fails (as a value) on anything it did not write; never evaluates stored text.
 *
 * @example
 * decode("json", "object", new TextEncoder().encode('{"a":1}'), []) // right({ a: 1 })
 */
export const decode = (
  encoding: string,
  type: string,
  bytes: Uint8Array,
  attachments: ReadonlyArray<Uint8Array>,
  options: DecodeOptions = {}
): Either<DecodeFailure, unknown> => {
  switch (encoding) {
    case "json":
      return parseJson("json", bytes)
    case "seroval":
      return decodeSeroval(bytes, attachments, options)
    case "raw":
      return decodeRaw(type, bytes)
    default:
      return left(decodeFailure(encoding, `unknown encoding '${encoding}'`))
  }
}
