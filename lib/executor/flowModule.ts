/**
 * Where workers find a flow: the module that builds it (recorded when `flow(...)` is called) and the name it
 * is exported under. A worker imports that module itself, so a flow run on worker threads or BullMQ workers
 * must be exported; the scheduler checks this before any task starts. Its graph's hash tells a worker whether
 * it has the same version of the flow as the scheduler.
 */
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"
import { sha256Hex } from "../codec/hash.js"
import { describeFlow } from "../dsl/graph.js"
import { FlowValue } from "../dsl/FlowValue.js"
import { FlowDefinitionError } from "../errors.js"
import { listNames } from "../listing.js"
import { dynamicImport } from "../dynamicImport.js"

/** A flow's module and export. */
export interface FlowLocation {
  readonly module: string
  readonly exportName: string
}

/** sha256 of the flow's graph (steps, joins, options): equal for two copies of one version of a flow. */
export const graphHash = (flow: FlowValue): string => sha256Hex(JSON.stringify(describeFlow(flow)))

const isFlowLike = (value: unknown): value is { readonly _tag: "Flow"; readonly name: string } =>
  typeof value === "object" && value !== null && (value as { _tag?: unknown })._tag === "Flow"

/** A module's exports; a CommonJS module's `module.exports` shows as `default` when imported. */
const exportsOf = (namespace: Readonly<Record<string, unknown>>): ReadonlyArray<readonly [string, unknown]> => {
  const own = Object.entries(namespace)
  const fallback = namespace["default"]
  if (isFlowLike(fallback) || typeof fallback !== "object" || fallback === null) return own
  return [...own, ...Object.entries(fallback as Record<string, unknown>)]
}

const notExported = (flow: FlowValue, where: string, module: string, others: ReadonlyArray<string>): FlowDefinitionError =>
  new FlowDefinitionError(
    `artiflow: flow '${flow.name}' is not exported from ${module}, the module that builds it: ${where} runs flows ` +
      `in workers that import them from their module, so export it (export const ${flow.name} = pipe(flow("${flow.name}"), ...)) ` +
      `and run that export (flows exported there: ${listNames(others)})`
  )

/**
 * A loaded module's exports: a CommonJS file the CLI loaded with `require` (TypeScript included) is in the
 * require cache; anything else is imported (already loaded: no second evaluation).
 */
const namespaceOf = async (module: string): Promise<Readonly<Record<string, unknown>>> => {
  const cached = createRequire(import.meta.url).cache[module]
  if (cached?.loaded === true) return { default: cached.exports as unknown }
  return (await dynamicImport(pathToFileURL(module).href)) as Readonly<Record<string, unknown>>
}

/**
 * The module and export of `flow`, found by importing the module that built it (already loaded: this costs no
 * second evaluation) and looking for the very value. `where` names what needs it, for messages.
 */
export const locateFlow = async (flow: FlowValue, where: string): Promise<FlowLocation> => {
  const module = flow.sourceFile
  if (module === undefined) {
    throw new FlowDefinitionError(
      `artiflow: flow '${flow.name}' was built where artiflow cannot tell its module (no file in the stack): ${where} runs ` +
        "flows in workers that import them, so build and export it in a module file"
    )
  }
  let namespace: Readonly<Record<string, unknown>>
  try {
    namespace = await namespaceOf(module)
  } catch (error) {
    throw new FlowDefinitionError(
      `artiflow: flow '${flow.name}' comes from ${module}, which does not import here (${error instanceof Error ? error.message : String(error)}): ${where} needs a module its workers can import`
    )
  }
  const exported = exportsOf(namespace)
  const found = exported.find(([, value]) => value === flow)
  if (found !== undefined) return { module, exportName: found[0] }
  const others = exported.filter(([, value]) => value instanceof FlowValue).map(([name]) => name)
  throw notExported(flow, where, module, [...new Set(others)])
}
