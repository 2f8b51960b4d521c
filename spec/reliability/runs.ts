/**
 * How many runs a property gets, and with which seeds.
 *
 * Every property runs twice: once with a fixed seed (the same cases every time, so a regression fails the
 * same way on every machine) and once with a seed drawn for this process (new cases every run; the seed is
 * in the test's name, and fast-check prints it with the counterexample path on failure).
 *
 * - `ARTIFLOW_STRESS=1` (what `npm run test:stress` sets): 20 times more runs per property.
 * - `ARTIFLOW_SEED=<n>`: use `n` as the drawn seed, to replay a failure; `ARTIFLOW_SEED_PATH=<path>` (the
 *   "path" fast-check printed with it) replays the shrunk counterexample directly.
 */
import fc from "fast-check"
import { test } from "vitest"

export const STRESS =
  process.env.ARTIFLOW_STRESS !== undefined && process.env.ARTIFLOW_STRESS !== "" && process.env.ARTIFLOW_STRESS !== "0"

const STRESS_FACTOR = 20
const FIXED_SEED = 0x5eed_a17f

const drawnSeed = (): number => {
  const given = process.env.ARTIFLOW_SEED
  if (given !== undefined && given !== "") return Number(given) | 0
  return (Math.random() * 2 ** 31) | 0
}

/** The seed for this process's new cases (one per test file: each file runs in its own worker). */
export const RANDOM_SEED = drawnSeed()

const replayPath = process.env.ARTIFLOW_SEED_PATH

/** Runs for a property that gets `normal` runs in an ordinary test run. */
export const runs = (normal: number): number => (STRESS ? normal * STRESS_FACTOR : normal)

if (STRESS)
  console.info(
    `artiflow stress: ${STRESS_FACTOR}x runs, drawn seed ${RANDOM_SEED} (replay with ARTIFLOW_SEED=${RANDOM_SEED})`
  )

type AnyProperty = fc.IRawProperty<unknown, boolean>

/**
 * Declares a property as two tests (fixed seed, drawn seed) running `normal` runs each (20x under stress).
 * `make` builds a fresh property per test, so state kept by one (a store) is not shared with the other.
 */
export const property = (name: string, normal: number, make: () => AnyProperty, timeoutMs = 60_000): void => {
  const numRuns = runs(normal)
  const timeout = STRESS ? timeoutMs * STRESS_FACTOR : timeoutMs
  test(
    `${name} (fixed seed ${FIXED_SEED})`,
    async () => {
      await fc.assert(make(), { seed: FIXED_SEED, numRuns })
    },
    timeout
  )
  test(
    `${name} (drawn seed ${RANDOM_SEED})`,
    async () => {
      await fc.assert(make(), {
        seed: RANDOM_SEED,
        numRuns,
        ...(replayPath !== undefined && replayPath !== "" && { path: replayPath })
      })
    },
    timeout
  )
}
