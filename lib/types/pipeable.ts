/**
 * `Flow#pipe`: method-style chaining, one overload per arity (fp-ts `pipe` stops at 20 arguments too).
 * The stage types are plain functions between flow types, as in fp-ts `pipe`: the compiler then types each
 * stage from the one before it exactly as it does inside `pipe(...)`.
 */
import type { Flow } from "./flow.js"
import type { AnyState } from "./state.js"

export interface Pipeable<State extends AnyState> {
  /**
   * Chains stages onto this flow (up to 19 per call; call `pipe` again on the result for more).
   * @example
   * const f = flow("F").pipe(step("start", () => ({ n: 1 })), step("end", (a) => ({ m: a.n + 1 })))
   */
  pipe<F1>(s1: (flow: Flow<State>) => F1): F1
  pipe<F1, F2>(s1: (flow: Flow<State>) => F1, s2: (flow: F1) => F2): F2
  pipe<F1, F2, F3>(s1: (flow: Flow<State>) => F1, s2: (flow: F1) => F2, s3: (flow: F2) => F3): F3
  pipe<F1, F2, F3, F4>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4
  ): F4
  pipe<F1, F2, F3, F4, F5>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5
  ): F5
  pipe<F1, F2, F3, F4, F5, F6>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6
  ): F6
  pipe<F1, F2, F3, F4, F5, F6, F7>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7
  ): F7
  pipe<F1, F2, F3, F4, F5, F6, F7, F8>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8
  ): F8
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9
  ): F9
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10
  ): F10
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10,
    s11: (flow: F10) => F11
  ): F11
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10,
    s11: (flow: F10) => F11,
    s12: (flow: F11) => F12
  ): F12
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10,
    s11: (flow: F10) => F11,
    s12: (flow: F11) => F12,
    s13: (flow: F12) => F13
  ): F13
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10,
    s11: (flow: F10) => F11,
    s12: (flow: F11) => F12,
    s13: (flow: F12) => F13,
    s14: (flow: F13) => F14
  ): F14
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10,
    s11: (flow: F10) => F11,
    s12: (flow: F11) => F12,
    s13: (flow: F12) => F13,
    s14: (flow: F13) => F14,
    s15: (flow: F14) => F15
  ): F15
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15, F16>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10,
    s11: (flow: F10) => F11,
    s12: (flow: F11) => F12,
    s13: (flow: F12) => F13,
    s14: (flow: F13) => F14,
    s15: (flow: F14) => F15,
    s16: (flow: F15) => F16
  ): F16
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15, F16, F17>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10,
    s11: (flow: F10) => F11,
    s12: (flow: F11) => F12,
    s13: (flow: F12) => F13,
    s14: (flow: F13) => F14,
    s15: (flow: F14) => F15,
    s16: (flow: F15) => F16,
    s17: (flow: F16) => F17
  ): F17
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15, F16, F17, F18>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10,
    s11: (flow: F10) => F11,
    s12: (flow: F11) => F12,
    s13: (flow: F12) => F13,
    s14: (flow: F13) => F14,
    s15: (flow: F14) => F15,
    s16: (flow: F15) => F16,
    s17: (flow: F16) => F17,
    s18: (flow: F17) => F18
  ): F18
  pipe<F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15, F16, F17, F18, F19>(
    s1: (flow: Flow<State>) => F1,
    s2: (flow: F1) => F2,
    s3: (flow: F2) => F3,
    s4: (flow: F3) => F4,
    s5: (flow: F4) => F5,
    s6: (flow: F5) => F6,
    s7: (flow: F6) => F7,
    s8: (flow: F7) => F8,
    s9: (flow: F8) => F9,
    s10: (flow: F9) => F10,
    s11: (flow: F10) => F11,
    s12: (flow: F11) => F12,
    s13: (flow: F12) => F13,
    s14: (flow: F13) => F14,
    s15: (flow: F14) => F15,
    s16: (flow: F15) => F16,
    s17: (flow: F16) => F17,
    s18: (flow: F17) => F18,
    s19: (flow: F18) => F19
  ): F19
}
