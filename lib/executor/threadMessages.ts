/** The messages between a thread pool and its worker threads (threadPool.ts, threadMain.ts). */
import type { WireAttempt, WireOutcome } from "./wire.js"

/** To a thread: run an attempt, or stop one (its `ctx.signal` aborts). */
export type ToThread =
  | { readonly type: "attempt"; readonly id: number; readonly request: WireAttempt; readonly store: number }
  | { readonly type: "cancel"; readonly id: number; readonly reason: string }

/** From a thread: it is ready; an attempt's outcome; or why it will not run an attempt (the run fails with it). */
export type FromThread =
  | { readonly type: "ready" }
  | { readonly type: "outcome"; readonly id: number; readonly outcome: WireOutcome }
  | { readonly type: "refused"; readonly id: number; readonly message: string }
