/**
 * Recognizing an io-ts codec without loading io-ts. `instanceof t.Type` would import io-ts (and the fp-ts
 * modules it needs, about 40 ms of a fresh process) into every program that builds a flow, and would refuse a
 * codec made by another copy of io-ts than artiflow's (a project that installed its own). What artiflow calls
 * on a codec is `is`, `decode` and `name`: that is what is checked.
 */
import type * as t from "io-ts"

/** Whether `value` has the shape of an io-ts codec (`name`, `is`, `validate`, `decode`, `encode`). */
export const isCodec = (value: unknown): value is t.Mixed => {
  if (typeof value !== "object" || value === null) return false
  const codec = value as Partial<Record<"name" | "is" | "validate" | "decode" | "encode", unknown>>
  return (
    typeof codec.name === "string" &&
    typeof codec.is === "function" &&
    typeof codec.validate === "function" &&
    typeof codec.decode === "function" &&
    typeof codec.encode === "function"
  )
}
