import type { Flow } from "../types/flow.js"
import { applyStage, asFlow } from "./FlowValue.js"

/**
 * Groups stages into one stage, to name a part of a flow or to go past the 20 arguments of fp-ts `pipe`.
 *
 * @example
 * import { pipe } from "fp-ts/lib/function.js"
 * import { flow, run, seq, step } from "artiflow"
 *
 * const prepare = seq(
 *   step("load", () => ({ rows: [1, 2, 3] })),
 *   step("clean", (a) => ({ rows: a.rows.filter((r) => r > 1) }))
 * )
 * const Etl = pipe(flow("Etl"), prepare, step("end", (a) => ({ n: a.rows.length })))
 * const { artifacts } = await run(Etl) // artifacts.n === 2
 */
export function seq<F0, F1>(s1: (flow: F0) => F1): (flow: F0) => F1
export function seq<F0, F1, F2>(s1: (flow: F0) => F1, s2: (flow: F1) => F2): (flow: F0) => F2
export function seq<F0, F1, F2, F3>(s1: (flow: F0) => F1, s2: (flow: F1) => F2, s3: (flow: F2) => F3): (flow: F0) => F3
export function seq<F0, F1, F2, F3, F4>(
  s1: (flow: F0) => F1,
  s2: (flow: F1) => F2,
  s3: (flow: F2) => F3,
  s4: (flow: F3) => F4
): (flow: F0) => F4
export function seq<F0, F1, F2, F3, F4, F5>(
  s1: (flow: F0) => F1,
  s2: (flow: F1) => F2,
  s3: (flow: F2) => F3,
  s4: (flow: F3) => F4,
  s5: (flow: F4) => F5
): (flow: F0) => F5
export function seq<F0, F1, F2, F3, F4, F5, F6>(
  s1: (flow: F0) => F1,
  s2: (flow: F1) => F2,
  s3: (flow: F2) => F3,
  s4: (flow: F3) => F4,
  s5: (flow: F4) => F5,
  s6: (flow: F5) => F6
): (flow: F0) => F6
export function seq<F0, F1, F2, F3, F4, F5, F6, F7>(
  s1: (flow: F0) => F1,
  s2: (flow: F1) => F2,
  s3: (flow: F2) => F3,
  s4: (flow: F3) => F4,
  s5: (flow: F4) => F5,
  s6: (flow: F5) => F6,
  s7: (flow: F6) => F7
): (flow: F0) => F7
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8>(
  s1: (flow: F0) => F1,
  s2: (flow: F1) => F2,
  s3: (flow: F2) => F3,
  s4: (flow: F3) => F4,
  s5: (flow: F4) => F5,
  s6: (flow: F5) => F6,
  s7: (flow: F6) => F7,
  s8: (flow: F7) => F8
): (flow: F0) => F8
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9>(
  s1: (flow: F0) => F1,
  s2: (flow: F1) => F2,
  s3: (flow: F2) => F3,
  s4: (flow: F3) => F4,
  s5: (flow: F4) => F5,
  s6: (flow: F5) => F6,
  s7: (flow: F6) => F7,
  s8: (flow: F7) => F8,
  s9: (flow: F8) => F9
): (flow: F0) => F9
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10>(
  s1: (flow: F0) => F1,
  s2: (flow: F1) => F2,
  s3: (flow: F2) => F3,
  s4: (flow: F3) => F4,
  s5: (flow: F4) => F5,
  s6: (flow: F5) => F6,
  s7: (flow: F6) => F7,
  s8: (flow: F7) => F8,
  s9: (flow: F8) => F9,
  s10: (flow: F9) => F10
): (flow: F0) => F10
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11>(
  s1: (flow: F0) => F1,
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
): (flow: F0) => F11
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12>(
  s1: (flow: F0) => F1,
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
): (flow: F0) => F12
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13>(
  s1: (flow: F0) => F1,
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
): (flow: F0) => F13
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14>(
  s1: (flow: F0) => F1,
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
): (flow: F0) => F14
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15>(
  s1: (flow: F0) => F1,
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
): (flow: F0) => F15
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15, F16>(
  s1: (flow: F0) => F1,
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
): (flow: F0) => F16
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15, F16, F17>(
  s1: (flow: F0) => F1,
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
): (flow: F0) => F17
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15, F16, F17, F18>(
  s1: (flow: F0) => F1,
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
): (flow: F0) => F18
export function seq<F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15, F16, F17, F18, F19>(
  s1: (flow: F0) => F1,
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
): (flow: F0) => F19
export function seq(...stages: ReadonlyArray<unknown>): (flow: Flow) => Flow {
  return (input) =>
    stages.reduce<Flow>((flow, stage, i) => applyStage(stage, asFlow(flow, "seq"), `seq argument ${i + 1}`) as Flow, input)
}
