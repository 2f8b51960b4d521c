/**
 * What the crash and concurrency harnesses share: seeds, a seeded PRNG, and how long the runs are.
 *
 * Every randomized test runs twice: with a fixed seed (the same plan of kills every time) and with a seed
 * drawn for this process, printed in the test's name. `ARTIFLOW_SEED=<n>` replays a drawn seed;
 * `ARTIFLOW_STRESS=1` (what `npm run test:stress` sets) makes the runs ten times longer.
 *
 * A seed fixes the draws, not the outcome: a kill timed by the parent lands wherever the child is at that
 * moment, which depends on the machine's load, and where a kill lands decides how the test goes on (whether
 * the killed run exists to be resumed...). Kills at a persistence point (see children/killable.ts) land at
 * nearly the same place every time, so a failure there usually replays with its seed.
 */

/** Any value but "" and "0" turns stress on (as in runs.ts, which the property tests use). */
export const STRESS = !["", "0"].includes(process.env.ARTIFLOW_STRESS ?? "")

/** How much longer the randomized tests run under `ARTIFLOW_STRESS=1`. */
export const STRESS_FACTOR = 10

export const FIXED_SEED = 0x0a17_f10e

const drawnSeed = (): number => {
  const given = process.env.ARTIFLOW_SEED
  if (given !== undefined && given !== "") {
    const seed = Number(given)
    if (!Number.isSafeInteger(seed)) throw new Error(`ARTIFLOW_SEED must be an integer, not ${JSON.stringify(given)}`)
    return seed >>> 0
  }
  return Math.floor(Math.random() * 2 ** 32) >>> 0
}

/** This process's drawn seed (one per spec file: vitest runs each file in a worker of its own). */
export const DRAWN_SEED = drawnSeed()

/** `normal` in an ordinary run, {@link STRESS_FACTOR} times more under stress. */
export const scaled = (normal: number): number => (STRESS ? normal * STRESS_FACTOR : normal)

/** A seeded PRNG (sfc32): the same sequence for the same seed on every machine and Node version. */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e37_79b9
    this.b = 0x243f_6a88
    this.c = 0xb7e1_5162
    this.d = seed >>> 0
    // Mix the seed in, so that nearby seeds give unrelated sequences.
    for (let i = 0; i < 15; i++) this.next()
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t / 2 ** 32
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** A new generator whose sequence does not overlap this one's in practice (one per parallel lane). */
  fork(): Random {
    return new Random(this.int(0, 2 ** 32 - 1))
  }
}
