/**
 * Binary values: typed arrays, DataView, ArrayBuffer and Node's Buffer. Large ones are stored as their raw
 * bytes (platform byte order, little-endian on every platform Node supports) and rebuilt as the same class,
 * sharing memory with the bytes they come from whenever alignment allows.
 */
import { left, right } from "./either.js"
import type { Either } from "fp-ts/lib/Either.js"

/** Any value stored as bytes. */
export type BinaryValue = ArrayBuffer | ArrayBufferView

type TypedArrayClass =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor

const TYPED_ARRAY_CLASSES: ReadonlyMap<string, TypedArrayClass> = new Map<string, TypedArrayClass>([
  ["Int8Array", Int8Array],
  ["Uint8Array", Uint8Array],
  ["Uint8ClampedArray", Uint8ClampedArray],
  ["Int16Array", Int16Array],
  ["Uint16Array", Uint16Array],
  ["Int32Array", Int32Array],
  ["Uint32Array", Uint32Array],
  ["Float32Array", Float32Array],
  ["Float64Array", Float64Array],
  ["BigInt64Array", BigInt64Array],
  ["BigUint64Array", BigUint64Array]
])

/** Whether `value` is a typed array, DataView, Buffer or ArrayBuffer (not a SharedArrayBuffer). */
export const isBinary = (value: object): value is BinaryValue =>
  ArrayBuffer.isView(value) || value instanceof ArrayBuffer

/**
 * The class a binary value is stored as: "Buffer", "DataView", "ArrayBuffer" or the typed array's class
 * (a subclass of Float64Array is stored as a Float64Array).
 */
export const binaryTypeName = (value: BinaryValue): string => {
  if (value instanceof ArrayBuffer) return "ArrayBuffer"
  if (Buffer.isBuffer(value)) return "Buffer"
  if (value instanceof DataView) return "DataView"
  // %TypedArray%.prototype[Symbol.toStringTag] reports the built-in class, even for subclasses.
  return Object.prototype.toString.call(value).slice(8, -1)
}

/** The bytes of a binary value as a Uint8Array over the same memory (no copy). */
export const bytesOf = (value: BinaryValue): Uint8Array =>
  value instanceof ArrayBuffer
    ? new Uint8Array(value)
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)

/** A copy of `bytes` in an ArrayBuffer of its own (so offset 0: aligned for every element size). */
const ownBuffer = (bytes: Uint8Array): ArrayBuffer => {
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return copy.buffer
}

/** The bytes' ArrayBuffer when they fill it exactly, else a copy: an ArrayBuffer cannot be a window. */
const wholeArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer
    : ownBuffer(bytes)

const typedArrayFromBytes = (name: string, bytes: Uint8Array): Either<string, BinaryValue> => {
  const Class = TYPED_ARRAY_CLASSES.get(name)
  if (Class === undefined) return left(`unknown binary type '${name}'`)
  const width = Class.BYTES_PER_ELEMENT
  if (bytes.byteLength % width !== 0) {
    return left(`${bytes.byteLength} bytes is not a whole number of ${name} elements (${width} bytes each)`)
  }
  const aligned = bytes.byteOffset % width === 0 && bytes.buffer instanceof ArrayBuffer
  const buffer = aligned ? bytes.buffer : ownBuffer(bytes)
  const offset = aligned ? bytes.byteOffset : 0
  return right(new Class(buffer as ArrayBuffer, offset, bytes.byteLength / width))
}

/**
 * Rebuilds a binary value of class `type` over `bytes`, sharing their memory when the element size's
 * alignment allows (an ArrayBuffer shares only when the bytes fill their buffer exactly).
 */
export const binaryFromBytes = (type: string, bytes: Uint8Array): Either<string, BinaryValue> => {
  switch (type) {
    case "ArrayBuffer":
      return right(wholeArrayBuffer(bytes))
    case "Buffer":
      return right(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    case "DataView":
      return right(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    default:
      return typedArrayFromBytes(type, bytes)
  }
}
