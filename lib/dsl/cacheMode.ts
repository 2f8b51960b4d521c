/**
 * The step cache modes of `run`, `resume` and `--cache` (DESIGN.md §9). A module of its own, with no I/O and
 * no interpreter behind it, so that the CLI can check `--cache` without loading the interpreter.
 */
import { CACHE_MODES } from "../types/messages.js"

/**
 * How a run uses the step cache: `"use"` (the default) answers cached steps from past runs and records what
 * it computes; `"refresh"` runs every task anyway and records fresh entries; `"off"` neither reads nor writes.
 */
export type CacheMode = (typeof CACHE_MODES)[number]

/**
 * Whether `value` is a cache mode.
 *
 * @example
 * isCacheMode("refresh") // true
 * isCacheMode("yes")     // false
 */
export const isCacheMode = (value: unknown): value is CacheMode =>
  typeof value === "string" && (CACHE_MODES as ReadonlyArray<string>).includes(value)
