/**
 * `artiflow dump <Flow>/<run>[/<step>[/<task>]]`: the artifacts of a run's final record, of every task of a
 * step, or of one task, readably or as JSON.
 */
import { Client } from "../../client/Client.js"
import type { RunHandle } from "../../client/RunHandle.js"
import type { TaskHandle } from "../../client/TaskHandle.js"
import { NotFoundError } from "../../errors.js"
import { artifactsJson, artifactText, LOAD_LIMIT_BYTES, taskArtifacts, valueViews } from "../artifacts.js"
import type { ArtifactStyle, ArtifactView } from "../artifacts.js"
import { checkOptionNames, flagOption, positionalArgs, stringOption } from "../args.js"
import { EXIT, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import { formatBytes, formatDuration, jsonText } from "../format.js"
import { writeLine } from "../io.js"
import type { Io, Writer } from "../io.js"
import { storeOf, storeSuffix } from "../store.js"
import { parseTarget } from "../target.js"
import type { Target } from "../target.js"

const HELP = helpText(
  "artiflow dump <Flow>[/<run>[/<step>[/<task>]]] [--artifact <name>] [--json] [--store <dir>]",
  [
    "Prints artifacts: of the run's final record (its last step), of every task of a step, or of one task",
    "(with its status, error and log lines). A loop's record (its name) holds the record after the loop and",
    "its iterations; a choose's records (choose:<selector>) the case each took. Values are shown readably and cut when long; a value stored in",
    `more than ${formatBytes(LOAD_LIMIT_BYTES)} is not loaded unless --artifact names it. The run may be omitted (the latest run).`
  ].join("\n"),
  [
    {
      title: "Options",
      rows: [
        ["--artifact <name>", "only this artifact, shown in full"],
        ["--json", "print JSON (bigint as text, Map and Set as arrays, typed arrays as {type, length, preview})"],
        STORE_ROW,
        HELP_ROW
      ]
    }
  ]
)

const MAX_TASKS = 50

/** What one dump prints and how. */
interface Dump {
  readonly io: Io
  readonly run: RunHandle
  readonly only: string | undefined
  readonly json: boolean
  /** The dumped path (with the run id filled in) and the `--store` to repeat, for suggested commands. */
  readonly path: string
  readonly suffix: string
}

const command = (dump: Dump, path = dump.path): string => `artiflow dump ${path}${dump.suffix}`

const style = (dump: Dump, compact: boolean, indent: number): ArtifactStyle => ({
  colors: dump.io.stdout.colors,
  compact,
  width: dump.io.stdout.columns - indent,
  hint: command(dump)
})

const writeViews = (out: Writer, views: ReadonlyArray<ArtifactView>, artifactStyle: ArtifactStyle, indent: string): void => {
  if (views.length === 0) writeLine(out, `${indent}(no artifacts)`)
  for (const view of views) writeLine(out, indent + artifactText(view, artifactStyle).split("\n").join(`\n${indent}`))
}

const taskJson = (task: TaskHandle, views: ReadonlyArray<ArtifactView>): object => ({
  taskId: task.id,
  index: task.index ?? null,
  iteration: task.iteration ?? null,
  ...(task.decision !== undefined && { decision: task.decision }),
  status: task.status,
  attempt: task.attempt,
  originTaskId: task.originTaskId ?? null,
  error: task.error === undefined ? null : { name: task.error.name, message: task.error.message },
  logs: task.logs,
  artifacts: artifactsJson(views)
})

const taskHeader = (task: TaskHandle): string => {
  const reused = task.originTaskId === undefined ? "" : `, reused from the origin run's task ${task.originTaskId}`
  const took = formatDuration(task.finishedAt - task.startedAt)
  return `${task.step}/${task.id}: ${task.status} (attempt ${task.attempt}, ${took}${reused})`
}

/** What a choose's or a loop's record decided, in words. */
const decisionLine = (task: TaskHandle): string | undefined => {
  const decision = task.decision
  if (decision === undefined) return undefined
  if (decision.kind === "choose") return `  took case ${decision.case} (value ${JSON.stringify(decision.value)})`
  const results = decision.until.map((result) => String(result)).join(", ")
  return `  ${decision.iterations} iteration${decision.iterations === 1 ? "" : "s"}; until after each: ${results}`
}

const writeTask = (dump: Dump, task: TaskHandle, views: ReadonlyArray<ArtifactView>, compact: boolean): void => {
  const out = dump.io.stdout
  writeLine(out, taskHeader(task))
  const decision = decisionLine(task)
  if (decision !== undefined) writeLine(out, decision)
  if (task.error !== undefined) writeLine(out, `  error: ${task.error.name}: ${task.error.message}`)
  if (task.logs.length > 0) {
    writeLine(out, "  logs:")
    for (const line of task.logs) writeLine(out, `    ${line}`)
  }
  writeViews(out, views, style(dump, compact, 4), "  ")
}

/** Why a run that did not succeed has no final record, and which step to dump instead. */
const noFinalRecord = (run: RunHandle): NotFoundError => {
  const failure = run.failure
  const inTask = failure !== undefined && failure.taskId !== "-"
  const where = inTask ? ` (it failed in step '${failure.step}', task ${failure.taskId})` : ` (status ${run.status})`
  const step = inTask ? failure.step : (run.steps()[0]?.name ?? "<step>")
  return new NotFoundError(
    `artiflow: run '${run.id}' of flow '${run.flow}' has no final record${where}: dump a step or a task instead, e.g. artiflow dump ${run.flow}/${run.id}/${step}`
  )
}

/** The final record: the last step's task, or the parameters and configs of a flow without steps. */
const dumpRecord = async (dump: Dump): Promise<void> => {
  const { run } = dump
  if (run.graph.nodes.length === 0) {
    const views = valueViews({ ...run.params, ...run.configs }, dump.only)
    if (!dump.json) writeViews(dump.io.stdout, views, style(dump, false, 2), "")
    else dump.io.stdout.write(jsonText({ flow: run.flow, runId: run.id, status: run.status, artifacts: artifactsJson(views) }))
    return
  }
  const task = await run.finalTask()
  if (task === undefined || task.status !== "succeeded") throw noFinalRecord(run)
  const end = task.step
  const views = await taskArtifacts(task, dump.only)
  if (dump.json) {
    const record = { flow: run.flow, runId: run.id, status: run.status, step: end, taskId: task.id }
    dump.io.stdout.write(jsonText({ ...record, artifacts: artifactsJson(views) }))
    return
  }
  writeLine(dump.io.stdout, `final record of run ${run.id} of ${run.flow} (${end}/${task.id}):`)
  writeViews(dump.io.stdout, views, style(dump, false, 2), "  ")
}

const dumpStep = async (dump: Dump, step: string): Promise<void> => {
  const tasks = await dump.run.step(step).tasks()
  const shown = dump.json ? tasks : tasks.slice(0, MAX_TASKS)
  const views: Array<ReadonlyArray<ArtifactView>> = []
  for (const task of shown) views.push(await taskArtifacts(task, dump.only))
  if (dump.json) {
    const json = shown.map((task, i) => taskJson(task, views[i] ?? []))
    dump.io.stdout.write(jsonText({ flow: dump.run.flow, runId: dump.run.id, step, tasks: json }))
    return
  }
  if (tasks.length === 0) writeLine(dump.io.stdout, `step ${step} has no tasks in run ${dump.run.id}: it did not run`)
  shown.forEach((task, i) => writeTask(dump, task, views[i] ?? [], true))
  if (tasks.length > shown.length) {
    writeLine(dump.io.stdout, `… and ${tasks.length - shown.length} more tasks: ${command(dump, `${dump.path}/<task>`)}`)
  }
}

const dumpTask = async (dump: Dump, step: string, taskId: string): Promise<void> => {
  const task = await dump.run.step(step).task(taskId)
  const views = await taskArtifacts(task, dump.only)
  if (dump.json) {
    dump.io.stdout.write(jsonText({ flow: dump.run.flow, runId: dump.run.id, step, ...taskJson(task, views) }))
    return
  }
  writeTask(dump, task, views, false)
}

const pathOf = (run: RunHandle, target: Target): string =>
  [run.flow, run.id, target.step, target.taskId].filter((part) => part !== undefined).join("/")

export const dumpCommand: Command = {
  name: "dump",
  summary: "print the artifacts of a run, a step or a task",
  flags: ["json"],
  help: async () => HELP,
  async run(args, io) {
    const usage = "a run, step or task: artiflow dump <Flow>[/<run>[/<step>[/<task>]]]"
    const [path] = positionalArgs(args, 1, 1, usage, "dump") as [string]
    checkOptionNames(args, ["artifact", "json", "store"], "dump")
    const target = parseTarget(path, 4, "dump")
    const run = await Client.open(storeOf(args)).run(target.flow, target.runId)
    const only = stringOption(args, "artifact")
    const dump: Dump = { io, run, only, json: flagOption(args, "json"), path: pathOf(run, target), suffix: storeSuffix(args) }
    if (target.step === undefined) await dumpRecord(dump)
    else if (target.taskId === undefined) await dumpStep(dump, target.step)
    else await dumpTask(dump, target.step, target.taskId)
    return EXIT.ok
  }
}
