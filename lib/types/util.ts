/**
 * Small type helpers shared by the type-level machinery. Nothing here exists at run time.
 */

/** Shows an intersection or mapped type as one flat object on hover. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {}

/** `true` when `T` is `never` (checked without distributing). */
export type IsNever<T> = [T] extends [never] ? true : false

/** Exact type equality (the identity check the compiler uses for `T extends U` on deferred types). */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

/** Every key of every member of a union (`keyof` of a union keeps only the common keys). */
export type KeysOfUnion<T> = T extends unknown ? keyof T : never

/** `true` when `T` is `any`. */
export type IsAny<T> = 0 extends 1 & T ? true : false

/** The string keys of an object type. */
export type StringKeys<T> = keyof T & string

/** Keys starting with `_` are ephemeral: visible to no later step and never persisted. */
export type EphemeralKey = `_${string}`

/** The keys a step's output writes to the record (ephemeral keys are not artifacts). */
export type WrittenKeys<Output> = Exclude<keyof Output & string, EphemeralKey>
