/**
 * Artifacts as `dump` shows them. Values are loaded one at a time, and only when their stored size is at
 * most 1 MiB, unless the user asked for that one artifact (`--artifact`): a dump never reads a 100 MB array
 * to print its first twenty numbers.
 */
import type { ArtifactInfo, TaskHandle } from "../client/TaskHandle.js"
import { NotFoundError } from "../errors.js"
import { firstLines, formatBytes, hangingIndent, inspectValue, oneLine, toJsonSafe } from "./format.js"
import { listNames } from "../listing.js"

/** Values stored in more bytes than this are not loaded unless asked for by name. */
export const LOAD_LIMIT_BYTES = 1024 * 1024

/** Lines of an inspected value shown before it is cut (unless asked for by name). */
const MAX_LINES = 40

/** An artifact to show: how it is stored and, when it was loaded, its value. */
export interface ArtifactView {
  readonly name: string
  /** How it is stored (absent for the parameters of a flow without steps, which have no task). */
  readonly info: ArtifactInfo | undefined
  readonly loaded: boolean
  readonly value: unknown
  /** It was asked for by name: shown in full. */
  readonly requested: boolean
}

/**
 * The artifacts of a task (or only `only`, which must exist: a missing name is the client's NotFoundError,
 * listing the names that do). Values over the load limit are not loaded, except the one asked for.
 */
export const taskArtifacts = async (task: TaskHandle, only: string | undefined): Promise<ReadonlyArray<ArtifactView>> => {
  const names = only === undefined ? await task.artifactNames() : [only]
  const views: Array<ArtifactView> = []
  for (const name of names) {
    const info = await task.info(name)
    const requested = only !== undefined
    const loaded = requested || info.size <= LOAD_LIMIT_BYTES
    views.push({ name, info, loaded, requested, value: loaded ? await task.artifact(name) : undefined })
  }
  return views
}

/** Values held in memory already (the parameters of a run), as views; `only` must be one of them. */
export const valueViews = (values: Readonly<Record<string, unknown>>, only: string | undefined): ReadonlyArray<ArtifactView> => {
  const names = Object.keys(values).sort()
  if (only !== undefined && !names.includes(only)) {
    throw new NotFoundError(`artiflow: no artifact '${only}' (artifacts: ${listNames(names)})`)
  }
  return names
    .filter((name) => only === undefined || name === only)
    .map((name) => ({ name, info: undefined, loaded: true, requested: only !== undefined, value: values[name] }))
}

/** "47.3 MiB", or "47.3 MiB, 3.5 MiB compressed" when the store holds fewer bytes than the value has. */
const sizeText = (info: ArtifactInfo): string =>
  info.stored === undefined
    ? formatBytes(info.size)
    : `${formatBytes(info.size)}, ${formatBytes(info.stored.size)} compressed`

const label = (view: ArtifactView): string =>
  view.info === undefined ? view.name : `${view.name} (${view.info.type}, ${sizeText(view.info)})`

const notLoaded = (view: ArtifactView, hint: string): string =>
  `${label(view)}: not loaded (over ${formatBytes(LOAD_LIMIT_BYTES)}): ${hint} --artifact ${view.name}`

/** How `artifactText` renders. */
export interface ArtifactStyle {
  readonly colors: boolean
  /** One line per artifact, cut to `width` (for a step's many tasks). */
  readonly compact: boolean
  readonly width: number
  /** The dump command to repeat with `--artifact <name>` to see a value not loaded. */
  readonly hint: string
}

/**
 * An artifact as text: `name (type, size) = value`. A value over the load limit says how to get it; a long
 * value is cut (inspect's own limits, then at most 40 lines) unless it was asked for by name.
 */
export const artifactText = (view: ArtifactView, style: ArtifactStyle): string => {
  if (!view.loaded) return notLoaded(view, style.hint)
  const head = `${label(view)} =`
  if (style.compact && !view.requested) return `${head} ${oneLine(view.value, Math.max(20, style.width - head.length - 1))}`
  const text = inspectValue(view.value, { colors: style.colors, full: view.requested })
  const shown = view.requested ? text : firstLines(text, MAX_LINES)
  return text.includes("\n") ? `${head}\n  ${hangingIndent(shown, "  ")}` : `${head} ${shown}`
}

/**
 * An artifact as `--json` prints it: how it is stored and its JSON-safe value, or why the value was left out.
 *
 * @example
 * artifactJson(view) // { type: "Array", size: 12, encoding: "json", hash: "ab…", value: [1, 2, 3] }
 */
export const artifactJson = (view: ArtifactView): object => {
  const { info } = view
  const compressed = info?.stored === undefined ? {} : { stored: info.stored }
  const stored =
    info === undefined
      ? {}
      : { type: info.type, size: info.size, encoding: info.encoding, hash: info.hash, ...compressed }
  if (view.loaded) return { ...stored, value: toJsonSafe(view.value) }
  const size = formatBytes(info?.size ?? 0)
  return { ...stored, omitted: `stored size ${size} is over ${formatBytes(LOAD_LIMIT_BYTES)}: ask for it with --artifact ${view.name}` }
}

/** Views as a JSON object keyed by artifact name. */
export const artifactsJson = (views: ReadonlyArray<ArtifactView>): Readonly<Record<string, object>> =>
  Object.fromEntries(views.map((view) => [view.name, artifactJson(view)]))
