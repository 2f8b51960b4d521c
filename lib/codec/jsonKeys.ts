/**
 * Canonical key order for the JSON fast path: array-index keys ("0", "7", "42") ascending by value, then the
 * other keys by UTF-16 code units. It is the order JavaScript itself gives an object whose keys were inserted
 * sorted, so a sorted copy and a property list passed to `JSON.stringify` both produce it.
 */

const MAX_ARRAY_INDEX = 2 ** 32 - 2

/** Whether `key` is an array index, which JavaScript orders before every other key. */
export const isIndexKey = (key: string): boolean =>
  key.length <= 10 && /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) <= MAX_ARRAY_INDEX

/** Compares keys in canonical order. */
export const compareKeys = (a: string, b: string): number => {
  const aIndex = isIndexKey(a)
  const bIndex = isIndexKey(b)
  if (aIndex !== bIndex) return aIndex ? -1 : 1
  if (aIndex) return Number(a) - Number(b)
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Whether `key` may follow `previous` in canonical order, knowing that `previous < key` already failed:
 * JavaScript lists index keys first and ascending, and "10" < "9" in code units.
 */
export const indexOrdered = (previous: string, key: string): boolean =>
  isIndexKey(previous) && (!isIndexKey(key) || Number(previous) < Number(key))
