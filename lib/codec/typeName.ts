/** The runtime type name recorded with each artifact, as users know it. */
import { binaryTypeName, isBinary } from "./binary.js"

const constructorName = (value: object): string | undefined => {
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === null || proto === Object.prototype) return undefined
  const ctor: unknown = (proto as { readonly constructor?: unknown }).constructor
  return typeof ctor === "function" && ctor.name !== "" ? ctor.name : undefined
}

/**
 * A value's type as users know it: "null", "undefined", a `typeof` for other primitives, "Array",
 * "object" for plain objects, else the class name ("Map", "Date", "Float64Array", "Buffer", "Point").
 *
 * @example
 * typeName(new Map()) // "Map"
 */
export const typeName = (value: unknown): string => {
  if (value === null) return "null"
  if (typeof value !== "object") return typeof value
  if (Array.isArray(value)) return "Array"
  if (isBinary(value)) return binaryTypeName(value)
  return constructorName(value) ?? "object"
}
