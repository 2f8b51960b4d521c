/**
 * Run tags: labels such as "nightly" or "good" that users put on runs (`run(flow, { tags })`, `--tag`,
 * `handle.addTags(...)`) and filter runs by. One rule, checked at every edge (run and resume options, the
 * command line, the client, the stores) with one wording, so that a tag refused in one place is refused in
 * all of them with the same message. Tags end up in tables and terminals, hence no control characters.
 */
import { describeValue, invalidOption } from "./types/messages.js"

/** The longest tag, in characters (code points). */
export const MAX_TAG_LENGTH = 256

/** What a valid tag looks like, for error messages. */
export const TAG_RULE = `a tag is a string of 1 to ${MAX_TAG_LENGTH} characters without control characters`

// Unicode's control characters (category Cc): C0, DEL and C1. Line breaks and escape sequences among them.
const CONTROL = /\p{Cc}/u

const codePoint = (char: string): string => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`

/** What is wrong with `tag` ("is empty", ...), or undefined when it is a valid tag. */
export const tagProblem = (tag: unknown): string | undefined => {
  if (typeof tag !== "string") return "is not a string"
  if (tag === "") return "is empty"
  // Code points never outnumber UTF-16 units: count them only when the units are over the limit.
  if (tag.length > MAX_TAG_LENGTH) {
    const length = [...tag].length
    if (length > MAX_TAG_LENGTH) return `is ${length} characters long`
  }
  const control = CONTROL.exec(tag)
  return control === null ? undefined : `contains the control character ${codePoint(control[0])}`
}

/**
 * The message for a bad list of tags given as `option` (e.g. "tags") of `where` (e.g. "run of flow 'Train'"),
 * naming the first bad tag and the rule; undefined when `tags` is an array of valid tags.
 *
 * @example
 * tagsProblem("run of flow 'Train'", "tags", ["ok", ""])
 * // "artiflow: run of flow 'Train': tag \"\" is empty: a tag is a string of 1 to 256 characters without control characters"
 */
export const tagsProblem = (where: string, option: string, tags: unknown): string | undefined => {
  if (!Array.isArray(tags)) return invalidOption(where, option, "an array of tags (strings)", tags)
  for (const tag of tags as ReadonlyArray<unknown>) {
    const problem = tagProblem(tag)
    if (problem !== undefined) return invalidTag(where, tag, problem)
  }
  return undefined
}

/** The message for one bad tag: where, the tag, what is wrong with it, and the rule. */
export const invalidTag = (where: string, tag: unknown, problem: string): string =>
  `artiflow: ${where}: tag ${describeValue(tag)} ${problem}: ${TAG_RULE}`

/**
 * Tags as a set: without repeats, sorted (by UTF-16 code units, the same in every locale), so that a run's
 * tags read the same whichever order they were given or added in.
 *
 * @example
 * normalizeTags(["b", "a", "b"]) // ["a", "b"]
 */
export const normalizeTags = (tags: Iterable<string>): ReadonlyArray<string> => [...new Set(tags)].sort()
