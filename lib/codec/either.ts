/**
 * fp-ts's `left` and `right`, for the codec and the artifact layer. The values are fp-ts `Either`s (the types
 * come from fp-ts); only the constructors are built here, because importing `fp-ts/lib/Either.js` loads ten
 * CommonJS modules, about 40 ms of a fresh reader's start-up on this machine, and the read path
 * (`artiflow/client`) needs nothing else from it.
 */
import type { Either } from "fp-ts/lib/Either.js"

/** A failure, as fp-ts's `left` builds it. */
export const left = <E, A = never>(failure: E): Either<E, A> => ({ _tag: "Left", left: failure })

/** A success, as fp-ts's `right` builds it. */
export const right = <A, E = never>(value: A): Either<E, A> => ({ _tag: "Right", right: value })
