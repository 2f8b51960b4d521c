/**
 * Locating a part of a value for error reports: "model.weights", "items[3]", "cache.<Map value>.fn".
 * Walkers keep a stack of segments and format it only when something fails, so the happy path pays nothing.
 */

/** One step into a value: a property name, an array index, or a position with no name (a Map key...). */
export type PathSegment = string | number | { readonly label: string }

/** The position of a Map key (it has no name of its own). */
export const MAP_KEY: PathSegment = { label: "<Map key>" }
/** The position of a Map value. */
export const MAP_VALUE: PathSegment = { label: "<Map value>" }
/** The position of a Set member. */
export const SET_MEMBER: PathSegment = { label: "<Set member>" }

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

const formatSegment = (segment: PathSegment, first: boolean): string => {
  if (typeof segment === "number") return `[${segment}]`
  if (typeof segment === "string") {
    if (!IDENTIFIER.test(segment)) return `[${JSON.stringify(segment)}]`
    return first ? segment : `.${segment}`
  }
  return first ? segment.label : `.${segment.label}`
}

/** Paths longer than this many segments keep their ends only: a path through 1000 levels helps nobody. */
const MAX_SEGMENTS = 40

/**
 * Formats a segment stack: `[]` is `""`, `["model", "predict"]` is `"model.predict"`, `["items", 3]` is
 * `"items[3]"`, `["a b"]` is `'["a b"]'`. Very long paths keep their first and last segments around "...".
 */
export const formatPath = (segments: ReadonlyArray<PathSegment>): string => {
  const formatted = segments.map((segment, i) => formatSegment(segment, i === 0))
  if (formatted.length <= MAX_SEGMENTS) return formatted.join("")
  const half = MAX_SEGMENTS / 2
  return `${formatted.slice(0, half).join("")}...${formatted.slice(-half).join("")}`
}
