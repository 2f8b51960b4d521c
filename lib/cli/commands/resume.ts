/** `artiflow resume <file.ts>`: a new run of a flow that reuses what a past run (by default the latest) finished. */
import type { FlowValue } from "../../dsl/FlowValue.js"
import { resume } from "../../interpreter/resume.js"
import type { ResumeOptions } from "../../interpreter/resume.js"
import type { RunResult } from "../../interpreter/run.js"
import { checkOptionNames, positionalArgs, stringOption } from "../args.js"
import { FLOW_ROW, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import {
  EXECUTION_FLAGS,
  EXECUTION_OPTIONS,
  EXECUTION_REPEATABLE,
  EXECUTION_ROWS,
  EXECUTION_USAGE,
  executionOptions
} from "../execution.js"
import { CONFIG_OPTIONS } from "../configs.js"
import { UsageError } from "../errors.js"
import { executorOption } from "../executors.js"
import { launch } from "../launch.js"
import { loadFlow } from "../loadFlow.js"
import { storeOf } from "../store.js"
import { launchSuffix } from "./run.js"

const USAGE = `artiflow resume <file.ts> [--flow <name>] [--origin <run>] [--from <step>] [--store <dir>] ${EXECUTION_USAGE}`

const HELP = helpText(
  USAGE,
  [
    "Starts a new run of the flow that reuses every task of the origin run that succeeded upstream of its",
    "first failure (or of --from), without copying their artifacts, and runs the rest. Parameters come from",
    "the origin run, and so do configs (their files are not read again); tags do not (give the new run its",
    "own with --tag). Prints the same progress as run,",
    "and how many tasks were reused."
  ].join("\n"),
  [
    {
      title: "Options",
      rows: [
        FLOW_ROW,
        ["--origin <run>", "the run to resume (default: the flow's latest run)"],
        ["--from <step>", "run this step and everything after it again, even where the origin succeeded"],
        STORE_ROW,
        ...EXECUTION_ROWS,
        HELP_ROW
      ]
    }
  ]
)

const OPTIONS = ["flow", "origin", "from", "store", ...EXECUTION_OPTIONS]

const resumeFlow = resume as unknown as (flow: FlowValue, options: ResumeOptions) => Promise<RunResult<unknown>>

export const resumeCommand: Command = {
  name: "resume",
  summary: "resume a flow's failed run, reusing what succeeded",
  flags: EXECUTION_FLAGS,
  repeatable: EXECUTION_REPEATABLE,
  // Parsed as run parses them, to say why they are refused instead of misreading their values as files.
  pairs: CONFIG_OPTIONS,
  help: async () => HELP,
  async run(args, io) {
    const given = CONFIG_OPTIONS.find((option) => args.pairs.has(option))
    if (given !== undefined) {
      throw new UsageError(
        `artiflow: resume has no option --${given}: a resumed run reuses its origin's configs; start a new run with artiflow run to use others`,
        "resume"
      )
    }
    const [file] = positionalArgs(args, 1, 1, "one flow file: artiflow resume <file.ts>", "resume") as [string]
    checkOptionNames(args, OPTIONS, "resume")
    const loaded = await loadFlow(file, stringOption(args, "flow"))
    const origin = stringOption(args, "origin")
    const from = stringOption(args, "from")
    const options: ResumeOptions = {
      store: storeOf(args),
      ...(origin !== undefined && { origin }),
      ...(from !== undefined && { from }),
      ...executionOptions(args, "resume"),
      ...executorOption(args, "resume")
    }
    return launch(io, { loaded, suffix: launchSuffix(args) }, (hooks) => resumeFlow(loaded.flow, { ...options, ...hooks }))
  }
}
