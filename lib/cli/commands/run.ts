/** `artiflow run <file.ts>`: runs a flow from a file, with parameters and configs from the command line. */
import type { FlowValue } from "../../dsl/FlowValue.js"
import { run } from "../../interpreter/run.js"
import type { RunOptions, RunResult } from "../../interpreter/run.js"
import { positionalArgs, stringOption } from "../args.js"
import type { ParsedArgs } from "../args.js"
import { FLOW_ROW, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command, HelpSection } from "../command.js"
import {
  EXECUTION_FLAGS,
  EXECUTION_OPTIONS,
  EXECUTION_REPEATABLE,
  EXECUTION_ROWS,
  EXECUTION_USAGE,
  executionOptions,
  LATER_OPTIONS
} from "../execution.js"
import { UsageError } from "../errors.js"
import { executorOption } from "../executors.js"
import { launch } from "../launch.js"
import { loadFlow } from "../loadFlow.js"
import type { LoadedFlow } from "../loadFlow.js"
import { CONFIG_OPTIONS, CONFIG_ROWS, CONFIG_USAGE, configHelpRows, configsFromArgs } from "../configs.js"
import { paramHelpRows, paramsFromOptions } from "../params.js"
import { quoteArg, storeOf, storeSuffix } from "../store.js"

const OWN_OPTIONS = ["flow", "store", ...CONFIG_OPTIONS, ...EXECUTION_OPTIONS]
const USAGE = `artiflow run <file.ts> [--flow <name>] [--<param> <value>]... ${CONFIG_USAGE} [--store <dir>] ${EXECUTION_USAGE}`

const OPTIONS: HelpSection = {
  title: "Options",
  rows: [
    FLOW_ROW,
    ...CONFIG_ROWS,
    STORE_ROW,
    ...EXECUTION_ROWS,
    HELP_ROW
  ]
}

const DESCRIPTION = [
  "Runs a flow exported by a TypeScript (or JavaScript) file and stores every task's artifacts.",
  "Parameters are given as --<name> <value> or --<name>=<value>: a string parameter takes the text as is,",
  "any other type is parsed as JSON first (--n 3, --tags '[\"a\",\"b\"]'), an included file takes a path.",
  "Configs are files read when the run starts (--config <name> <path>, else the config's default path;",
  "paths are relative to the current directory), or JSON given with --config-value <name> '<json>'.",
  "Prints ctx.log lines, foreach progress, then the run id and the final artifacts. Exit code 1 when the",
  "run fails (resume it with artiflow resume), 2 for a bad command line or parameter. A flow parameter",
  "named like an option above takes that option's place (a parameter 'tag' takes --tag)."
].join("\n")

/** `--flow <name>` and `--store <dir>` as given, for suggested commands. */
export const launchSuffix = (args: ParsedArgs): string => {
  const flow = stringOption(args, "flow")
  return `${flow === undefined ? "" : ` --flow ${quoteArg(flow)}`}${storeSuffix(args)}`
}

const flowSection = (loaded: LoadedFlow): HelpSection => {
  const rows = paramHelpRows(loaded.flow)
  return { title: `Parameters of flow ${loaded.flow.name}`, rows: rows.length === 0 ? [["(none)", ""]] : rows }
}

/** Empty (so not printed) for a flow without configs. */
const configSection = (loaded: LoadedFlow): HelpSection => ({
  title: `Configs of flow ${loaded.flow.name} (paths relative to the current directory)`,
  rows: configHelpRows(loaded.flow)
})

const describeFlow = (loaded: LoadedFlow): string =>
  `${DESCRIPTION}\n\nFlow ${loaded.flow.name} (export ${loaded.exportName} of ${loaded.file})${loaded.flow.description === undefined ? "" : `: ${loaded.flow.description}`}`

/**
 * The options that are run's own rather than the flow's parameters. A parameter of the flow named like one
 * of the options added after parameters could have any name (`--tag`, `--threads`, `--redis`, `--queue`) keeps
 * its name: the option then sets the parameter, once.
 */
const ownOptions = (loaded: LoadedFlow, args: ParsedArgs): ReadonlyArray<string> => {
  const taken = LATER_OPTIONS.filter((name) => Object.hasOwn(loaded.flow.params, name))
  if (taken.includes("tag") && (args.repeated.get("tag")?.length ?? 0) > 1) throw new UsageError("artiflow: option --tag is given twice", "run")
  return OWN_OPTIONS.filter((name) => !taken.includes(name))
}

const runFlow = run as unknown as (flow: FlowValue, options: RunOptions) => Promise<RunResult<unknown>>

export const runCommand: Command = {
  name: "run",
  summary: "run a flow from a file: artiflow run <file.ts> [--<param> <value>]...",
  flags: EXECUTION_FLAGS,
  repeatable: EXECUTION_REPEATABLE,
  pairs: CONFIG_OPTIONS,
  async help(args) {
    const file = args.positionals[0]
    if (file === undefined) return helpText(USAGE, DESCRIPTION, [OPTIONS])
    const loaded = await loadFlow(file, stringOption(args, "flow"))
    return helpText(USAGE.replace("<file.ts>", quoteArg(file)), describeFlow(loaded), [
      flowSection(loaded),
      configSection(loaded),
      OPTIONS
    ])
  },
  async run(args, io) {
    const [file] = positionalArgs(args, 1, 1, "one flow file: artiflow run <file.ts>", "run") as [string]
    const loaded = await loadFlow(file, stringOption(args, "flow"))
    const params = paramsFromOptions(loaded.flow, args.options, ownOptions(loaded, args))
    const configs = configsFromArgs(loaded.flow, args)
    const options: RunOptions = {
      params,
      configs,
      store: storeOf(args),
      ...executionOptions(args, "run", loaded.flow.params),
      ...executorOption(args, "run", loaded.flow.params)
    }
    return launch(io, { loaded, suffix: launchSuffix(args) }, (hooks) => runFlow(loaded.flow, { ...options, ...hooks }))
  }
}
