/**
 * A task's snapshot in memory: the frozen record the next step sees, how each artifact is stored, and which
 * committed manifest holds it. Snapshots share values and entries structurally with the ones they came
 * from: an artifact a step did not write keeps its value object and its entry, with no serialization,
 * hashing or I/O.
 */
import { enableMapSet } from "immer"
import { deepFreeze } from "./freeze.js"
import type { ArtifactEntry, SnapshotRef } from "../datastore/Manifest.js"
import { deriveLazy, isLazy, NOT_HELD } from "./lazyRecord.js"

export { NOT_HELD }

// Before any immer use: using Map/Set first silently disables auto-freeze process-wide (DESIGN.md §7).
enableMapSet()

export interface Snapshot {
  /**
   * The record steps see, frozen: a plain object in process; on a worker, a lazy record (lazyRecord.ts); in
   * a scheduler whose attempts run elsewhere, NOT_HELD in place of values it did not load.
   */
  readonly values: Readonly<Record<string, unknown>>
  /** How each artifact is stored (parameters included). */
  readonly entries: ReadonlyMap<string, ArtifactEntry>
  /** The committed manifest that holds this snapshot; `undefined` for the run's parameters. */
  readonly ref: SnapshotRef | undefined
}

/**
 * An artifact value as a later step may see it: deeply frozen, Dates and class instances included; binary
 * data cannot be frozen (see freeze.ts, and the `verify` run option).
 */
export const freezeValue = <T>(value: T): T => deepFreeze(value)

/** A snapshot built from a base and the artifacts that changed (set) or disappeared (removed). */
export const deriveSnapshot = (
  base: Snapshot,
  set: ReadonlyMap<string, { readonly value: unknown; readonly entry: ArtifactEntry }>,
  removed: ReadonlyArray<string>,
  ref: SnapshotRef | undefined
): Snapshot => {
  const entries = new Map(base.entries)
  for (const name of removed) entries.delete(name)
  for (const [name, { entry }] of set) entries.set(name, entry)
  return { values: deriveRecord(base.values, set, removed), entries, ref }
}

/** A record derived from `base`: `removed` taken out, `set` put in (lazily when the base is lazy). */
export const deriveRecord = (
  base: Readonly<Record<string, unknown>>,
  set: ReadonlyMap<string, { readonly value: unknown }>,
  removed: Iterable<string>
): Readonly<Record<string, unknown>> => {
  if (isLazy(base)) return deriveLazy(base, set as ReadonlyMap<string, { readonly value: unknown; readonly entry: ArtifactEntry }>, removed)
  const values: Record<string, unknown> = { ...base }
  for (const name of removed) delete values[name]
  for (const [name, { value }] of set) values[name] = value
  return Object.freeze(values)
}

/**
 * The snapshot an attempt that ran elsewhere ends with, from what its manifest says: the base without `removed`,
 * with `artifacts` set (their values not held).
 */
export const snapshotAfter = (
  base: Snapshot,
  artifacts: Readonly<Record<string, ArtifactEntry>>,
  removed: ReadonlyArray<string>
): Snapshot => {
  const set = new Map<string, { readonly value: unknown; readonly entry: ArtifactEntry }>()
  for (const name of Object.keys(artifacts)) set.set(name, { value: NOT_HELD, entry: artifacts[name] as ArtifactEntry })
  return deriveSnapshot(base, set, removed, undefined)
}

/**
 * What a step's manifest says: the artifacts it changed, and the names it wrote without changing them (it
 * returned the value it was given: no encoding, no hashing, no I/O).
 */
export const stepDelta = (
  base: Snapshot,
  changes: ReadonlyMap<string, { readonly entry: ArtifactEntry }>
): { readonly artifacts: Record<string, ArtifactEntry>; readonly removed: ReadonlyArray<string>; readonly rewritten: ReadonlyArray<string> } => {
  const artifacts: Record<string, ArtifactEntry> = Object.create(null)
  const rewritten: Array<string> = []
  for (const [name, { entry }] of changes) {
    if (base.entries.get(name) === entry) rewritten.push(name)
    else artifacts[name] = entry
  }
  return { artifacts, removed: [], rewritten }
}

/**
 * What a manifest must say to turn `base` into `next`: entries that differ (another hash, or new) and names
 * that are gone. Joins use it; steps know their changes without comparing.
 */
export const delta = (
  base: Snapshot,
  next: Snapshot
): { readonly artifacts: Record<string, ArtifactEntry>; readonly removed: ReadonlyArray<string> } => {
  const artifacts: Record<string, ArtifactEntry> = Object.create(null)
  for (const [name, entry] of next.entries) {
    const before = base.entries.get(name)
    if (before === undefined || before.hash !== entry.hash || before.type !== entry.type) artifacts[name] = entry
  }
  const removed = [...base.entries.keys()].filter((name) => !next.entries.has(name))
  return { artifacts, removed }
}
