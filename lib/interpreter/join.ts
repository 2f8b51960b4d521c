/**
 * Joins at run time: the merge rules of DESIGN.md §3.5 and §3.6 on the artifacts the branches and tasks
 * actually wrote, with the same messages the compiler shows. A join is a task: its merge, its `resolve`
 * functions and its function run inside its attempts (attempt.ts), on whichever executor runs them, and it
 * commits its own manifest (a delta over the snapshot before the split or foreach).
 */
import type { ArtifactEntry } from "../datastore/Manifest.js"
import type { JoinSpec } from "../dsl/ast.js"
import { FlowDefinitionError } from "../errors.js"
import {
  conflictUnhandled,
  equalMismatch,
  equalNotWritten,
  notAConflict
} from "../types/messages.js"
import type { AttemptContext, AttemptEnv, AttemptResult, UserCode } from "./attempt.js"
import { heldIn } from "./lazyRecord.js"
import { outputNames, storeArtifact, storeOutput } from "./output.js"
import { NO_READS, ReadLog, tracked } from "./reads.js"
import type { InputReads, ReadHashes } from "./reads.js"
import { delta, deriveSnapshot, freezeValue } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"
import { artifactAt, recordAt } from "./TaskEnd.js"
import type { HeldArtifact, TaskEnd } from "./TaskEnd.js"

/** How one branch of a split ended. */
export interface BranchOutcome {
  readonly name: string
  readonly snapshot: Snapshot
  readonly written: ReadonlySet<string>
  /** Every task of the branch was reused from the origin run (resume). */
  readonly reused: boolean
}


/** A branch's artifact, its value as held (nothing is loaded: merging compares entries). */
const artifactOf = (snapshot: Snapshot, name: string): HeldArtifact | undefined => {
  const entry = snapshot.entries.get(name)
  return entry === undefined ? undefined : { value: heldIn(snapshot.values, name), entry }
}

/** Keys written in one branch and present in another branch's output. */
const conflictsOf = (branches: ReadonlyArray<BranchOutcome>): ReadonlySet<string> => {
  const conflicts = new Set<string>()
  for (const branch of branches) {
    for (const name of branch.written) {
      if (branches.some((other) => other !== branch && other.snapshot.entries.has(name))) conflicts.add(name)
    }
  }
  return conflicts
}

const checkHandlesOnlyConflicts = (join: JoinSpec, conflicts: ReadonlySet<string>): void => {
  const { resolve, take, exclude, equal } = join.options
  const handled: ReadonlyArray<[string, ReadonlyArray<string>]> = [
    ["resolve", Object.keys(resolve ?? {})],
    ["take", Object.keys(take ?? {})],
    ["exclude", exclude ?? []],
    ["equal", equal ?? []]
  ]
  for (const [option, names] of handled) {
    const stray = names.find((name) => !conflicts.has(name))
    if (stray !== undefined) throw new FlowDefinitionError(notAConflict(join.name, stray, option))
  }
}

/** Every holder of `name` must store the same content (same hash of the canonical encoding). */
const checkEqual = (join: string, name: string, holders: ReadonlyArray<{ label: string; artifact: HeldArtifact }>): void => {
  const [first, ...others] = holders
  const different = others.find((other) => other.artifact.entry.hash !== first?.artifact.entry.hash)
  if (first !== undefined && different !== undefined) {
    throw new FlowDefinitionError(equalMismatch(join, name, first.label, different.label))
  }
}

const resolveConflict = async (
  env: AttemptEnv,
  join: JoinSpec,
  name: string,
  branches: ReadonlyArray<BranchOutcome>,
  userCode: UserCode,
  logs: BranchLogs
): Promise<HeldArtifact | undefined> => {
  const holders = branches.flatMap((branch) => {
    const artifact = artifactOf(branch.snapshot, name)
    return artifact === undefined ? [] : [{ label: branch.name, artifact, record: branch.snapshot.values }]
  })
  const resolve = join.options.resolve?.[name] as ((values: unknown) => unknown) | undefined
  if (resolve !== undefined) {
    // Read from the branches' records: a lazy record loads the value here, for the function to see. The
    // resolve function reads each branch's value: lineage records it as a read of that input.
    for (const holder of holders) logs.get(holder.label)?.note(name)
    const values = Object.freeze(Object.fromEntries(holders.map((h) => [h.label, h.record[name]])))
    const value = freezeValue(await userCode(() => resolve(values)))
    return { value, entry: await storeArtifact(env, join.name, name, value) }
  }
  const taken = join.options.take?.[name]
  if (taken !== undefined) return holders.find((h) => h.label === taken)?.artifact
  checkEqual(join.name, name, holders)
  return holders[0]?.artifact
}

