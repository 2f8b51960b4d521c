/**
 * A run's tags as stores keep them: the tags the run was created with (in its metadata) and the changes made
 * since (`Datastore.updateTags`), kept apart so that rewriting the metadata (the run's own `updateRun` at its
 * end) cannot undo a change another process made meanwhile. The run's tags are the changes applied, in the
 * order they were made, to the tags in its metadata: a tag that was ever changed is decided by its latest
 * change, any other by the metadata. Applying the same changes twice gives the same tags, so metadata
 * written back with tags that already include some changes (what `readRun` returns) reads the same.
 */
import { IntegrityError, StorageError } from "../errors.js"
import { normalizeTags, tagsProblem } from "../tags.js"
import type { TagChange } from "./Datastore.js"

/** The tags `base` becomes with `changes` applied in order (each change removes, then adds), as a sorted set. */
export const applyTagChanges = (base: ReadonlyArray<string>, changes: Iterable<TagChange>): ReadonlyArray<string> => {
  const tags = new Set(base)
  for (const change of changes) {
    for (const tag of change.remove) tags.delete(tag)
    for (const tag of change.add) tags.add(tag)
  }
  return normalizeTags(tags)
}

/** Throws a StorageError unless `change` is `{ add, remove }` with valid tags (stores check what they keep). */
export const assertValidTagChange = (change: TagChange, flow: string, runId: string): void => {
  const where = `tags of run '${runId}' of flow '${flow}'`
  const shapeOk = typeof change === "object" && change !== null
  const problem = shapeOk
    ? (tagsProblem(where, "add", change.add) ?? tagsProblem(where, "remove", change.remove))
    : `artiflow: ${where}: a tag change must be { add: string[], remove: string[] }`
  if (problem !== undefined) throw new StorageError(problem)
}

/** A tag change as stored: one line of JSON, the same keys in the same order every time. */
export const encodeTagChange = (change: TagChange): string => JSON.stringify({ add: change.add, remove: change.remove })

const isTagList = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((tag) => typeof tag === "string")

/** Parses a stored tag change; IntegrityError naming `where` when it is not one. */
export const decodeTagChange = (text: string, where: string): TagChange => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new IntegrityError(`artiflow: tag change ${where} is not valid JSON (${(error as Error).message})`)
  }
  const { add, remove } = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>
  if (!isTagList(add) || !isTagList(remove)) throw new IntegrityError(`artiflow: tag change ${where} is not a tag change`)
  return { add, remove }
}
