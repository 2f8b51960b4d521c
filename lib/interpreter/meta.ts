/**
 * The run metadata written at the start and rewritten at the end of a run: the flow, its parameters and
 * configs, their definitions, where each config was read from, the graph, the source file, versions, the
 * user, times and status.
 */
import { createRequire } from "node:module"
import { userInfo } from "node:os"
import type { ArtifactEntry, RunMeta, StoredConfigSource, StoredParamDef } from "../datastore/Manifest.js"
import { STORE_FORMAT } from "../datastore/Manifest.js"
import type { ConfigDef, ParamSpec } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { describeFlow } from "../dsl/graph.js"

const packageVersion = (): string => {
  try {
    return String((createRequire(import.meta.url)("../../package.json") as { version?: unknown }).version ?? "unknown")
  } catch {
    return "unknown"
  }
}

/** The version of artiflow recorded with every run. */
export const ARTIFLOW_VERSION = packageVersion()

const currentUser = (): string => {
  try {
    return userInfo().username
  } catch {
    return process.env["USER"] ?? "unknown"
  }
}

const jsonText = (value: unknown): string | undefined => {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}

const storedConfigDef = (spec: ConfigDef): StoredParamDef => ({
  kind: "config",
  type: spec.codec.name,
  required: spec.default === undefined,
  ...(spec.help !== undefined && { help: spec.help }),
  ...(spec.default !== undefined && { default: JSON.stringify(spec.default) })
})

const storedDef = (spec: ParamSpec): StoredParamDef => {
  if (spec._tag === "IncludeFile") {
    return {
      kind: "file",
      type: spec.encoding === "binary" ? "file (binary)" : "file (utf8)",
      required: spec.required,
      encoding: spec.encoding,
      ...(spec.help !== undefined && { help: spec.help }),
      ...(spec.default !== undefined && { default: JSON.stringify(spec.default) })
    }
  }
  const text = spec.hasDefault ? jsonText(spec.default) : undefined
  return {
    kind: "param",
    type: spec.codec.name,
    required: !spec.hasDefault,
    ...(spec.help !== undefined && { help: spec.help }),
    ...(text !== undefined && { default: text })
  }
}

/** `configs`: where each config's value came from; runs of flows without configs record none (as before configs). */
export const startMeta = (
  flow: FlowValue,
  runId: string,
  params: Readonly<Record<string, ArtifactEntry>>,
  originRunId: string | undefined,
  configs: Readonly<Record<string, StoredConfigSource>> = {}
): RunMeta => ({
  format: STORE_FORMAT,
  flow: flow.name,
  runId,
  status: "running",
  startedAt: Date.now(),
  params,
  paramDefs: Object.fromEntries([
    ...Object.entries(flow.params).map(([name, spec]) => [name, storedDef(spec)] as const),
    ...Object.entries(flow.configs).map(([name, spec]) => [name, storedConfigDef(spec)] as const)
  ]),
  ...(Object.keys(configs).length > 0 && { configs }),
  ...(flow.description !== undefined && { description: flow.description }),
  graph: describeFlow(flow),
  ...(flow.sourceFile !== undefined && { sourceFile: flow.sourceFile }),
  versions: { artiflow: ARTIFLOW_VERSION, node: process.version },
  user: currentUser(),
  ...(originRunId !== undefined && { originRunId })
})
