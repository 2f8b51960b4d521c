/**
 * Which values can be artifacts (DESIGN.md §3.8), as a type: `NotStorableIn<T>` names the first kind of
 * non-storable value found in `T` (a union when there are several), or `never` when `T` is storable.
 * The codec applies the same rule at run time with the same words.
 */
import type { NotStorable, NotStorableWhat } from "./messages.js"
import type { IsAny, WrittenKeys } from "./util.js"

type Primitive = string | number | boolean | bigint | null | undefined | void

/** Built-in objects the codec stores as they are (their methods come from the platform, not from the value). */
type StoredAsIs = Date | RegExp | URL | Error | ArrayBuffer | SharedArrayBuffer | ArrayBufferView

/** Nesting depth after which values are not inspected further (recursive types; the runtime still checks). */
type MaxDepth = 6

/** Anything callable or constructible (class constructors included). */
type AnyFunction = Function

export type NotStorableIn<T, Depth extends ReadonlyArray<0> = []> =
  IsAny<T> extends true
    ? never
    : T extends Primitive
      ? never
      : T extends AnyFunction
        ? "a function"
        : T extends symbol
          ? "a symbol"
          : T extends PromiseLike<unknown>
            ? "a Promise"
            : T extends StoredAsIs
              ? never
              : Depth["length"] extends MaxDepth
                ? never
                : NotStorableInContainer<T, [...Depth, 0]>

type NotStorableInContainer<T, Depth extends ReadonlyArray<0>> =
  T extends ReadonlyMap<infer Key, infer Value>
    ? NotStorableIn<Key, Depth> | NotStorableIn<Value, Depth>
    : T extends ReadonlySet<infer Value>
      ? NotStorableIn<Value, Depth>
      : T extends WeakMap<object, unknown> | WeakSet<object>
        ? "a WeakMap or WeakSet"
        : T extends ReadonlyArray<infer Element>
          ? NotStorableIn<Element, Depth>
          : { [K in keyof T]-?: T[K] extends AnyFunction ? "an object with methods" : NotStorableIn<T[K], Depth> }[keyof T]

/** One message per written artifact that cannot be stored (ephemeral `_` keys are never stored). */
export type NotStorableOutputs<Step extends string, Output> = {
  // An `any` value (often the result of another error) cannot be judged here; the runtime checks it.
  [K in WrittenKeys<Output>]: IsAny<Output[K]> extends true
    ? never
    : NotStorable<Step, K, NotStorableIn<Output[K]> & NotStorableWhat>
}[WrittenKeys<Output>]
