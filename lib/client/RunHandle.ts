/**
 * A past run: its metadata (opening a run reads no blob), its final record and its steps. Typed when opened
 * with the flow definition (`client.run(Train)`): `artifact("best")` is then `Promise<number>`. Its tags can
 * be changed (`addTags`, `removeTags`): the only thing about a past run that can.
 */
import { setOwnProperty } from "../ownProperty.js"
import type { Datastore, TagChange } from "../datastore/Datastore.js"
import type {
  ChooseDecision,
  FlowGraph,
  GraphNode,
  RunMeta,
  StoredConfigSource,
  StoredParamDef
} from "../datastore/Manifest.js"
import { chooseRecordName } from "../dsl/chooseIds.js"
import { FlowDefinitionError, NotFoundError } from "../errors.js"
import { listNames } from "../listing.js"
import { tagsProblem } from "../tags.js"
import { runChoices } from "./choices.js"
import type { Choices } from "./choices.js"
import { endNode, graphChooses, graphSteps } from "./graphSteps.js"
import type { Snapshots } from "./Snapshots.js"
import { StepHandle } from "./StepHandle.js"
import type { TaskHandle } from "./TaskHandle.js"

export class RunHandle<Artifacts extends object = Readonly<Record<string, unknown>>> {
  private currentTags: ReadonlyArray<string>
  private decided: Promise<Choices> | undefined

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

  /** Every step, join and loop of the flow, in flow order (whether or not it ran). */
  steps(): ReadonlyArray<StepHandle> {
    return graphSteps(this.meta.graph).map(({ name, kind }) => this.stepHandle(name, kind))
  }

  /**
   * A step, join or loop by name; also a choose's records, by `choose:` and the choose's id (its selector, see
   * `GraphNode`): each record's `decision` says which case it took.
   */
  step(name: string): StepHandle {
    const found = this.steps().find((step) => step.name === name)
    if (found !== undefined) return found
    const choose = graphChooses(this.meta.graph.nodes).find((node) => chooseRecordName(node.id) === name)
    if (choose !== undefined) return this.stepHandle(name, "choose")
    throw new NotFoundError(
      `artiflow: flow '${this.flow}' has no step '${name}' (steps: ${listNames(this.steps().map((s) => s.name))})`
    )
  }

  private stepHandle(name: string, kind: StepHandle["kind"]): StepHandle {
    const skipped = async (): Promise<boolean> => (await this.choices()).skipped.has(name)
    return new StepHandle(this.store, this.snapshots, this.id, name, kind, skipped)
  }

  /**
   * What the run's chooses decided: how many times each took each case (by choose id), and which steps are
   * skipped because their case was not taken. Read once per handle.
   *
   * @example
   * const { taken } = await run.choices()
   * taken.get("size") // Map { "big" => 1 }
   */
  choices(): Promise<Choices> {
    this.decided ??= runChoices(this.meta.graph, (id) => this.decisions(id))
    return this.decided
  }

  private async decisions(id: string): Promise<ReadonlyArray<ChooseDecision>> {
    const records = await this.stepHandle(chooseRecordName(id), "choose").tasks()
    return records.flatMap((record) => {
      const decision = record.status === "succeeded" ? record.decision : undefined
      return decision?.kind === "choose" ? [decision] : []
    })
  }

  /**
   * The task whose snapshot is the run's final record: the flow's last step, join or loop; after a final
   * choose, the last task of the case taken (or the choose's record, for a case that does nothing).
   * `undefined` while the run has not got that far, and for a flow without steps.
   */
  async finalTask(): Promise<TaskHandle | undefined> {
    return this.lastTaskOf(this.meta.graph.nodes)
  }

  private async lastTaskOf(nodes: ReadonlyArray<GraphNode>): Promise<TaskHandle | undefined> {
    const end = endNode(nodes)
    if (end === undefined) return undefined
    if (end.kind === "step") return (await this.step(end.name).tasks())[0]
    const record = (await this.stepHandle(chooseRecordName(end.node.id), "choose").tasks())[0]
    const decision = record?.status === "succeeded" ? record.decision : undefined
    if (record === undefined || decision?.kind !== "choose") return record
    const taken = end.node.cases.find((choice) => choice.name === decision.case)
    if (taken === undefined) return undefined
    return taken.nodes.length === 0 ? record : this.lastTaskOf(taken.nodes)
  }

  /** The task holding the final record. */
  private async endTask(): Promise<TaskHandle> {
    const task = await this.finalTask()
    if (task === undefined || task.status !== "succeeded") {
      throw new NotFoundError(
        `artiflow: run '${this.id}' of flow '${this.flow}' has no final record (status ${this.status}${this.meta.failure === undefined ? "" : `, failed in step '${this.meta.failure.step}'`}): read a task's artifacts with run.step(name).tasks()`
      )
    }
    return task
  }

  /** One artifact of the final record, loaded and verified. */
  async artifact<Name extends keyof Artifacts & string>(name: Name): Promise<Artifacts[Name]> {
    if (this.meta.graph.nodes.length === 0) return this.param(name) as Artifacts[Name]
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
    if (this.meta.graph.nodes.length === 0) return [...Object.keys(this.params), ...Object.keys(this.configs)].sort()
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
