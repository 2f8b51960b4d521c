/**
 * How one foreach task ended, kept small until its join runs. A 100,000-item foreach holds 100,000 of these
 * at once: instead of each task's full snapshot (a record, an entries map, a position), a task keeps only the
 * artifacts it changed relative to the snapshot before the foreach, and the join rebuilds a task's record
 * from the two when (and only if) its function takes the inputs.
 */
import type { ArtifactEntry, SnapshotRef } from "../datastore/Manifest.js"
import { heldIn } from "./lazyRecord.js"
import { deriveRecord } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"

/** An artifact as the interpreter holds it: the frozen value (or NOT_HELD: see lazyRecord.ts) and how it is stored. */
export interface HeldArtifact {
  readonly value: unknown
  readonly entry: ArtifactEntry
}

/** One foreach task's outcome, relative to the snapshot the foreach started from. */
export interface TaskEnd {
  /** Artifacts whose entry differs from the one before the foreach (new, or rewritten with new content). */
  readonly changed: ReadonlyMap<string, HeldArtifact>
  /** Artifacts present before the foreach and gone at the end of the task. */
  readonly removed: ReadonlySet<string>
  /** What the task's scope wrote, for the join's merge rules. */
  readonly written: ReadonlySet<string>
  /** In a resumed run: every task of the body was reused. */
  readonly reused: boolean
  /** The committed snapshot the task ended with (lineage: where a join's reads of this input come from). */
  readonly ref?: SnapshotRef
}

const noChanges: ReadonlyMap<string, HeldArtifact> = new Map()
const noneRemoved: ReadonlySet<string> = new Set()

/** Keeps what `end` changed relative to `before`. Unchanged artifacts share their entry object, so identity decides. */
export const compactEnd = (
  before: Snapshot,
  end: { readonly snapshot: Snapshot; readonly written: ReadonlySet<string>; readonly reused: boolean }
): TaskEnd => {
  let changed: Map<string, HeldArtifact> | undefined
  let kept = 0
  for (const [name, entry] of end.snapshot.entries) {
    const previous = before.entries.get(name)
    if (previous !== undefined) kept++
    if (previous === entry) continue
    changed ??= new Map()
    changed.set(name, { value: end.snapshot.values[name], entry })
  }
  let removed: Set<string> | undefined
  // Every name of `before` still present was counted in `kept`: only a shortfall needs the names looked up.
  if (kept !== before.entries.size) {
    for (const name of before.entries.keys()) {
      if (!end.snapshot.entries.has(name)) (removed ??= new Set()).add(name)
    }
  }
  const ended = { changed: changed ?? noChanges, removed: removed ?? noneRemoved, written: end.written, reused: end.reused }
  return end.snapshot.ref === undefined ? ended : { ...ended, ref: end.snapshot.ref }
}

/**
 * An artifact as it stood at the end of a task, or undefined if the task's record lacks it. Its value is the
 * one held, without loading anything (NOT_HELD when a lazy record has not loaded it).
 */
export const artifactAt = (before: Snapshot, end: TaskEnd, name: string): HeldArtifact | undefined => {
  const changed = end.changed.get(name)
  if (changed !== undefined) return changed
  if (end.removed.has(name)) return undefined
  const entry = before.entries.get(name)
  return entry === undefined ? undefined : { value: heldIn(before.values, name), entry }
}

/** The frozen record a task ended with, rebuilt: what the join's function receives for that task. */
export const recordAt = (before: Snapshot, end: TaskEnd): Readonly<Record<string, unknown>> => {
  if (end.changed.size === 0 && end.removed.size === 0) return before.values
  return deriveRecord(before.values, end.changed, end.removed)
}
