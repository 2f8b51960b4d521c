/**
 * Helpers for the DSL's run-time checks: the combinators as a plain JavaScript caller sees them (no types to
 * stop a broken flow), and an assertion that building throws a `FlowDefinitionError` with an exact message.
 */
import { expect } from "vitest"
import * as api from "../../lib/index.js"
import { FlowDefinitionError } from "../../lib/index.js"

/** A stage as plain JavaScript sees it. */
export type AnyStage = (flow: never) => unknown

/** The public combinators, untyped: what a user without TypeScript (or with casts) can call. */
export interface Untyped {
  readonly flow: (name: unknown, options?: unknown) => UntypedFlow
  readonly param: (codec?: unknown, options?: unknown) => unknown
  readonly includeFile: (options?: unknown) => unknown
  readonly step: (name: unknown, fn?: unknown, options?: unknown) => AnyStage
  readonly split: (branches?: unknown) => AnyStage
  readonly foreach: (artifact: unknown, body?: unknown, options?: unknown) => AnyStage
  readonly join: (name: unknown, second?: unknown, third?: unknown) => AnyStage
  readonly seq: (...stages: ReadonlyArray<unknown>) => AnyStage
  /** `subflow()` gives a function taking the build function; `subflow(needs, build)` gives the fragment. */
  readonly subflow: (needs?: unknown, build?: unknown) => ((build: unknown) => unknown) & UntypedFragment
  readonly use: (fragment: unknown) => AnyStage
  readonly choose: (selector: unknown, cases?: unknown) => AnyStage
  readonly loop: (name: unknown, body?: unknown, options?: unknown) => AnyStage
}

/** A fragment built with `subflow`, as plain JavaScript sees it. */
export interface UntypedFragment {
  readonly _tag: string
  readonly needs: unknown
}

/** A flow value as plain JavaScript sees it: its description, and `pipe` taking anything. */
export type UntypedFlow = api.Flow & { readonly pipe: (...stages: ReadonlyArray<unknown>) => UntypedFlow }

export const js = api as unknown as Untyped

/** Applies stages one after the other, like fp-ts `pipe`, without checking anything. */
export const build = (start: unknown, ...stages: ReadonlyArray<unknown>): UntypedFlow =>
  stages.reduce((value, stage) => (stage as (input: unknown) => unknown)(value), start) as UntypedFlow

/** A step that writes nothing, for flows that are only built. */
export const noop = (): {} => ({})

/** A step stage for plain JavaScript, with a function that writes nothing. */
export const s = (name: unknown, options?: unknown): AnyStage => js.step(name, noop, options)

/** What an action throws (failing when it throws nothing), for exact assertions. */
export const thrownBy = (action: () => unknown): unknown => {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error("expected the action to throw, but it returned")
}

/** Building throws a `FlowDefinitionError` whose message is exactly `message` (not a substring of it). */
export const expectDefinitionError = (action: () => unknown, message: string): void => {
  const error = thrownBy(action)
  expect(error).toBeInstanceOf(FlowDefinitionError)
  expect((error as FlowDefinitionError).name).toBe("FlowDefinitionError")
  expect((error as FlowDefinitionError).message).toBe(message)
  expect(message.startsWith("artiflow: ")).toBe(true)
}
