/** Typed assertions about how a run fails. */
import { expect } from "vitest"
import { RunFailedError } from "../../lib/errors.js"

/** Awaits a run that must fail and returns its RunFailedError (fails the test on anything else). */
export const runFailure = async (running: Promise<unknown>): Promise<RunFailedError> => {
  const outcome = await running.then(
    () => undefined,
    (error: unknown) => error
  )
  expect(outcome).toBeInstanceOf(RunFailedError)
  return outcome as RunFailedError
}

/** The failure's cause, checked to be an instance of `kind` with exactly `message`. */
export const expectCause = <E extends Error>(
  failure: RunFailedError,
  kind: abstract new (...args: never) => E,
  message: string
): E => {
  expect(failure.cause).toBeInstanceOf(kind)
  expect((failure.cause as E).message).toBe(message)
  return failure.cause as E
}
