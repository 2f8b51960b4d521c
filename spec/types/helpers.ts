/**
 * Helpers for the type tests. The library reports a broken rule as the type of the argument the user got
 * wrong (a step's or join's name, foreach's artifact, use's fragment), so a test reads that parameter's type
 * from the combinator itself, instantiated with the type arguments the compiler infers at the failing call:
 * `NameParam<typeof step<StateOf<typeof F>, "fit", { y: number }>>` is the type `"fit"` was checked against.
 */
import type { use } from "../../lib/index.js"
import type { StateOf, Subflow } from "../../lib/index.js"

/** The type of a combinator's first parameter (the last overload's, for an overloaded combinator). */
export type NameParam<Fn> = Fn extends (name: infer Name, ...rest: never) => unknown ? Name : never

/** The type `use(fragment)`'s argument is checked against, at the end of the flow `Before`. */
export type UseParam<Before, Fragment> =
  Fragment extends Subflow<infer Needs, infer End> ? NameParam<typeof use<StateOf<Before>, Needs, End>> : never

/** An intersection as one object type, to compare with the flat records the library shows. */
export type Flat<T> = { [K in keyof T]: T[K] } & {}
