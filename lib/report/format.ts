/**
 * Small formatters every renderer shares: escaping user text for HTML/SVG, and sizes and durations as
 * people read them. Pure and deterministic (no locale, no clock).
 */

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;"
}

/**
 * Escapes text for HTML or XML (element content and quoted attribute values alike). Control characters that
 * XML 1.0 forbids become U+FFFD, so a standalone SVG stays well-formed whatever the user data holds.
 *
 * @example
 * escapeMarkup(`</script><img onerror="x">`) // "&lt;/script&gt;&lt;img onerror=&quot;x&quot;&gt;"
 */
export const escapeMarkup = (text: string): string =>
  text
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "\uFFFD")

const UNITS = ["KiB", "MiB", "GiB", "TiB"] as const

/**
 * A byte count as people read it: "512 B", "1.5 KiB", "100 MiB" (binary units, one decimal under 10).
 *
 * @example
 * formatBytes(1536) // "1.5 KiB"
 */
export const formatBytes = (bytes: number): string => {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${bytes} B`
  let value = bytes
  let unit = -1
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`
}

const pad2 = (n: number): string => String(n).padStart(2, "0")

/**
 * A duration as people read it: "850ms", "1.2s", "2m 03s", "1h 05m".
 *
 * @example
 * formatDuration(123_000) // "2m 03s"
 */
export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return "?"
  if (ms < 1000) return `${Math.round(ms)}ms`
  // Below 59.95 s one decimal cannot round up to "60.0s".
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad2(seconds % 60)}s`
  return `${Math.floor(seconds / 3600)}h ${pad2(Math.floor(seconds / 60) % 60)}m`
}

/**
 * "1 task", "3 tasks": a count with its noun, singular for one.
 *
 * @example
 * plural(3, "task") // "3 tasks"
 */
export const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`

/**
 * An epoch-milliseconds time as UTC ISO text without milliseconds ("2025-01-02 03:04:05Z"), or "-".
 *
 * @example
 * formatTime(0) // "1970-01-01 00:00:00Z"
 */
export const formatTime = (ms: number | undefined): string =>
  ms === undefined || !Number.isFinite(ms)
    ? "-"
    : new Date(ms)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z")
