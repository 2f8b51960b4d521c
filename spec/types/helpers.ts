/**
 * Helpers for the type tests. The library reports a broken rule as the type of the argument the user got
 * wrong (a step's or join's name, foreach's artifact, use's fragment), so a test reads that parameter's type
 * from the combinator itself, instantiated with the type arguments the compiler infers at the failing call:
 * `NameParam<typeof step<StateOf<typeof F>, "fit", { y: number }>>` is the type `"fit"` was checked against.
 */
import type { choose, loop, use } from "../../lib/index.js"
import type { Flow, Stage, StateOf, Subflow } from "../../lib/index.js"
import type { CaseStages } from "../../lib/types/choose.js"
import type { LoopStart } from "../../lib/types/loop.js"
import type { EndOf } from "../../lib/types/split.js"
import type { AnyState } from "../../lib/types/state.js"

/** The type of a combinator's first parameter (the last overload's, for an overloaded combinator). */
export type NameParam<Fn> = Fn extends (name: infer Name, ...rest: never) => unknown ? Name : never

/** The type `use(fragment)`'s argument is checked against, at the end of the flow `Before`. */
export type UseParam<Before, Fragment> =
  Fragment extends Subflow<infer Needs, infer End> ? NameParam<typeof use<StateOf<Before>, Needs, End>> : never

/** An intersection as one object type, to compare with the flat records the library shows. */
export type Flat<T> = { [K in keyof T]: T[K] } & {}

/**
 * Cases for `choose` typed as they would be at the end of `Before`, to instantiate `choose` with them in
 * {@link ChooseParam}: `const cases = casesAfter(Start)({ big: ..., small: ... })`.
 */
export const casesAfter =
  <Before extends Flow>(_before: Before) =>
  <const Cases extends CaseStages<StateOf<Before>>>(cases: Cases): Cases =>
    cases

/** The type choose's selector argument is checked against, at the end of the flow `Before`. */
export type ChooseParam<Before extends Flow, Selector extends string, Cases extends CaseStages<StateOf<Before>>> = NameParam<
  typeof choose<StateOf<Before>, Selector, Cases>
>

/** A loop body typed as it would be in `loop(name, body)` at the end of `Before`, for {@link LoopParam}. */
export const bodyAfter =
  <Before extends Flow, const Name extends string>(_before: Before, _name: Name) =>
  <Body extends AnyState>(body: Stage<LoopStart<StateOf<Before>, Name>, Body>): Stage<LoopStart<StateOf<Before>, Name>, Body> =>
    body

/** The type loop's name argument is checked against, at the end of `Before`, for a body built with {@link bodyAfter}. */
export type LoopParam<Before, Name extends string, BodyStage> = NameParam<
  typeof loop<StateOf<Before>, Name, EndOf<BodyStage>>
>
