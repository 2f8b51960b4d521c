/**
 * Values the scheduler needs itself (a foreach's array, a subflow's codec checks, the run's final artifacts).
 * With an executor that runs attempts elsewhere the scheduler holds entries only (`NOT_HELD`): such a value is
 * loaded from the store, verified and frozen, when asked for.
 */
import type { Datastore } from "../datastore/Datastore.js"
import { loadValue, locationIn } from "../datastore/load.js"
import { setOwnProperty } from "../ownProperty.js"
import { freezeValue, NOT_HELD } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"

/** Which run a value belongs to, for the messages of a failed load. */
export interface ValueSource {
  readonly store: Datastore
  readonly flow: { readonly name: string }
  readonly runId: string
}

/** An artifact of a snapshot (which must have it): the value held, or loaded from the store. */
export const valueOf = async (source: ValueSource, snapshot: Snapshot, name: string): Promise<unknown> => {
  const held = snapshot.values[name]
  if (held !== NOT_HELD) return held
  const entry = snapshot.entries.get(name)
  if (entry === undefined) return undefined
  return freezeValue(await loadValue(source.store, entry, locationIn(source.flow.name, source.runId, snapshot.ref, name)))
}

/** Every artifact of a snapshot as a frozen record, loading the values not held. */
export const recordOf = async (source: ValueSource, snapshot: Snapshot): Promise<Readonly<Record<string, unknown>>> => {
  if (!Object.values(snapshot.values).includes(NOT_HELD)) return snapshot.values
  const record: Record<string, unknown> = {}
  for (const name of snapshot.entries.keys()) setOwnProperty(record, name, await valueOf(source, snapshot, name))
  return Object.freeze(record)
}
