/**
 * Records whose values load when read. A worker runs an attempt from entries alone: its record has one getter
 * per artifact, which loads the value (verified, frozen) the first time the step reads it, synchronously, so
 * `a.x` works as in process while a task that reads one artifact of fifty loads one. Records derived from a
 * lazy one (a step's output over its base, a join's merge) share its cells: a value loads once per attempt.
 *
 * Every read goes through one getter (`read` below): the place to observe which artifacts a task reads.
 * In-process records stay plain frozen objects (nothing to load); the helpers here treat both kinds alike.
 */
import type { ArtifactEntry } from "../datastore/Manifest.js"

/** Loads an artifact's value synchronously: verified against its entry, frozen. `name` is for messages. */
export type SyncLoad = (entry: ArtifactEntry, name: string) => unknown

/**
 * Stands for a value that is not in memory here, never a value itself: what `heldIn` says of a value a lazy
 * record has not loaded yet, and what the scheduler holds in place of the values of attempts that ran
 * elsewhere (it keeps their entries, and loads a value where it needs one: values.ts).
 */
export const NOT_HELD: unique symbol = Symbol("artiflow: value not held here")

interface Cell {
  readonly entry: ArtifactEntry | undefined
  loaded: boolean
  value: unknown
}

interface LazyState {
  readonly load: SyncLoad
  readonly cells: ReadonlyMap<string, Cell>
}

const states = new WeakMap<object, LazyState>()

const read = (state: LazyState, name: string, cell: Cell): unknown => {
  if (!cell.loaded) {
    // A cell without an entry always holds its value (see `cellFor`).
    cell.value = state.load(cell.entry as ArtifactEntry, name)
    cell.loaded = true
  }
  return cell.value
}

const build = (load: SyncLoad, cells: ReadonlyMap<string, Cell>): Readonly<Record<string, unknown>> => {
  const record: Record<string, unknown> = {}
  const state: LazyState = { load, cells }
  for (const [name, cell] of cells) {
    Object.defineProperty(record, name, { get: () => read(state, name, cell), enumerable: true, configurable: false })
  }
  states.set(record, state)
  return Object.freeze(record)
}

/** A record of `entries` whose values load (with `load`) when first read. */
export const lazyRecord = (entries: ReadonlyMap<string, ArtifactEntry>, load: SyncLoad): Readonly<Record<string, unknown>> => {
  const cells = new Map<string, Cell>()
  for (const [name, entry] of entries) cells.set(name, { entry, loaded: false, value: undefined })
  return build(load, cells)
}

/** Whether `record` loads its values when read. */
export const isLazy = (record: object): boolean => states.has(record)

/**
 * The value `record` holds for `name` without loading anything: the value of a plain record's own property,
 * a lazy record's value once read, else {@link NOT_HELD}.
 */
export const heldIn = (record: Readonly<Record<string, unknown>>, name: string): unknown => {
  const state = states.get(record)
  if (state === undefined) return Object.hasOwn(record, name) ? record[name] : NOT_HELD
  const cell = state.cells.get(name)
  return cell?.loaded === true ? cell.value : NOT_HELD
}

/** A cell for a value being set: loaded when the value is held, else loading `entry` when read. */
const cellFor = (value: unknown, entry: ArtifactEntry): Cell =>
  value === NOT_HELD ? { entry, loaded: false, value: undefined } : { entry: undefined, loaded: true, value }

/**
 * A lazy record derived from `base` (lazy): `removed` taken out, `set` put in. Values {@link NOT_HELD} load
 * their entry when read; inherited values share the base's cells.
 */
export const deriveLazy = (
  base: Readonly<Record<string, unknown>>,
  set: ReadonlyMap<string, { readonly value: unknown; readonly entry: ArtifactEntry }>,
  removed: Iterable<string>
): Readonly<Record<string, unknown>> => {
  const state = states.get(base)
  if (state === undefined) throw new TypeError("artiflow: deriveLazy needs a lazy base record")
  const cells = new Map(state.cells)
  for (const name of removed) cells.delete(name)
  for (const [name, { value, entry }] of set) cells.set(name, cellFor(value, entry))
  return build(state.load, cells)
}
