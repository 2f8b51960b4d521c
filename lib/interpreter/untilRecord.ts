/**
 * Calls a loop's `until` where the flow is scheduled. With an executor that runs attempts elsewhere, the
 * scheduler holds only the entries of what the body wrote (`NOT_HELD`), and loading every artifact of the
 * record after each iteration would read megabytes to test one number. So `until` first sees a record whose
 * values not held here are getters that note the name and stop the call; the noted values are then loaded
 * (async, verified, frozen) and `until` is called again. A pure test of the record, as `until` should be, sees
 * the same values either way; in process every value is held and `until` is called once.
 */
import { heldIn, NOT_HELD } from "./lazyRecord.js"
import type { Snapshot } from "./Snapshot.js"
import { valueOf } from "./values.js"
import type { ValueSource } from "./values.js"

/** What a getter of a value not loaded yet throws: never seen by the caller of `callUntil`. */
class NotLoaded extends Error {}

const recordWith = (snapshot: Snapshot, loaded: ReadonlyMap<string, unknown>, missing: Set<string>): Readonly<Record<string, unknown>> => {
  const record: Record<string, unknown> = {}
  for (const name of snapshot.entries.keys()) {
    const held = loaded.has(name) ? loaded.get(name) : heldIn(snapshot.values, name)
    if (held !== NOT_HELD) {
      Object.defineProperty(record, name, { value: held, enumerable: true })
      continue
    }
    Object.defineProperty(record, name, {
      enumerable: true,
      get: () => {
        missing.add(name)
        throw new NotLoaded(`artiflow: internal: '${name}' is not loaded yet`)
      }
    })
  }
  return Object.freeze(record)
}

/** `until(record)` on the snapshot's record, loading the values it reads that are not held here. */
export const callUntil = async (source: ValueSource, until: (record: unknown) => unknown, snapshot: Snapshot): Promise<unknown> => {
  let held = true
  for (const name of snapshot.entries.keys()) if (heldIn(snapshot.values, name) === NOT_HELD) held = false
  if (held) return until(snapshot.values)
  const loaded = new Map<string, unknown>()
  for (;;) {
    const missing = new Set<string>()
    let outcome: { readonly returned: unknown } | { readonly thrown: unknown }
    try {
      outcome = { returned: await until(recordWith(snapshot, loaded, missing)) }
    } catch (thrown) {
      outcome = { thrown }
    }
    // Whatever `until` made of a value it could not read (even a caught getter error), the call is redone.
    if (missing.size === 0) {
      if ("thrown" in outcome) throw outcome.thrown
      return outcome.returned
    }
    for (const name of missing) loaded.set(name, await valueOf(source, snapshot, name))
  }
}
