/** `artiflow show <Flow>[/<run>]`: a run's header and its graph with each step's status, tasks and duration. */
import { relative } from "node:path"
import { Client } from "../../client/Client.js"
import type { RunHandle } from "../../client/RunHandle.js"
import { runStepStatus } from "../../report/status.js"
import { renderGraphText } from "../../report/text.js"
import { checkOptionNames, positionalArgs } from "../args.js"
import { EXIT, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import { isoTime, oneLine, plural, span, table } from "../format.js"
import { writeLine } from "../io.js"
import type { Io } from "../io.js"
import { quoteArg, storeOf, storeSuffix } from "../store.js"
import { parseTarget } from "../target.js"

const HELP = helpText(
  "artiflow show <Flow>[/<run>] [--store <dir>]",
  [
    "Shows a run (the flow's latest run without an id): its status, times, tags, who ran it where, its",
    "parameters, configs (and the files they were read from), the run it resumed, where it failed, then the",
    "flow's graph with each step's state, task count and duration, and the tasks that failed."
  ].join("\n"),
  [{ title: "Options", rows: [STORE_ROW, HELP_ROW] }]
)

const MAX_FAILED = 10

const headerRows = (run: RunHandle, width: number): ReadonlyArray<ReadonlyArray<string>> => {
  const rows: Array<ReadonlyArray<string>> = [
    ["flow", run.flow],
    ["run", run.id],
    ["status", run.status],
    ["started", isoTime(run.startedAt)],
    ["finished", run.finishedAt === undefined ? "-" : `${isoTime(run.finishedAt)} (took ${span(run.startedAt, run.finishedAt)})`],
    ["tags", run.tags.length === 0 ? "-" : run.tags.join(", ")],
    ["user", run.host === undefined ? run.user : `${run.user} on ${run.host}`]
  ]
  if (run.originRunId !== undefined) rows.push(["resumed", `from run ${run.originRunId}`])
  if (run.cachedTasks > 0) rows.push(["cached", `${plural(run.cachedTasks, "task")} answered by the step cache`])
  if (run.failure !== undefined) rows.push(["failure", run.failure.message])
  const names = Object.keys(run.params).sort()
  names.forEach((name, i) => rows.push([i === 0 ? "params" : "", `${name} = ${oneLine(run.params[name], width - name.length - 15)}`]))
  rows.push(...configRows(run, width))
  if (run.sourceFile !== undefined) rows.push(["source", relative(process.cwd(), run.sourceFile) || run.sourceFile])
  return rows
}

/** Each config's value, then where it came from (a file, relative to here when it can be, or run's value). */
const configRows = (run: RunHandle, width: number): ReadonlyArray<ReadonlyArray<string>> => {
  const sources = run.configSources
  return Object.keys(run.configs)
    .sort()
    .flatMap((name, i) => {
      const source = Object.hasOwn(sources, name) ? sources[name] : undefined
      const value = [i === 0 ? "configs" : "", `${name} = ${oneLine(run.configs[name], width - name.length - 15)}`]
      if (source === undefined) return [value]
      const from = source.from === "value" ? "given as a value" : `from ${relative(process.cwd(), source.path) || source.path}`
      return [value, ["", `  ${from}`]]
    })
}

/** One line per task whose latest attempt failed, with its error. */
const failedTasks = async (run: RunHandle): Promise<ReadonlyArray<string>> => {
  const lines: Array<string> = []
  for (const step of run.steps()) {
    for (const task of await step.tasks()) {
      if (task.status !== "failed") continue
      const error = task.error === undefined ? "" : `: ${task.error.name}: ${task.error.message}`
      lines.push(`${step.name}/${task.id} (attempt ${task.attempt})${error}`)
    }
  }
  return lines
}

const printRun = async (run: RunHandle, io: Io, suffix: string): Promise<void> => {
  const width = io.stdout.columns
  for (const line of table(headerRows(run, width))) writeLine(io.stdout, line)
  writeLine(io.stdout)
  const graph = renderGraphText(run.graph, await runStepStatus(run))
  io.stdout.write(graph)
  const failed = await failedTasks(run)
  if (failed.length > 0) {
    writeLine(io.stdout)
    writeLine(io.stdout, "failed tasks:")
    for (const line of failed.slice(0, MAX_FAILED)) writeLine(io.stdout, `  ${line}`)
    if (failed.length > MAX_FAILED) writeLine(io.stdout, `  … and ${failed.length - MAX_FAILED} more`)
  }
  if (run.status === "failed" && run.sourceFile !== undefined) {
    const file = relative(process.cwd(), run.sourceFile) || run.sourceFile
    writeLine(io.stdout)
    writeLine(io.stdout, `resume it: artiflow resume ${quoteArg(file)} --origin ${run.id}${suffix}`)
  }
}

export const showCommand: Command = {
  name: "show",
  summary: "show a run: status, times, parameters and the graph with per-step status",
  flags: [],
  help: async () => HELP,
  async run(args, io) {
    const [path] = positionalArgs(args, 1, 1, "a run: artiflow show <Flow>[/<run>]", "show") as [string]
    checkOptionNames(args, ["store"], "show")
    const target = parseTarget(path, 2, "show")
    const run = await Client.open(storeOf(args)).run(target.flow, target.runId)
    await printRun(run, io, storeSuffix(args))
    return EXIT.ok
  }
}
