/**
 * The combinators as plain JavaScript sees them: no compile-time checks. Tests use these to build flows
 * that break a rule the compiler enforces, to check that the run-time twin of the rule holds.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { flow, foreach, join, run, split, step, use } from "../../lib/index.js"

type Loose = (...args: ReadonlyArray<any>) => any

export const js = {
  flow: flow as Loose,
  step: step as Loose,
  split: split as Loose,
  foreach: foreach as Loose,
  join: join as Loose,
  use: use as Loose,
  run: run as (flow: unknown, options?: unknown) => Promise<{ readonly artifacts: any; readonly runId: string }>
}

/** `pipe` for untyped stages. */
export const chain = (start: unknown, ...stages: ReadonlyArray<(flow: any) => any>): unknown =>
  stages.reduce((acc, stage) => stage(acc), start)
