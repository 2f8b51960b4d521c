/**
 * seroval plugins for the values seroval does not keep exactly on its own: Node's Buffer (seroval would
 * return a Uint8Array), URL, and the placeholders that stand for attachments (large binary values stored
 * as blobs of their own). Every plugin stores plain fields only; decoding rebuilds values with
 * constructors, never by evaluating text.
 */
import { createPlugin } from "seroval"
import type { Plugin, SerovalNode } from "seroval"

/** Stands in the encoded tree for a large binary value stored as attachment number `index`. */
export class AttachmentRef {
  constructor(
    readonly index: number,
    readonly hash: string,
    readonly size: number,
    readonly type: string
  ) {}
}

/** Rebuilds the binary value an attachment placeholder names; throws (inside seroval) when it cannot. */
export type AttachmentResolver = (ref: AttachmentRef) => unknown

type Fields = Record<string, SerovalNode>
interface Deserializer {
  deserialize<T>(node: SerovalNode): T
}

/** seroval wants a JavaScript writer for every plugin; artiflow never writes JavaScript (that path is eval). */
const neverSerialize = (): string => {
  throw new Error("artiflow values are never serialized to JavaScript")
}

/** Reads a plugin field that must hold a primitive of the given type (stored bytes are hostile). */
const field = <T>(fields: Fields, name: string, ctx: Deserializer, kind: "string" | "number"): T => {
  if (!Object.hasOwn(fields, name)) throw new TypeError(`missing field '${name}'`)
  const value: unknown = ctx.deserialize(fields[name] as SerovalNode)
  if (typeof value !== kind) throw new TypeError(`field '${name}' is not a ${kind}`)
  return value as T
}

const attachmentPlugin = (resolve: AttachmentResolver): Plugin<unknown, Fields> =>
  createPlugin<unknown, Fields>({
    tag: "artiflow/attachment",
    skipPlainObjects: true,
    test: (value) => value instanceof AttachmentRef,
    parse: {
      sync: (value, ctx) => {
        const ref = value as AttachmentRef
        return {
          index: ctx.parse(ref.index),
          hash: ctx.parse(ref.hash),
          size: ctx.parse(ref.size),
          type: ctx.parse(ref.type)
        }
      }
    },
    serialize: neverSerialize,
    deserialize: (fields, ctx) =>
      resolve(
        new AttachmentRef(
          field(fields, "index", ctx, "number"),
          field(fields, "hash", ctx, "string"),
          field(fields, "size", ctx, "number"),
          field(fields, "type", ctx, "string")
        )
      )
  })

const bufferPlugin: Plugin<unknown, Fields> = createPlugin<unknown, Fields>({
  tag: "artiflow/Buffer",
  skipPlainObjects: true,
  test: (value) => Buffer.isBuffer(value),
  parse: { sync: (value, ctx) => ({ base64: ctx.parse((value as Buffer).toString("base64")) }) },
  serialize: neverSerialize,
  deserialize: (fields, ctx) => Buffer.from(field<string>(fields, "base64", ctx, "string"), "base64")
})

const urlPlugin: Plugin<unknown, Fields> = createPlugin<unknown, Fields>({
  tag: "artiflow/URL",
  skipPlainObjects: true,
  test: (value) => value instanceof URL,
  parse: { sync: (value, ctx) => ({ href: ctx.parse((value as URL).href) }) },
  serialize: neverSerialize,
  deserialize: (fields, ctx) => new URL(field<string>(fields, "href", ctx, "string"))
})

const refuseAttachments: AttachmentResolver = () => {
  throw new TypeError("attachment placeholder outside a decode")
}

/** The plugins `encode` passes to seroval's `toJSON`. */
export const encodePlugins: ReadonlyArray<Plugin<unknown, Fields>> = [
  attachmentPlugin(refuseAttachments),
  bufferPlugin,
  urlPlugin
]

/** The plugins `decode` passes to seroval's `fromJSON`, resolving placeholders against this value's attachments. */
export const decodePlugins = (resolve: AttachmentResolver): ReadonlyArray<Plugin<unknown, Fields>> => [
  attachmentPlugin(resolve),
  bufferPlugin,
  urlPlugin
]
