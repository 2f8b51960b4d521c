/** "a, b, c" (at most `max` names, then "and N more"), for error messages that list what exists. */
export const listNames = (names: Iterable<string>, max = 20): string => {
  const all = [...names]
  if (all.length === 0) return "none"
  const shown = all.slice(0, max).map((name) => `'${name}'`)
  return all.length > max ? `${shown.join(", ")} and ${all.length - max} more` : shown.join(", ")
}
