/**
 * An attempt as it travels to a worker (a thread, or a process through Redis) and its outcome as it comes
 * back: plain JSON, references only. The base snapshot travels as its entries (hashes: a value travels with
 * its entry only when it is tiny, at most {@link WIRE_INLINE_LIMIT} bytes; a larger one stored inline in its
 * manifest is written as a blob once, and its entry travels without it), a foreach element as the entry of
 * its array and an index, a join's inputs as the entries each branch or task changed. A worker loads the
 * values its task reads.
 */
import type { ArtifactEntry, SnapshotRef } from "../datastore/Manifest.js"
import {
  ArtiflowError,
  FlowDefinitionError,
  IntegrityError,
  MutatedArtifactError,
  NotFoundError,
  NotStorableError,
  ResourceLimitError,
  RunAbortedError,
  StepTimeoutError,
  StorageError,
  messageOf
} from "../errors.js"
import type { Snapshot } from "../interpreter/Snapshot.js"
import type { TaskEnd } from "../interpreter/TaskEnd.js"
import type { ReadHashes } from "../interpreter/reads.js"
import type { Attempt, AttemptOutcome, WorkerIdentity } from "./Executor.js"

/** Version of the wire format: a worker refuses an attempt of another. */
export const WIRE_FORMAT = 1

/**
 * Values up to this many bytes of text travel inside their entry; larger ones are read from the store by hash.
 * A 1,000-item array stored inline (4 KB) would otherwise travel with each of its 1,000 tasks.
 */
export const WIRE_INLINE_LIMIT = 1024

/** Whether an entry carries a value too large to travel with every attempt that may read it. */
export const isLargeInline = (entry: ArtifactEntry): boolean =>
  typeof entry.inline === "string" && entry.inline.length > WIRE_INLINE_LIMIT

/** The entry without its inline value: its bytes are then read from the blob named by its hash. */
const withoutInline = (entry: ArtifactEntry): ArtifactEntry => {
  const { inline: _inline, ...rest } = entry
  return rest
}

/** Every entry an attempt sends (duplicates included). */
export const entriesSent = (attempt: Attempt): ReadonlyArray<ArtifactEntry> => {
  const work = attempt.work
  const joined =
    work.kind === "split-join"
      ? work.branches.flatMap((branch) => [...branch.snapshot.entries.values()])
      : work.kind === "foreach-join"
        ? work.ends.flatMap((end) => [...end.changed.values()].map((held) => held.entry))
        : []
  const arrays = (attempt.position.arrays ?? []).filter((entry): entry is ArtifactEntry => entry !== undefined)
  return [...attempt.base.entries.values(), ...arrays, ...joined]
}

/** Entries by name, as pairs: names are user input (no object keys to trip over). */
export type WireEntries = ReadonlyArray<readonly [string, ArtifactEntry]>

/** Which flow an attempt belongs to, and where its workers import it from. */
export interface FlowRef {
  readonly name: string
  /** The module's path, as the scheduler found it (workers on other machines use their own copy). */
  readonly module: string
  readonly exportName: string
  /** sha256 of the flow's graph: a worker with another version of the flow refuses the attempt. */
  readonly graph: string
}

/** How a branch or a foreach task ended, relative to the snapshot before its split or foreach. */
export interface WireEnd {
  readonly changed: WireEntries
  readonly removed: ReadonlyArray<string>
  readonly written: ReadonlyArray<string>
}

export interface WireFrame {
  readonly step: string
  readonly artifact: string
  readonly index: number
  readonly count: number
  /** How the foreach's array is stored: the worker loads it and takes element `index`. */
  readonly array: ArtifactEntry
}

export interface WireAttempt {
  readonly format: number
  readonly flow: FlowRef
  /** The scheduler's store, for messages ("local store at /x"). */
  readonly store: string
  readonly runId: string
  readonly originRunId: string | null
  readonly verify: boolean
  readonly step: string
  readonly taskId: string
  readonly attempt: number
  readonly timeout: number | null
  readonly frames: ReadonlyArray<WireFrame>
  readonly previous: string
  readonly base: { readonly ref: SnapshotRef | null; readonly entries: WireEntries }
  readonly join:
    | { readonly kind: "split"; readonly branches: ReadonlyArray<WireEnd & { readonly name: string }> }
    | { readonly kind: "foreach"; readonly ends: ReadonlyArray<WireEnd> }
    | null
}

