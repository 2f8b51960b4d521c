/**
 * `resume`: a new run that picks up a past run where it stopped. Every task of the origin run that succeeded,
 * and whose inputs were all reused too, is cloned by reference (no blob copied); everything else runs again.
 * A foreach's succeeded siblings are reused, a failed task and what depends on it run again; `from` forces a
 * step and everything after it to run again. Parameters and configs come from the origin (config files are not
 * read again); tags do not (a resumed run has the tags given to `resume`, if any).
 */
import type { Datastore } from "../datastore/Datastore.js"
import type { RunMeta } from "../datastore/Manifest.js"
import { loadValue } from "../datastore/load.js"
import { defaultStore } from "../datastore/storeAt.js"
import { stepNames } from "../dsl/FlowValue.js"
import type { FlowValue } from "../dsl/FlowValue.js"
import type { FlowNode } from "../dsl/ast.js"
import { describeFlow } from "../dsl/graph.js"
import { FlowDefinitionError, NotFoundError } from "../errors.js"
import { listNames } from "../listing.js"
import type { ArtifactsOf, Flow, StateOf } from "../types/flow.js"
import { execute } from "./execute.js"
import type { ExecutionOptions, RunParams, RunResult } from "./execute.js"
import { lineageOf, ReusePlan } from "./reuse.js"
import type { StepLineage } from "./reuse.js"
import { checkFlow, checkOptions } from "./run.js"
import type { CheckRunnable } from "./run.js"

/** Options of `resume`. */
export interface ResumeOptions<StepName extends string = string> extends ExecutionOptions {
  /** The run to resume (default: the flow's latest run). */
  readonly origin?: string
  /** Run this step (or join) and everything after it again, even where the origin succeeded. */
  readonly from?: StepName
  /** Where the origin run is and the new run goes (default: `ARTIFLOW_STORE`'s store, else `localStore()`). */
  readonly store?: Datastore
}

const findOrigin = async (store: Datastore, flow: string, origin: string | undefined): Promise<RunMeta> => {
  if (origin === undefined) {
    const latest = (await store.listRuns(flow))[0]
    if (latest === undefined) throw new NotFoundError(`artiflow: flow '${flow}' has no run to resume in the ${store.description}`)
    origin = latest.id
  }
  const meta = await store.readRun(flow, origin)
  if (meta !== undefined) return meta
  for (const other of await store.listFlows()) {
    if (other !== flow && (await store.readRun(other, origin)) !== undefined) {
      throw new FlowDefinitionError(`artiflow: run '${origin}' is a run of flow '${other}', not of '${flow}': resume it with that flow`)
    }
  }
  const recent = (await store.listRuns(flow)).slice(0, 10).map((run) => run.id)
  throw new NotFoundError(`artiflow: flow '${flow}' has no run '${origin}' to resume (latest runs: ${listNames(recent)})`)
}

/** The steps of a loop's body, when `name` is a loop of `nodes` (a loop runs again with all its iterations). */
const loopBody = (nodes: ReadonlyArray<FlowNode>, name: string): ReadonlyArray<string> =>
  nodes.flatMap((node): ReadonlyArray<string> => {
    switch (node._tag) {
      case "Step":
        return []
      case "Loop":
        return node.name === name ? stepNames(node.body) : loopBody(node.body, name)
      case "Split":
        return node.branches.flatMap((branch) => loopBody(branch.nodes, name))
      case "Foreach":
        return loopBody(node.body, name)
      case "Use":
        return loopBody(node.nodes, name)
      case "Choose":
        return node.cases.flatMap((choice) => loopBody(choice.nodes, name))
    }
  })

/**
 * The steps that must run again: `from` and every step that depends on it; from a loop, its body's steps too
 * (every iteration runs again). From a step in a loop's body, the iterations before its first task are
 * reused, and each later task runs again once one before it did (see ScopeState.reused).
 */
const rerunFrom = (flow: FlowValue, lineage: ReadonlyMap<string, StepLineage>, from: string | undefined): ReadonlySet<string> => {
  if (from === undefined) return new Set()
  if (!stepNames(flow.nodes).includes(from)) {
    throw new FlowDefinitionError(
      `artiflow: resume from '${from}': flow '${flow.name}' has no step or join of that name (steps: ${listNames(stepNames(flow.nodes))})`
    )
  }
  const again = [from, ...loopBody(flow.nodes, from)]
  return new Set([...again, ...[...lineage].filter(([, step]) => again.some((name) => step.ancestors.has(name))).map(([name]) => name)])
}

