/**
 * The run metadata written at the start and rewritten at the end of a run: the flow, its parameters and
 * their definitions, configs, where each config was read from, the graph, the source file, versions, the
 * user and host, the tags it started with, times and status.
 */
import { hostname, userInfo } from "node:os"
import type { ArtifactEntry, RunMeta, StoredConfigSource, StoredParamDef } from "../datastore/Manifest.js"
import { STORE_FORMAT } from "../datastore/Manifest.js"
import type { ConfigDef, ParamSpec } from "../dsl/ast.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import { describeFlow } from "../dsl/graph.js"
import { packageVersion } from "../ownPackage.js"
import { normalizeTags } from "../tags.js"

/** The version of artiflow recorded with every run. */
export const ARTIFLOW_VERSION = packageVersion()

/** `$USER` (what a shell session says it is, also under sudo -E or in containers), else the OS account. */
const currentUser = (): string => {
  const fromEnvironment = process.env["USER"]
  if (fromEnvironment !== undefined && fromEnvironment !== "") return fromEnvironment
  try {
    return userInfo().username
  } catch {
    return "unknown"
  }
}

/** This machine's name (`os.hostname()`), or "unknown". */
export const currentHost = (): string => {
  try {
    return hostname()
  } catch {
    return "unknown"
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
  tags: ReadonlyArray<string>,
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
  host: currentHost(),
  tags: normalizeTags(tags),
  ...(originRunId !== undefined && { originRunId })
})
