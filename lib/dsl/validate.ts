/**
 * The runtime twins of the compile-time checks on a flow's shape. Each throws a `FlowDefinitionError`
 * whose message is written by the same writer the types use (lib/types/messages.ts).
 */
import { FlowDefinitionError } from "../errors.js"
import {
  CACHE_OPTION_VALUES,
  cacheOnJoin,
  configWrite,
  duplicateStep,
  invalidName,
  invalidOption,
  paramWrite,
  stageAfterOpen
} from "../types/messages.js"
import type { StepOptions } from "./ast.js"
import type { FlowValue } from "./FlowValue.js"
import { openKind, stepNames } from "./FlowValue.js"
import { isEphemeral, isValidArtifactName, isValidName } from "./names.js"

export const fail = (message: string): never => {
  throw new FlowDefinitionError(message)
}

export const assertName = (kind: string, name: unknown): string =>
  isValidName(name) ? name : fail(invalidName(kind, String(name)))

export const assertNotAfterOpen = (flow: FlowValue, stage: string): void => {
  const open = openKind(flow.nodes)
  if (open !== undefined) fail(stageAfterOpen(stage, open))
}

export const assertNewStep = (flow: FlowValue, name: string): void => {
  if (flow.scope.outerSteps.includes(name) || stepNames(flow.nodes).includes(name)) fail(duplicateStep(name))
}

const isNonNegativeInteger = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0

/** Checks a step's `cache` option and returns it frozen (`false` and absent are both "not cached"). */
const checkCache = (step: string, cache: unknown): StepOptions["cache"] => {
  if (cache === undefined || typeof cache === "boolean") return cache
  if (typeof cache !== "object" || cache === null || Array.isArray(cache)) {
    return fail(invalidOption(`step '${step}'`, "cache", CACHE_OPTION_VALUES, cache))
  }
  const stray = Object.keys(cache).find((key) => key !== "version")
  if (stray !== undefined) return fail(invalidOption(`step '${step}'`, "cache", CACHE_OPTION_VALUES, cache))
  const version: unknown = (cache as { version?: unknown }).version
  if (version !== undefined && typeof version !== "string") fail(invalidOption(`step '${step}'`, "cache.version", "a string", version))
  return Object.freeze(version === undefined ? {} : { version: version as string })
}

/**
 * Checks `retry`, `catch`, `timeout` and (steps only) `cache`, and returns a frozen copy holding only those.
 * `kind` says whether the options are a step's or a join's: a join is never cached.
 */
export const checkStepOptions = (step: string, options: unknown, kind: "step" | "join" = "step"): StepOptions => {
  if (options === undefined) return Object.freeze({})
  if (typeof options !== "object" || options === null) return fail(invalidOption(`step '${step}'`, "options", "an object", options))
  const { retry, catch: catchAs, timeout, cache: givenCache } = options as StepOptions
  if (kind === "join" && givenCache !== undefined) fail(cacheOnJoin(step))
  const cache = checkCache(step, givenCache)
  if (retry !== undefined && !isNonNegativeInteger(retry)) fail(invalidOption(`step '${step}'`, "retry", "an integer >= 0", retry))
  if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0 && timeout <= 2_147_483_647)) {
    fail(invalidOption(`step '${step}'`, "timeout", "a number of milliseconds > 0", timeout))
  }
  if (catchAs !== undefined && !(isValidArtifactName(catchAs) && !isEphemeral(catchAs))) {
    fail(invalidOption(`step '${step}'`, "catch", "an artifact name not starting with '_'", catchAs))
  }
  return Object.freeze({
    ...(retry !== undefined && { retry }),
    ...(catchAs !== undefined && { catch: catchAs }),
    ...(timeout !== undefined && { timeout }),
    ...(cache !== undefined && cache !== false && { cache })
  })
}

/** The message for `step` writing `name` when it is a parameter or a config of `flow` (both are read-only). */
export const readOnlyWrite = (flow: FlowValue, step: string, name: string): string | undefined => {
  if (Object.hasOwn(flow.params, name)) return paramWrite(step, name)
  if (Object.hasOwn(flow.configs, name)) return configWrite(step, name)
  return undefined
}

/** `catch: "name"` writes an artifact, so it must not name a parameter or a config (they are read-only). */
export const assertCatchNotParam = (flow: FlowValue, step: string, options: StepOptions): void => {
  const caught = options.catch
  const message = caught === undefined ? undefined : readOnlyWrite(flow, step, caught)
  if (message !== undefined) fail(message)
}

export const assertFunction = (step: string, what: string, value: unknown): void => {
  if (typeof value !== "function") fail(invalidOption(`step '${step}'`, what, "a function", value))
}