/** A step the resumed run would reuse must have the same inputs as in the origin run. */
const checkReusedInputs = (flow: FlowValue, origin: RunMeta, plan: ReusePlan, rerun: ReadonlySet<string>, now: ReadonlyMap<string, StepLineage>): void => {
  const before = lineageOf(origin.graph)
  for (const step of plan.succeededSteps()) {
    const current = now.get(step)
    if (rerun.has(step) || current === undefined) continue
    if (before.get(step)?.signature !== current.signature) {
      throw new FlowDefinitionError(
        `artiflow: cannot resume run '${origin.runId}' of flow '${flow.name}': step '${step}' has other inputs in this version of the flow, so its result cannot be reused: resume with from: '${step}' (or an earlier step) to run it again`
      )
    }
  }
}

const wasConfig = (origin: RunMeta, name: string): boolean =>
  Object.hasOwn(origin.paramDefs, name) && origin.paramDefs[name]?.kind === "config"

/**
 * The origin's parameter and config values, as they were: configs are not read again (their files may have
 * changed since), so the resumed run's reused and new tasks see the same values.
 */
const originParams = async (store: Datastore, flow: FlowValue, origin: RunMeta): Promise<RunParams> => {
  const declared = [...Object.keys(flow.params), ...Object.keys(flow.configs)].sort()
  const stored = Object.keys(origin.params).sort()
  const cannot = `artiflow: cannot resume run '${origin.runId}' of flow '${flow.name}'`
  if (declared.join("\u0000") !== stored.join("\u0000")) {
    throw new FlowDefinitionError(
      `${cannot}: its parameters and configs (${listNames(stored)}) differ from the flow's (${listNames(declared)}): start a new run`
    )
  }
  const moved = declared.find((name) => Object.hasOwn(flow.configs, name) !== wasConfig(origin, name))
  if (moved !== undefined) {
    const [now, then] = Object.hasOwn(flow.configs, moved) ? ["a config", "a parameter"] : ["a parameter", "a config"]
    throw new FlowDefinitionError(`${cannot}: '${moved}' is ${now} of the flow but was ${then} in that run: start a new run`)
  }
  const values: Record<string, unknown> = {}
  for (const [name, entry] of Object.entries(origin.params)) {
    values[name] = await loadValue(store, entry, { flow: flow.name, runId: origin.runId, step: "(params)", taskId: "-", artifact: name })
  }
  return { values, entries: origin.params, configs: origin.configs ?? {} }
}

/**
 * Resumes a past run of `flow` (by default its latest): a new run reuses every task of the origin that
 * succeeded upstream of the first failure (or of `from`) and runs the rest. The new run records
 * `originRunId`; reused tasks record `originTaskId`. Parameters and configs are the origin's: config files
 * are not read again, so a resumed run sees the values the origin saw. Resuming a run of another flow, an
 * unknown run, or a flow whose reused steps now have other inputs is an error. The new run has the tags given
 * as `tags`, not the origin's: tag it like the origin with `resume(flow, { tags: originRun.tags })`.
 *
 * @example
 * import { resume } from "artiflow"
 * const result = await resume(Train)                         // the latest run of Train
 * const again = await resume(Train, { origin: runId, from: "fit", tags: ["rerun"] })
 */
export function resume<F extends Flow>(
  flow: CheckRunnable<F>,
  options?: ResumeOptions<StateOf<F>["steps"]>
): Promise<RunResult<ArtifactsOf<F>>>
export async function resume(flow: unknown, options: ResumeOptions = {}): Promise<RunResult<unknown>> {
  const checked = checkFlow(flow)
  checkOptions(checked.name, options)
  if (Object.hasOwn(options, "configs")) {
    // Plain JavaScript could pass run's option here; ignoring it would run with the origin's configs unannounced.
    throw new FlowDefinitionError(
      `artiflow: resume of flow '${checked.name}' takes no configs: a resumed run reuses its origin's (start a new run with run(flow, { configs }) to use others)`
    )
  }
  const store = options.store ?? defaultStore()
  const origin = await findOrigin(store, checked.name, options.origin)
  const lineage = lineageOf(describeFlow(checked))
  const rerun = rerunFrom(checked, lineage, options.from)
  const manifests = await store.readManifests(checked.name, origin.runId)
  const plan = new ReusePlan(store, checked.name, origin.runId, manifests, rerun)
  checkReusedInputs(checked, origin, plan, rerun, lineage)
  return execute(checked, store, options, await originParams(store, checked, origin), plan)
}