/** An error as it crosses: enough to rebuild the same class with the same message, fields and stack. */
export interface WireError {
  readonly name: string
  readonly message: string
  readonly stack: string | null
  /** The artiflow error class (`_tag`), when it is one. */
  readonly tag: string | null
  /** NotStorableError's and MutatedArtifactError's fields. */
  readonly step?: string
  readonly artifact?: string
  readonly path?: string
}

interface WireOutcomeCommon {
  readonly attempt: number
  readonly startedAt: number
  readonly finishedAt: number
  readonly logs: ReadonlyArray<string>
  readonly worker: WorkerIdentity
}

export type WireOutcome =
  | (WireOutcomeCommon & {
      readonly status: "succeeded"
      readonly artifacts: WireEntries
      readonly removed: ReadonlyArray<string>
      readonly rewritten: ReadonlyArray<string>
      readonly written: ReadonlyArray<string>
      /** Lineage: name -> hash pairs (absent from workers of a version that did not record reads). */
      readonly reads?: WireReads
      readonly inputReads?: ReadonlyArray<{ readonly input: string; readonly reads: WireReads }>
      readonly positional?: boolean
    })
  | (WireOutcomeCommon & { readonly status: "failed"; readonly error: WireError })

/** Reads as [name, hash] pairs: a pair list carries any name, where an object's keys would be hostile. */
type WireReads = ReadonlyArray<readonly [string, string]>

const readsFromWire = (pairs: WireReads | undefined): ReadHashes => {
  const reads: Record<string, string> = Object.create(null)
  for (const [name, hash] of pairs ?? []) reads[name] = hash
  return reads
}

/** What the scheduler says about the run in every attempt it sends. */
export interface WireRun {
  readonly flow: FlowRef
  readonly store: string
  readonly runId: string
  readonly originRunId: string | undefined
  readonly verify: boolean
}

/** How an entry travels: as it is, or without the inline value the sender published as a blob. */
type Reference = (entry: ArtifactEntry) => ArtifactEntry

const endOf = (end: TaskEnd, reference: Reference): WireEnd => ({
  changed: [...end.changed].map(([name, { entry }]) => [name, reference(entry)] as const),
  removed: [...end.removed],
  written: [...end.written]
})

/** A branch's end relative to the snapshot before the split. */
const branchEnd = (before: Snapshot, snapshot: Snapshot, written: ReadonlySet<string>, reference: Reference): WireEnd => {
  const changed: Array<readonly [string, ArtifactEntry]> = []
  for (const [name, entry] of snapshot.entries) if (before.entries.get(name) !== entry) changed.push([name, reference(entry)])
  const removed = [...before.entries.keys()].filter((name) => !snapshot.entries.has(name))
  return { changed, removed, written: [...written] }
}

const joinOf = (attempt: Attempt, reference: Reference): WireAttempt["join"] => {
  const work = attempt.work
  if (work.kind === "split-join") {
    return {
      kind: "split",
      branches: work.branches.map((branch) => ({ name: branch.name, ...branchEnd(attempt.base, branch.snapshot, branch.written, reference) }))
    }
  }
  return work.kind === "foreach-join" ? { kind: "foreach", ends: work.ends.map((end) => endOf(end, reference)) } : null
}

const framesOf = (attempt: Attempt, reference: Reference): ReadonlyArray<WireFrame> =>
  attempt.position.frames.map(({ step, artifact, index, count }, i) => {
    const array = attempt.position.arrays?.[i]
    // The walk records every frame's array; a frame without one is a bug here, not the user's.
    if (array === undefined) throw new Error(`artiflow: internal: foreach frame over '${artifact}' has no stored array`)
    return { step, artifact, index, count, array: reference(array) }
  })

/**
 * The attempt as it leaves the scheduler. `published` says which large inline values are in the store as
 * blobs (by hash): their entries travel without them.
 */
