/**
 * Loading crafted store content under watch (see `guard.ts`), and what a load of hostile bytes may end in:
 * an IntegrityError naming the artifact, or data whose hostile keys are own data properties.
 */
import { expect } from "vitest"
import { loadValue } from "../../lib/datastore/load.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import { IntegrityError } from "../../lib/index.js"
import type { Placement } from "./crafted.js"
import { craftedEntry } from "./crafted.js"
import { withoutCodeExecution } from "./guard.js"

export const where = { flow: "Crafted", runId: "r1", step: "start", taskId: "0", artifact: "payload" }
export const PLACEMENTS: ReadonlyArray<Placement> = ["inline", "blob"]

/** Loads crafted bytes through `loadValue`, watched; resolves to the value or the error it failed with. */
export const load = async (
  store: Datastore,
  text: string,
  encoding: string,
  type: string,
  placement: Placement
): Promise<unknown> => {
  const entry = await craftedEntry(store, text, encoding, type, placement)
  return withoutCodeExecution(() => loadValue(store, entry, where).catch((error: unknown) => ({ failed: error })))
}

/** The failure of a load that had to fail: an IntegrityError naming the flow, run, step, task and artifact. */
export const expectIntegrityError = (outcome: unknown, artifact = "payload"): void => {
  const error = (outcome as { readonly failed?: unknown }).failed
  const seen = error === undefined ? `loaded ${String(outcome)}` : `failed with ${String(error)}`
  expect(error, `${seen}, not with an IntegrityError`).toBeInstanceOf(IntegrityError)
  expect((error as Error).message).toContain(`artifact '${artifact}'`)
  expect((error as Error).message).toMatch(/^artiflow: flow '\w+', run '[\w-]+', step 'start', task '0': /)
}

/** A payload's object keys that must come back as own data properties, never as prototype changes. */
export const expectOwnData = (value: unknown, key: string): unknown => {
  const descriptor = Object.getOwnPropertyDescriptor(value, key)
  expect(descriptor, `own '${key}'`).toMatchObject({ enumerable: true, writable: true })
  expect(descriptor && "value" in descriptor, `'${key}' is data, not an accessor`).toBe(true)
  return descriptor?.value
}
