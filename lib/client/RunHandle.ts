/**
 * A past run: its metadata (opening a run reads no blob), its final record and its steps. Typed when opened
 * with the flow definition (`client.run(Train)`): `artifact("best")` is then `Promise<number>`. Its tags can
 * be changed (`addTags`, `removeTags`): the only thing about a past run that can.
 */
import { setOwnProperty } from "../ownProperty.js"
import type { Datastore, TagChange } from "../datastore/Datastore.js"
import type { FlowGraph, RunMeta, StoredConfigSource, StoredParamDef } from "../datastore/Manifest.js"
import { FlowDefinitionError, NotFoundError } from "../errors.js"
import { tagsProblem } from "../tags.js"
import { endStep, graphSteps } from "./graphSteps.js"
import { listNames } from "../listing.js"
import type { Snapshots } from "./Snapshots.js"
import { StepHandle } from "./StepHandle.js"
import type { TaskHandle } from "./TaskHandle.js"

export class RunHandle<Artifacts extends object = Readonly<Record<string, unknown>>> {
  private currentTags: ReadonlyArray<string>

  /** @internal */
  constructor(
    private readonly store: Datastore,
    private readonly snapshots: Snapshots,
    private readonly meta: RunMeta,
    /** The run's parameter values (included files' contents among them; configs are in `configs`). */
    readonly params: Readonly<Record<string, unknown>>,
    /**
     * The run's config values, decoded, by config name (`configSources` says which file each was read from).
     * Like parameters, they are artifacts too: `artifact(name)` reads them from the final record.
     */
    readonly configs: Readonly<Record<string, unknown>> = Object.freeze({})
  ) {
    this.currentTags = Object.freeze([...meta.tags])
  }

  get id(): string {
    return this.meta.runId
  }

  get flow(): string {
    return this.meta.flow
  }

  get status(): RunMeta["status"] {
    return this.meta.status
  }

  get paramDefs(): Readonly<Record<string, StoredParamDef>> {
    return this.meta.paramDefs
  }

  /**
   * Where each config's value came from: `{ from: "file", path }` (the absolute path read when the run
   * started; a resumed run keeps its origin's) or `{ from: "value" }` (given to `run` as a value).
   */
  get configSources(): Readonly<Record<string, StoredConfigSource>> {
    return this.meta.configs ?? {}
  }

  get graph(): FlowGraph {
    return this.meta.graph
  }

  /** Epoch milliseconds. */
  get startedAt(): number {
    return this.meta.startedAt
  }

  get finishedAt(): number | undefined {
    return this.meta.finishedAt
  }

  /** The run this one resumed, if it is a resumed run. */
  get originRunId(): string | undefined {
    return this.meta.originRunId
  }

  /** How many of the run's tasks the step cache answered (0 while it runs, and for runs without cached steps). */
  get cachedTasks(): number {
    const count = this.meta.cachedTasks
    return typeof count === "number" ? count : 0
  }

  /** Where a failed run failed. */
  get failure(): RunMeta["failure"] {
    return this.meta.failure
  }

  get sourceFile(): string | undefined {
    return this.meta.sourceFile
  }

  get versions(): RunMeta["versions"] {
    return this.meta.versions
  }

  /** Who started the run (`$USER` then). */
  get user(): string {
    return this.meta.user
  }

  /** The machine the run was started on; undefined for runs stored before hosts were recorded. */
  get host(): string | undefined {
    return this.meta.host
  }

  /**
   * The run's tags, sorted, as the store had them when the run was opened or last tagged through this handle
   * (open the run again to see changes made elsewhere since).
   */
  get tags(): ReadonlyArray<string> {
    return this.currentTags
  }