/** The merged snapshot a split join's function sees, and the conflicts it must still return. */
const mergeBranches = async (
  env: AttemptEnv,
  join: JoinSpec,
  before: Snapshot,
  branches: ReadonlyArray<BranchOutcome>,
  userCode: UserCode,
  logs: BranchLogs
): Promise<{ merged: Snapshot; unhandled: ReadonlyArray<string> }> => {
  const conflicts = conflictsOf(branches)
  checkHandlesOnlyConflicts(join, conflicts)
  const exclude = new Set(join.options.exclude ?? [])
  const handled = new Set([...Object.keys(join.options.resolve ?? {}), ...Object.keys(join.options.take ?? {}), ...(join.options.equal ?? [])])
  const names = new Set(branches.flatMap((branch) => [...branch.snapshot.entries.keys()]))
  const set = new Map<string, HeldArtifact>()
  const unhandled: Array<string> = []
  for (const name of names) {
    if (exclude.has(name)) continue
    if (conflicts.has(name) && !handled.has(name)) unhandled.push(name)
    else if (conflicts.has(name)) {
      const artifact = await resolveConflict(env, join, name, branches, userCode, logs)
      if (artifact !== undefined) set.set(name, artifact)
    } else {
      const source = branches.find((b) => b.written.has(name)) ?? branches.find((b) => b.snapshot.entries.has(name))
      const artifact = source === undefined ? undefined : artifactOf(source.snapshot, name)
      if (artifact !== undefined) set.set(name, artifact)
    }
  }
  const removed = [...before.entries.keys()].filter((name) => !set.has(name))
  return { merged: deriveSnapshot(before, set, removed, undefined), unhandled: unhandled.sort() }
}

/** Applies a join function's output over the merged snapshot. */
const finishJoin = async (
  env: AttemptEnv,
  join: JoinSpec,
  before: Snapshot,
  merged: Snapshot,
  output: unknown,
  alsoWritten: ReadonlyArray<string>,
  lineage: { readonly reads: ReadHashes; readonly inputReads: ReadonlyArray<InputReads> }
): Promise<AttemptResult> => {
  const names = outputNames(env, join.name, output)
  const changes = await storeOutput(env, join.name, merged, output as Readonly<Record<string, unknown>>, names)
  const next = deriveSnapshot(merged, changes, [], undefined)
  const written = [...alsoWritten, ...names]
  const { artifacts, removed } = delta(before, next)
  // What the join passes on as written in its scope but did not change is recorded too: a resumed run that
  // reuses this join needs it for the joins around it.
  const rewritten = written.filter((name) => !Object.hasOwn(artifacts, name) && next.entries.has(name))
  return { next, written, artifacts, removed, rewritten, ...lineage }
}

/** A join's read logs: one per input (by branch name or task index), kept in input order. */
type BranchLogs = Map<string, ReadLog>

/** Reads of the inputs that read anything, each input's names hashed with `entryOf`. */
const inputReadsOf = (
  logs: BranchLogs,
  entryOf: (input: string, name: string) => ArtifactEntry | undefined
): ReadonlyArray<InputReads> => {
  const out: Array<InputReads> = []
  for (const [input, log] of logs) {
    if (log.size > 0) out.push({ input, reads: log.hashes((name) => entryOf(input, name)) })
  }
  return out
}

/**
 * Calls the join's function, if it has one, with the inputs and the merged record (both tracked); resolves to
 * its output and what it read from the merged record.
 */
