/**
 * `artiflow spin <file.ts> <step>`: runs one step's function again on the record one of its tasks had in a
 * past run, and prints what it returns next to what the task stored. The edit-and-spin loop of debugging a
 * step: nothing is stored unless `--persist`.
 */
import type { FlowValue } from "../../dsl/FlowValue.js"
import { SpinFailedError } from "../../errors.js"
import type { LogLine } from "../../interpreter/RunEnv.js"
import { spin } from "../../interpreter/spin.js"
import type { SpinOptions, SpinResult } from "../../interpreter/spin.js"
import { checkOptionNames, flagOption, positionalArgs, stringOption } from "../args.js"
import type { ParsedArgs } from "../args.js"
import { EXIT, FLOW_ROW, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import { comparisonJson, comparisonLines, compareOutputs } from "../comparison.js"
import { jsonText } from "../format.js"
import { writeLine } from "../io.js"
import type { Io } from "../io.js"
import { userFrames } from "../frames.js"
import { loadFlow } from "../loadFlow.js"
import { storeOf, storeSuffix } from "../store.js"

const USAGE =
  "artiflow spin <file.ts> <step> [--origin <run>] [--task <i>] [--flow <name>] [--store <dir>] [--persist] [--json]"

const HELP = helpText(
  USAGE,
  [
    "Runs one step's function again on the record one of its tasks had in a past run (by default the flow's",
    "latest), with the same ctx (input, index, foreachStack, run and task ids), and prints what it returns next",
    "to what the task stored, marking what changed. A task that failed can be spun too: edit the step, spin it",
    "again. A join re-runs on the records it joined. Nothing is stored unless --persist. Exit code 0 when the",
    "function ran, 1 when it threw (its error and stack are printed), 2 for a bad command line or an unknown",
    "step, task or run."
  ].join("\n"),
  [
    {
      title: "Options",
      rows: [
        ["--origin <run>", "the run whose task is spun (default: the flow's latest run)"],
        ["--task <i>", "the task of a foreach body step: its index, or its id in nested foreaches (3.1)"],
        FLOW_ROW,
        STORE_ROW,
        ["--persist", "store the spin as a new run of the flow (its one task, with the origin run recorded)"],
        ["--json", "print JSON: each artifact's original and new value and whether it changed"],
        HELP_ROW
      ]
    }
  ]
)

const OPTIONS = ["origin", "task", "flow", "store", "persist", "json"]

const spinFlow = spin as unknown as (flow: FlowValue, step: string, options: SpinOptions) => Promise<SpinResult>

/** What the spin printed lines refer to, and where it can be looked at again. */
interface Printing {
  readonly io: Io
  readonly json: boolean
  readonly flow: string
  readonly step: string
  /** `--store <dir>` as given, to repeat in a suggested command. */
  readonly suffix: string
}

const taskName = (result: SpinResult): string => `${result.origin.step}/${result.origin.taskId}`

/** An error as JSON output carries it. */
const errorJson = (error: unknown): { readonly name: string; readonly message: string } =>
  error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) }

const headline = (printing: Printing, result: SpinResult): string => {
  const { origin, original, runId } = result
  const how = original instanceof Error ? `failed: ${original.name}: ${original.message}` : origin.status
  const dump = `artiflow dump ${printing.flow}/${runId}/${taskName(result)}${printing.suffix}`
  const stored = runId === undefined ? "nothing was stored" : `stored as run ${runId}: ${dump}`
  const where = `run ${origin.runId} of ${printing.flow}, where it ${how}`
  return `spin of ${taskName(result)} (${where}): the function ran; ${stored}`
}

const printResult = (printing: Printing, result: SpinResult): void => {
  const { io, flow, step } = printing
  const failed = result.original instanceof Error
  const rows = compareOutputs(result.output, result.original instanceof Error ? undefined : result.original)
  if (printing.json) {
    const origin = { ...result.origin, ...(result.original instanceof Error && { error: errorJson(result.original) }) }
    io.stdout.write(jsonText({ flow, step, origin, runId: result.runId ?? null, artifacts: comparisonJson(rows) }))
    return
  }
  writeLine(io.stdout, headline(printing, result))
  const width = io.stdout.columns - 2
  for (const line of comparisonLines(rows, width, failed)) writeLine(io.stdout, `  ${line}`)
}

const printFailure = (printing: Printing, error: SpinFailedError): void => {
  const { io, flow, step } = printing
  if (printing.json) {
    const origin = { runId: error.originRunId, step: error.step, taskId: error.taskId }
    io.stdout.write(jsonText({ flow, step, origin, runId: error.runId ?? null, error: errorJson(error.cause) }))
  }
  writeLine(io.stderr, error.message)
  for (const frame of userFrames(error.cause)) writeLine(io.stderr, `    ${frame}`)
}

/** ctx.log lines: on stdout above the comparison, or on stderr when stdout carries JSON. */
const logTo = (printing: Printing) => (line: LogLine): void =>
  writeLine(printing.json ? printing.io.stderr : printing.io.stdout, `[${line.step}/${line.taskId}] ${line.text}`)

const spinOptions = (args: ParsedArgs, printing: Printing): SpinOptions => {
  const origin = stringOption(args, "origin")
  const task = stringOption(args, "task")
  return {
    store: storeOf(args),
    log: logTo(printing),
    ...(origin !== undefined && { origin }),
    ...(task !== undefined && { task }),
    ...(flagOption(args, "persist") && { persist: true })
  }
}

export const spinCommand: Command = {
  name: "spin",
  summary: "run one step again on a past task's record, and compare",
  flags: ["persist", "json"],
  help: async () => HELP,
  async run(args, io) {
    const usage = "a flow file and a step: artiflow spin <file.ts> <step>"
    const [file, step] = positionalArgs(args, 2, 2, usage, "spin") as [string, string]
    checkOptionNames(args, OPTIONS, "spin")
    const loaded = await loadFlow(file, stringOption(args, "flow"))
    const json = flagOption(args, "json")
    const printing: Printing = { io, json, flow: loaded.flow.name, step, suffix: storeSuffix(args) }
    try {
      printResult(printing, await spinFlow(loaded.flow, step, spinOptions(args, printing)))
      return EXIT.ok
    } catch (error) {
      if (!(error instanceof SpinFailedError)) throw error
      printFailure(printing, error)
      return EXIT.runFailed
    }
  }
}