  /**
   * Adds tags to the run, in the store (adding a tag the run has changes nothing). Other processes may tag
   * the same run at the same time, or the run may still be running: no change is lost. A bad tag (not a
   * string, empty, over 256 characters, with a control character) is a FlowDefinitionError naming it, and
   * then nothing is changed.
   *
   * @example
   * const latest = await Client.open().run("Train")
   * await latest.addTags("good", "reviewed")
   * latest.tags // ["good", "reviewed", ...]
   */
  async addTags(...tags: ReadonlyArray<string>): Promise<void> {
    await this.changeTags("addTags", tags, { add: tags, remove: [] })
  }

  /**
   * Removes tags from the run, in the store (removing a tag the run does not have is not an error). Bad tags
   * are refused like {@link addTags}'s.
   *
   * @example
   * await (await Client.open().run("Train", runId)).removeTags("good")
   */
  async removeTags(...tags: ReadonlyArray<string>): Promise<void> {
    await this.changeTags("removeTags", tags, { add: [], remove: tags })
  }

  /** Checks every tag before changing anything, then makes the change in the store and takes the tags it gives. */
  private async changeTags(method: "addTags" | "removeTags", tags: ReadonlyArray<string>, change: TagChange): Promise<void> {
    const problem = tagsProblem(`${method} on run '${this.id}' of flow '${this.flow}'`, "tags", tags)
    if (problem !== undefined) throw new FlowDefinitionError(problem)
    if (tags.length === 0) return
    this.currentTags = Object.freeze([...(await this.store.updateTags(this.flow, this.id, change))])
  }

  /** Every step and join of the flow, in flow order (whether or not it ran). */
  steps(): ReadonlyArray<StepHandle> {
    return graphSteps(this.meta.graph).map(({ name, kind }) => new StepHandle(this.store, this.snapshots, this.id, name, kind))
  }

  step(name: string): StepHandle {
    const found = this.steps().find((step) => step.name === name)
    if (found === undefined) {
      throw new NotFoundError(
        `artiflow: flow '${this.flow}' has no step '${name}' (steps: ${listNames(this.steps().map((s) => s.name))})`
      )
    }
    return found
  }

  /** The task holding the final record: the flow's last step or join. */
  private async endTask(): Promise<TaskHandle> {
    const end = endStep(this.meta.graph)
    const task = end === undefined ? undefined : (await this.step(end).tasks())[0]
    if (task === undefined || task.status !== "succeeded") {
      throw new NotFoundError(
        `artiflow: run '${this.id}' of flow '${this.flow}' has no final record (status ${this.status}${this.meta.failure === undefined ? "" : `, failed in step '${this.meta.failure.step}'`}): read a task's artifacts with run.step(name).tasks()`
      )
    }
    return task
  }

  /** One artifact of the final record, loaded and verified. */
  async artifact<Name extends keyof Artifacts & string>(name: Name): Promise<Artifacts[Name]> {
    if (endStep(this.meta.graph) === undefined) return this.param(name) as Artifacts[Name]
    return (await (await this.endTask()).artifact(name)) as Artifacts[Name]
  }

  /** A flow without steps ends with the record its parameters and configs start. */
  private param(name: string): unknown {
    if (Object.hasOwn(this.params, name)) return this.params[name]
    if (Object.hasOwn(this.configs, name)) return this.configs[name]
    const names = [...Object.keys(this.params), ...Object.keys(this.configs)].sort()
    throw new NotFoundError(`artiflow: run '${this.id}' has no artifact '${name}' (artifacts: ${listNames(names)})`)
  }

  /** The names in the final record, sorted. */
  async artifactNames(): Promise<ReadonlyArray<string>> {
    if (endStep(this.meta.graph) === undefined) return [...Object.keys(this.params), ...Object.keys(this.configs)].sort()
    return (await this.endTask()).artifactNames()
  }

  /** The whole final record, every artifact loaded. */
  async artifacts(): Promise<Artifacts> {
    const names = await this.artifactNames()
    const values: Record<string, unknown> = {}
    for (const name of names) setOwnProperty(values, name, await this.artifact(name as keyof Artifacts & string))
    return values as Artifacts
  }
}