const callJoinFunction = async (
  join: JoinSpec,
  inputs: unknown,
  merged: Snapshot,
  ctx: unknown,
  userCode: UserCode,
  logs: BranchLogs
): Promise<{ output: unknown; reads: ReadHashes }> => {
  const fn = join.fn as ((inputs: unknown, a: unknown, ctx: unknown) => unknown) | undefined
  if (fn === undefined) return { output: undefined, reads: NO_READS }
  const own = new ReadLog()
  const record = tracked(merged.values, own)
  try {
    const output = await userCode(() => fn(inputs, record, ctx))
    return { output, reads: own.hashes((name) => merged.entries.get(name)) }
  } finally {
    own.close()
    for (const log of logs.values()) log.close()
  }
}

/** A split join's attempt: the merge of the branches over `before` (the snapshot before the split), then its function. */
export const splitJoinBody = async (
  env: AttemptEnv,
  join: JoinSpec,
  before: Snapshot,
  branches: ReadonlyArray<BranchOutcome>,
  ctx: AttemptContext,
  userCode: UserCode
): Promise<AttemptResult> => {
  const logs: BranchLogs = new Map(branches.map((branch) => [branch.name, new ReadLog()]))
  const { merged, unhandled } = await mergeBranches(env, join, before, branches, userCode, logs)
  const inputs = Object.freeze(
    Object.fromEntries(branches.map((branch) => [branch.name, tracked(branch.snapshot.values, logs.get(branch.name) as ReadLog)]))
  )
  const { output, reads } = await callJoinFunction(join, inputs, merged, ctx, userCode, logs)
  const returned = new Set(outputNames(env, join.name, output))
  const missing = unhandled.find((name) => !returned.has(name))
  if (missing !== undefined) throw new FlowDefinitionError(conflictUnhandled(join.name, missing))
  const exclude = new Set(join.options.exclude ?? [])
  const written = [...new Set(branches.flatMap((branch) => [...branch.written]))].filter((name) => !exclude.has(name))
  const byName = new Map(branches.map((branch) => [branch.name, branch.snapshot.entries]))
  const inputReads = inputReadsOf(logs, (input, name) => byName.get(input)?.get(name))
  return finishJoin(env, join, before, merged, output, written, { reads, inputReads })
}

/** The artifacts listed in a foreach join's `equal`, checked across every task. */
const equalArtifacts = (join: JoinSpec, before: Snapshot, ends: ReadonlyArray<TaskEnd>): Map<string, HeldArtifact> => {
  const set = new Map<string, HeldArtifact>()
  if (ends.length === 0) return set
  for (const name of join.options.equal ?? []) {
    if (!ends.some((end) => end.written.has(name))) throw new FlowDefinitionError(equalNotWritten(join.name, name))
    const holders = ends.map((end, index) => ({ label: `task ${index}`, artifact: artifactAt(before, end, name) }))
    const absent = holders.find((holder) => holder.artifact === undefined)
    const present = holders.find((holder) => holder.artifact !== undefined)
    if (absent !== undefined) {
      throw new FlowDefinitionError(equalMismatch(join.name, name, present?.label ?? "task 0", absent.label))
    }
    checkEqual(join.name, name, holders as ReadonlyArray<{ label: string; artifact: HeldArtifact }>)
    set.set(name, holders[0]?.artifact as HeldArtifact)
  }
  return set
}

/** A foreach join's attempt: the `equal` artifacts checked across the tasks, then its function on their records. */
export const foreachJoinBody = async (
  env: AttemptEnv,
  join: JoinSpec,
  before: Snapshot,
  ends: ReadonlyArray<TaskEnd>,
  ctx: AttemptContext,
  userCode: UserCode
): Promise<AttemptResult> => {
  const equal = equalArtifacts(join, before, ends)
  const merged = deriveSnapshot(before, equal, [], undefined)
  // Records are rebuilt only for a join function to read, and live only as long as it holds them.
  const logs: BranchLogs = new Map()
  const inputs =
    join.fn === undefined
      ? []
      : Object.freeze(
          ends.map((end, index) => {
            const log = new ReadLog()
            logs.set(String(index), log)
            return tracked(recordAt(before, end), log)
          })
        )
  const { output, reads } = await callJoinFunction(join, inputs, merged, ctx, userCode, logs)
  const inputReads = inputReadsOf(logs, (input, name) => {
    const end = ends[Number(input)]
    return end === undefined ? undefined : artifactAt(before, end, name)?.entry
  })
  return finishJoin(env, join, before, merged, output, [...equal.keys()], { reads, inputReads })
}
