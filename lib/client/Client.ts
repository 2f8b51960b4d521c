/**
 * The read side: past runs of any flow, from code. Everything is read lazily and one artifact at a time,
 * and every load verifies the stored hash.
 */
import type { Datastore, RunSummary } from "../datastore/Datastore.js"
import type { RunMeta } from "../datastore/Manifest.js"
import { loadValue } from "../datastore/load.js"
import { defaultStore } from "../datastore/storeAt.js"
import { NotFoundError } from "../errors.js"
import { setOwnProperty } from "../ownProperty.js"
import type { ArtifactsOf, Flow } from "../types/flow.js"
import { listNames } from "../listing.js"
import { RunHandle } from "./RunHandle.js"
import { checkRunsOptions, filterRuns } from "./runsFilter.js"
import type { RunsOptions } from "./runsFilter.js"
import { Snapshots } from "./Snapshots.js"

const flowName = (flow: string | Flow): string => (typeof flow === "string" ? flow : flow.name)

/**
 * Opens a datastore for reading.
 *
 * @example
 * import { Client, memoryStore } from "artiflow"
 *
 * const client = Client.open(memoryStore())
 * const runs = await client.runs("Train") // newest first: [{ id, flow, status, startedAt, finishedAt, tags }, ...]
 * const good = await client.runs(Train, { tags: ["nightly", "good"], status: "succeeded", limit: 5 })
 * const latest = await client.run("Train") // or client.run(Train) for typed artifacts
 * const best = await latest.artifact("best")
 * const fits = await latest.step("fit").tasks() // foreach tasks in index order
 */
export class Client {
  private constructor(private readonly store: Datastore) {}

  /**
   * A client over `store` (default: the store `ARTIFLOW_STORE` names, else `localStore()`: `$ARTIFLOW_HOME` or
   * `./.artiflow`).
   */
  static open(store?: Datastore): Client {
    return new Client(store ?? defaultStore())
  }

  /** Names of the flows with runs, sorted. */
  flows(): Promise<ReadonlyArray<string>> {
    return this.store.listFlows()
  }

  /**
   * The runs of a flow (by name or definition), newest first, each as `{ id, flow, status, startedAt,
   * finishedAt, tags }`. `tags` keeps the runs holding all the given tags, `status` those with that status,
   * and `limit` the newest that many of those. An unknown flow is a NotFoundError listing the flows.
   */
  async runs(flow: string | Flow, options: RunsOptions = {}): Promise<ReadonlyArray<RunSummary>> {
    const name = flowName(flow)
    const filter = checkRunsOptions(name, options)
    const runs = await this.store.listRuns(name)
    if (runs.length === 0) await this.assertFlowExists(name)
    return filterRuns(runs, filter)
  }

  /** A run of a flow: the latest one when `runId` is omitted. Typed when given the flow definition. */
  run<F extends Flow>(flow: F, runId?: string): Promise<RunHandle<ArtifactsOf<F>>>
  run(flow: string, runId?: string): Promise<RunHandle>
  async run(flow: string | Flow, runId?: string): Promise<RunHandle<object>> {
    const name = flowName(flow)
    const meta = await this.meta(name, runId)
    const snapshots = new Snapshots(this.store, name, meta)
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
    if (runId === undefined) return this.latestMeta(flow)
    const meta = await this.store.readRun(flow, runId)
    if (meta !== undefined) return meta
    await this.assertFlowExists(flow)
    const recent = (await this.store.listRuns(flow)).slice(0, 10).map((run) => run.id)
    throw new NotFoundError(`artiflow: flow '${flow}' has no run '${runId}' (latest runs: ${listNames(recent)})`)
  }

  /**
   * The latest run's metadata. A store that reads every run's metadata to list its runs hands it back with the
   * listing (tags applied): then it needs no second read.
   */
  private async latestMeta(flow: string): Promise<RunMeta> {
    const latest = this.store.listRunMetas !== undefined ? (await this.store.listRunMetas(flow))[0] : (await this.store.listRuns(flow))[0]
    if (latest === undefined) {
      await this.assertFlowExists(flow)
      throw new NotFoundError(`artiflow: flow '${flow}' has no runs in the ${this.store.description}`)
    }
    return "runId" in latest ? latest : this.meta(flow, latest.id)
  }

  private async assertFlowExists(flow: string): Promise<void> {
    const flows = await this.store.listFlows()
    if (!flows.includes(flow)) {
      throw new NotFoundError(`artiflow: no flow '${flow}' in the ${this.store.description} (flows: ${listNames(flows)})`)
    }
  }
}
