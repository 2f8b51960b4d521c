/**
 * Loads a user's flow file and picks the flow to run. Any file Node runs works (`.ts`, `.mts`, `.cts`, `.js`,
 * `.mjs`, `.cjs`; ES module or CommonJS, inside a package or not): see importModule.ts. The file imports
 * "artiflow", which resolves to the same modules as this CLI, so the flows it exports are the CLI's own
 * `FlowValue`s.
 */
import { existsSync, statSync } from "node:fs"
import { resolve } from "node:path"
import { FlowValue } from "../dsl/FlowValue.js"
import { UsageError } from "./errors.js"
import { withoutLoaderFrames } from "./frames.js"
import { ModuleLoadError, importModule } from "./importModule.js"

/** A flow found in a file: the export it came from and the flow value. */
export interface LoadedFlow {
  readonly file: string
  readonly exportName: string
  readonly flow: FlowValue
}

const isFlowLike = (value: unknown): value is { readonly _tag: "Flow"; readonly name: string } =>
  typeof value === "object" && value !== null && (value as { _tag?: unknown })._tag === "Flow"

/** The flows a module exports (a flow exported under two names counts once, under its first name). */
const exportedFlows = (file: string, module: Readonly<Record<string, unknown>>): ReadonlyArray<LoadedFlow> => {
  const found: Array<LoadedFlow> = []
  for (const [exportName, value] of Object.entries(module)) {
    if (!isFlowLike(value) || found.some((entry) => entry.flow === value)) continue
    if (!(value instanceof FlowValue)) {
      throw new UsageError(
        `artiflow: export '${exportName}' of ${file} is a flow built with another copy of artiflow than this CLI's: run the artiflow installed next to the file (npx artiflow)`
      )
    }
    if (value.scope.kind === "flow") found.push({ file, exportName, flow: value })
  }
  return found
}

const describeExports = (flows: ReadonlyArray<LoadedFlow>): string =>
  flows.map(({ exportName, flow }) => (exportName === flow.name ? exportName : `${exportName} (flow '${flow.name}')`)).join(", ")

/** Why a file did not load: an artiflow rule's message as is, anything else with its stack (it is the user's bug). */
const loadFailure = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const isArtiflowError = typeof (error as { _tag?: unknown })._tag === "string"
  if (isArtiflowError || error.stack === undefined) return error.message
  return withoutLoaderFrames(error.stack)
}

/** A module's exports as name → value: a CommonJS file may export one flow as `module.exports` itself. */
const exportsOf = (loaded: unknown): Readonly<Record<string, unknown>> =>
  isFlowLike(loaded) ? { default: loaded } : typeof loaded === "object" && loaded !== null ? (loaded as Record<string, unknown>) : {}

/** Imports a file, turning a load failure (missing file, syntax error, a throw at top level) into a usage error. */
const importFile = async (file: string): Promise<Readonly<Record<string, unknown>>> => {
  const path = resolve(file)
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`artiflow: no such file: ${file}`)
  try {
    return exportsOf(await importModule(path, file))
  } catch (error) {
    if (!(error instanceof ModuleLoadError)) throw error
    const hint = error.hint === undefined ? "" : `${error.hint}\n`
    throw new UsageError(`artiflow: cannot load ${file}: ${hint}${loadFailure(error.cause)}`)
  }
}

/**
 * Loads `file` and returns the flow to use: the only flow it exports, or the one `choice` names (an export
 * name or a flow name). No flow, several flows and no `choice`, or a `choice` that matches nothing are usage
 * errors that list the flows the file exports.
 */
export const loadFlow = async (file: string, choice: string | undefined): Promise<LoadedFlow> => {
  const flows = exportedFlows(file, await importFile(file))
  if (flows.length === 0) {
    throw new UsageError(`artiflow: ${file} exports no flow: export one, e.g. export const MyFlow = pipe(flow("MyFlow"), ...)`)
  }
  if (choice === undefined) {
    if (flows.length === 1) return flows[0] as LoadedFlow
    throw new UsageError(`artiflow: ${file} exports several flows (${describeExports(flows)}): pick one with --flow <export>`)
  }
  const picked = flows.find((entry) => entry.exportName === choice) ?? flows.find((entry) => entry.flow.name === choice)
  if (picked === undefined) {
    throw new UsageError(`artiflow: ${file} exports no flow '${choice}' (flows: ${describeExports(flows)})`)
  }
  return picked
}

/**
 * Loads `file` and returns every flow it exports (`artiflow worker` serves them all), or only the one `choice`
 * names. A file without flows, or a `choice` that matches nothing, is a usage error listing what it exports.
 */
export const loadFlows = async (file: string, choice: string | undefined): Promise<ReadonlyArray<LoadedFlow>> => {
  if (choice !== undefined) return [await loadFlow(file, choice)]
  const flows = exportedFlows(file, await importFile(file))
  if (flows.length === 0) {
    throw new UsageError(`artiflow: ${file} exports no flow: export one, e.g. export const MyFlow = pipe(flow("MyFlow"), ...)`)
  }
  return flows
}