export const toWire = (run: WireRun, attempt: Attempt, published: (hash: string) => boolean = () => false): WireAttempt => {
  const reference: Reference = (entry) => (isLargeInline(entry) && published(entry.hash) ? withoutInline(entry) : entry)
  return {
    format: WIRE_FORMAT,
    flow: run.flow,
    store: run.store,
    runId: run.runId,
    originRunId: run.originRunId ?? null,
    verify: run.verify,
    step: attempt.step,
    taskId: attempt.taskId,
    attempt: attempt.number,
    timeout: attempt.timeout ?? null,
    frames: framesOf(attempt, reference),
    previous: attempt.position.previous,
    base: { ref: attempt.base.ref ?? null, entries: [...attempt.base.entries].map(([name, entry]) => [name, reference(entry)] as const) },
    join: joinOf(attempt, reference)
  }
}

/** A thrown value as it leaves a worker. */
export const errorToWire = (thrown: unknown): WireError => {
  if (!(thrown instanceof Error)) return { name: "Error", message: messageOf(thrown), stack: null, tag: null }
  const tag = thrown instanceof ArtiflowError ? thrown._tag : null
  const fields =
    thrown instanceof NotStorableError
      ? { step: thrown.step, artifact: thrown.artifact, path: thrown.path }
      : thrown instanceof MutatedArtifactError
        ? { step: thrown.step, artifact: thrown.artifact }
        : {}
  return { name: thrown.name, message: thrown.message, stack: thrown.stack ?? null, tag, ...fields }
}

const ERROR_CLASSES: Readonly<Record<string, (message: string) => Error>> = {
  FlowDefinitionError: (message) => new FlowDefinitionError(message),
  IntegrityError: (message) => new IntegrityError(message),
  NotFoundError: (message) => new NotFoundError(message),
  StorageError: (message) => new StorageError(message),
  StepTimeoutError: (message) => new StepTimeoutError(message),
  ResourceLimitError: (message) => new ResourceLimitError(message),
  RunAbortedError: (message) => new RunAbortedError(message)
}

/** The error again, on the scheduler's side: artiflow's classes as themselves, others as an Error of the same name. */
export const errorFromWire = (wire: WireError): Error => {
  const { tag, message } = wire
  let error: Error
  if (tag === "NotStorableError") error = new NotStorableError(message, wire.step ?? "", wire.artifact ?? "", wire.path ?? "")
  else if (tag === "MutatedArtifactError") error = new MutatedArtifactError(message, wire.step ?? "", wire.artifact ?? "")
  else if (tag !== null && Object.hasOwn(ERROR_CLASSES, tag)) error = (ERROR_CLASSES[tag] as (message: string) => Error)(message)
  else {
    error = new Error(message)
    error.name = wire.name
  }
  if (wire.stack !== null) error.stack = wire.stack
  return error
}

/** An outcome as it leaves a worker. */
export const outcomeToWire = (outcome: AttemptOutcome): WireOutcome => {
  const { attempt, startedAt, finishedAt, logs, worker } = outcome
  const common = { attempt, startedAt, finishedAt, logs, worker }
  if (outcome.status === "failed") return { status: "failed", ...common, error: errorToWire(outcome.error) }
  const { artifacts, removed, rewritten, written, reads, inputReads } = outcome
  const lineage = {
    reads: Object.entries(reads),
    ...(inputReads !== undefined && { inputReads: inputReads.map((input) => ({ input: input.input, reads: Object.entries(input.reads) })) }),
    ...(outcome.positional === true && { positional: true })
  }
  return { status: "succeeded", ...common, artifacts: Object.entries(artifacts), removed, rewritten, written, ...lineage }
}

/** The outcome again, on the scheduler's side (no values: the scheduler keeps entries). */
export const outcomeFromWire = (wire: WireOutcome): AttemptOutcome => {
  const { attempt, startedAt, finishedAt, logs, worker } = wire
  const common = { attempt, startedAt, finishedAt, logs, worker }
  if (wire.status === "failed") return { status: "failed", ...common, error: errorFromWire(wire.error) }
  const artifacts: Record<string, ArtifactEntry> = Object.create(null)
  for (const [name, entry] of wire.artifacts) artifacts[name] = entry
  const reads = readsFromWire(wire.reads)
  const inputReads = wire.inputReads?.map((input) => ({ input: input.input, reads: readsFromWire(input.reads) }))
  const lineage = { reads, ...(inputReads !== undefined && { inputReads }), ...(wire.positional === true && { positional: true }) }
  return { status: "succeeded", ...common, artifacts, removed: wire.removed, rewritten: wire.rewritten, written: wire.written, ...lineage }
}
