/**
 * The read side: past runs of any flow, from code. Everything is read lazily and one artifact at a time,
 * and every load verifies the stored hash.
 */
import type { Datastore, RunSummary } from "../datastore/Datastore.js"
import type { RunMeta } from "../datastore/Manifest.js"
import { loadValue } from "../datastore/load.js"
import { localStore } from "../datastore/local.js"
import { NotFoundError } from "../errors.js"
import { setOwnProperty } from "../ownProperty.js"
import type { ArtifactsOf, Flow } from "../types/flow.js"
import { listNames } from "../listing.js"
import { RunHandle } from "./RunHandle.js"
import { Snapshots } from "./Snapshots.js"

const flowName = (flow: string | Flow): string => (typeof flow === "string" ? flow : flow.name)

/**
 * Opens a datastore for reading.
 *
 * @example
 * import { Client, memoryStore } from "artiflow"
 *
 * const client = Client.open(memoryStore())
 * const runs = await client.runs("Train") // newest first
 * const latest = await client.run("Train") // or client.run(Train) for typed artifacts
 * const best = await latest.artifact("best")
 * const fits = await latest.step("fit").tasks() // foreach tasks in index order
 */
export class Client {
  private constructor(private readonly store: Datastore) {}

  /** A client over `store` (default: `localStore()`, i.e. `$ARTIFLOW_HOME` or `./.artiflow`). */
  static open(store?: Datastore): Client {
    return new Client(store ?? localStore())
  }

  /** Names of the flows with runs, sorted. */
  flows(): Promise<ReadonlyArray<string>> {
    return this.store.listFlows()
  }

  /** The runs of a flow, newest first. */
  async runs(flow: string | Flow): Promise<ReadonlyArray<RunSummary>> {
    const name = flowName(flow)
    const runs = await this.store.listRuns(name)
    if (runs.length === 0) await this.assertFlowExists(name)
    return runs
  }

  /** A run of a flow: the latest one when `runId` is omitted. Typed when given the flow definition. */
  run<F extends Flow>(flow: F, runId?: string): Promise<RunHandle<ArtifactsOf<F>>>
  run(flow: string, runId?: string): Promise<RunHandle>
  async run(flow: string | Flow, runId?: string): Promise<RunHandle<object>> {
    const name = flowName(flow)
    const meta = await this.meta(name, runId)
    const snapshots = new Snapshots(this.store, name)
    // meta.params holds the configs' values too (both start the first record); the handle shows them apart.
    const params: Record<string, unknown> = {}
    const configs: Record<string, unknown> = {}
    for (const [param, entry] of Object.entries(meta.params)) {
      const value = await loadValue(this.store, entry, { flow: name, runId: meta.runId, step: "(params)", taskId: "-", artifact: param })
      const isConfig = Object.hasOwn(meta.paramDefs, param) && meta.paramDefs[param]?.kind === "config"
      setOwnProperty(isConfig ? configs : params, param, value)
    }
    return new RunHandle(this.store, snapshots, meta, Object.freeze(params), Object.freeze(configs))
  }

  private async meta(flow: string, runId: string | undefined): Promise<RunMeta> {
    if (runId === undefined) {
      const latest = (await this.runs(flow))[0]
      if (latest === undefined) throw new NotFoundError(`artiflow: flow '${flow}' has no runs in the ${this.store.description}`)
      runId = latest.runId
    }
    const meta = await this.store.readRun(flow, runId)
    if (meta !== undefined) return meta
    await this.assertFlowExists(flow)
    const recent = (await this.store.listRuns(flow)).slice(0, 10).map((run) => run.runId)
    throw new NotFoundError(`artiflow: flow '${flow}' has no run '${runId}' (latest runs: ${listNames(recent)})`)
  }

  private async assertFlowExists(flow: string): Promise<void> {
    const flows = await this.store.listFlows()
    if (!flows.includes(flow)) {
      throw new NotFoundError(`artiflow: no flow '${flow}' in the ${this.store.description} (flows: ${listNames(flows)})`)
    }
  }
}
