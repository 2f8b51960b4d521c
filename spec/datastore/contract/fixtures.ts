/** Records for the conformance suite: valid run metadata and task manifests with fixed times. */
import type { Datastore } from "../../../lib/datastore/Datastore.js"
import { STORE_FORMAT } from "../../../lib/datastore/Manifest.js"
import type { ArtifactEntry, RunMeta, TaskManifest } from "../../../lib/datastore/Manifest.js"
import { storeValue } from "../../../lib/datastore/artifacts.js"

/** What every section of the suite gets from an adapter's harness. */
export interface StoreHarness {
  readonly store: Datastore
  /** Changes one byte of a stored blob, keeping its size. */
  corruptBlob(hash: string): Promise<void>
  /** Cuts a stored blob to half its size. */
  truncateBlob(hash: string): Promise<void>
  /** Removes everything the harness created. */
  cleanup(): Promise<void>
}

export type MakeHarness = () => Promise<StoreHarness>

/** Runs `body` against a fresh harness and always cleans up. */
export const withStore = async (make: MakeHarness, body: (harness: StoreHarness) => Promise<void>): Promise<void> => {
  const harness = await make()
  try {
    await body(harness)
  } finally {
    await harness.cleanup()
  }
}

export const runMeta = (flow: string, runId: string, startedAt = 1_000, extra: Partial<RunMeta> = {}): RunMeta => ({
  format: STORE_FORMAT,
  flow,
  runId,
  status: "running",
  startedAt,
  params: {},
  paramDefs: { lr: { kind: "param", type: "number", required: false, default: "0.1", help: "learning rate" } },
  graph: { nodes: [{ kind: "step", name: "start", options: {} }] },
  versions: { artiflow: "0.1.0", node: "v20" },
  user: "tester",
  tags: [],
  ...extra
})

export const manifest = (step: string, taskId = "0", attempt = 0, extra: Partial<TaskManifest> = {}): TaskManifest => ({
  step,
  taskId,
  attempt,
  foreachStack: [],
  status: "succeeded",
  startedAt: 10,
  finishedAt: 20,
  artifacts: {},
  ...extra
})

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Stores a value that must be storable and returns its entry. */
export const stored = async (store: Datastore, value: unknown): Promise<ArtifactEntry> => {
  const entry = await storeValue(store, value)
  if (entry._tag === "Left") throw new Error(`expected storable: ${JSON.stringify(entry.left)}`)
  return entry.right
}

/** Whether two views hold the same bytes. */
export const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
