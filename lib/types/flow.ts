/**
 * The public `Flow` interface: the runtime description (lib/dsl/ast.ts) plus the type-level state the
 * compiler threads through the combinators. The state is a phantom: it never exists at run time.
 */
import type { FlowDefinition } from "../dsl/ast.js"
import type { Pipeable } from "./pipeable.js"
import type { AnyState, RecordView } from "./state.js"

declare const flowState: unique symbol

/**
 * An immutable flow description whose type knows every artifact, parameter and step name so far.
 * Build one with `flow(...)` and the combinators; run it with `run`.
 */
export interface Flow<State extends AnyState = AnyState> extends FlowDefinition, Pipeable<State> {
  /** Type-level state only; always `undefined` at run time. */
  readonly [flowState]?: State
}

/** A combinator applied to a flow: `step(...)`, `split(...)`, `foreach(...)`, `join(...)`, `seq(...)`, `use(...)`. */
export type Stage<In extends AnyState, Out extends AnyState> = (flow: Flow<In>) => Flow<Out>

/** The state a flow type carries. */
export type StateOf<F> = F extends Flow<infer State> ? State : never

/** The final record of a flow: the type of `run(...)`'s `artifacts`. */
export type ArtifactsOf<F> = RecordView<StateOf<F>["entries"]>
