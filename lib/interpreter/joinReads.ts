/**
 * What a join's manifest says about what its function read from its inputs (lineage): a split join lists each
 * branch with its snapshot; a foreach join groups its inputs by the names they read and stores each input as
 * [index, attempt] (Manifest.ts, StoredForeachReads), because all of them are tasks of one step of this run.
 */
import type { SnapshotRef, StoredForeachReads, StoredInputReads, TaskManifest } from "../datastore/Manifest.js"
import type { AttemptSucceeded, AttemptWork } from "../executor/Executor.js"

type Lineage = Pick<TaskManifest, "reads" | "inputReads" | "foreachReads">

/** Where input `input` of a foreach join is, if it fits the compact form: a task `${prefix}${index}` of `step`. */
const compactRef = (ref: SnapshotRef | undefined, first: SnapshotRef | undefined, prefix: string, index: number): boolean =>
  ref !== undefined &&
  first !== undefined &&
  ref.runId === first.runId &&
  ref.step === first.step &&
  ref.taskId === `${prefix}${index}`

/** The task id prefix of a foreach's body tasks, from one of them: "3.1.7" -> "3.1.". */
const prefixOf = (ref: SnapshotRef, index: number): string | undefined => {
  const suffix = String(index)
  if (ref.taskId === suffix) return ""
  return ref.taskId.endsWith(`.${suffix}`) ? ref.taskId.slice(0, ref.taskId.length - suffix.length) : undefined
}

const foreachLineage = (ends: Extract<AttemptWork, { kind: "foreach-join" }>["ends"], outcome: AttemptSucceeded): Lineage => {
  const inputs = outcome.inputReads ?? []
  const firstRead = inputs[0]
  const first = firstRead === undefined ? undefined : ends[Number(firstRead.input)]?.ref
  const prefix = first === undefined || firstRead === undefined ? undefined : prefixOf(first, Number(firstRead.input))
  const groups = new Map<string, { names: ReadonlyArray<string>; inputs: Array<readonly [number, number]> }>()
  const loose: Array<StoredInputReads> = []
  for (const { input, reads } of inputs) {
    const index = Number(input)
    const ref = ends[index]?.ref
    if (prefix === undefined || !compactRef(ref, first, prefix, index)) {
      loose.push(ref === undefined ? { input, reads } : { input, from: ref, reads })
      continue
    }
    const names = Object.keys(reads)
    const key = names.join("\u0000")
    const group = groups.get(key)
    const at = [index, (ref as SnapshotRef).attempt] as const
    if (group === undefined) groups.set(key, { names, inputs: [at] })
    else group.inputs.push(at)
  }
  const foreachReads: StoredForeachReads | undefined =
    groups.size === 0 || first === undefined || prefix === undefined
      ? undefined
      : { runId: first.runId, step: first.step, prefix, groups: [...groups.values()] }
  return {
    reads: outcome.reads,
    ...(loose.length > 0 && { inputReads: loose }),
    ...(foreachReads !== undefined && { foreachReads })
  }
}

/** What a succeeded attempt's manifest says about what its function read. */
export const lineageOf = (work: AttemptWork, outcome: AttemptSucceeded): Lineage => {
  if (work.kind === "foreach-join") return foreachLineage(work.ends, outcome)
  if (work.kind !== "split-join") return { reads: outcome.reads }
  const inputReads: Array<StoredInputReads> = []
  for (const { input, reads } of outcome.inputReads ?? []) {
    const from = work.branches.find((branch) => branch.name === input)?.snapshot.ref
    inputReads.push(from === undefined ? { input, reads } : { input, from, reads })
  }
  return inputReads.length === 0 ? { reads: outcome.reads } : { reads: outcome.reads, inputReads }
}
