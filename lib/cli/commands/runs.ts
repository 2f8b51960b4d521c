/** `artiflow runs <Flow>`: a flow's runs, newest first (without a flow: the flows in the store). */
import { Client } from "../../client/Client.js"
import type { RunStatus, RunsOptions } from "../../client/runsFilter.js"
import type { RunSummary } from "../../datastore/Datastore.js"
import { checkOptionNames, flagOption, positionalArgs, positiveIntOption, stringOption } from "../args.js"
import type { ParsedArgs } from "../args.js"
import { EXIT, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import { UsageError } from "../errors.js"
import { tagOptions } from "../execution.js"
import { isoTime, jsonText, span, table } from "../format.js"
import { writeLine } from "../io.js"
import type { Io } from "../io.js"
import { storeOf } from "../store.js"

const HELP = helpText(
  "artiflow runs [<Flow>] [--tag <t>]... [--status <s>] [--limit <n>] [--store <dir>] [--json]",
  [
    "Lists a flow's runs, newest first: id, status, start time (ISO 8601, UTC), duration and tags.",
    "Without a flow, lists the flows in the store."
  ].join("\n"),
  [
    {
      title: "Options",
      rows: [
        ["--tag <t>", "only runs with this tag (repeatable: runs with every tag given)"],
        ["--status <s>", "only runs with this status: running, succeeded or failed"],
        ["--limit <n>", "at most n runs, the newest (after the other filters)"],
        STORE_ROW,
        ["--json", "print JSON instead of a table: [{ id, flow, status, startedAt, finishedAt, durationMs, tags }]"],
        HELP_ROW
      ]
    }
  ]
)

const OPTIONS = ["tag", "status", "limit", "store", "json"]
const STATUSES: ReadonlyArray<RunStatus> = ["running", "succeeded", "failed"]

/** A run as `--json` prints it: the names `client.runs` uses, times as ISO text. */
const runJson = (run: RunSummary): object => ({
  id: run.id,
  flow: run.flow,
  status: run.status,
  startedAt: isoTime(run.startedAt),
  finishedAt: run.finishedAt === undefined ? null : isoTime(run.finishedAt),
  durationMs: run.finishedAt === undefined ? null : run.finishedAt - run.startedAt,
  tags: run.tags
})

/** The filters given as --tag, --status and --limit. */
const filterOptions = (args: ParsedArgs): RunsOptions => {
  const tags = tagOptions(args, "runs")
  const status = stringOption(args, "status")
  if (status !== undefined && !STATUSES.includes(status as RunStatus)) {
    throw new UsageError(`artiflow: option --status expects running, succeeded or failed (received '${status}')`, "runs")
  }
  const limit = positiveIntOption(args, "limit")
  return {
    ...(tags.length > 0 && { tags }),
    ...(status !== undefined && { status: status as RunStatus }),
    ...(limit !== undefined && { limit })
  }
}

const listFlows = async (client: Client, io: Io, json: boolean): Promise<number> => {
  const flows = await client.flows()
  if (json) io.stdout.write(jsonText(flows))
  else if (flows.length === 0) writeLine(io.stdout, "no flows have run in this store yet")
  else for (const flow of flows) writeLine(io.stdout, flow)
  return EXIT.ok
}

export const runsCommand: Command = {
  name: "runs",
  summary: "list a flow's runs, newest first (filter by --tag, --status)",
  flags: ["json"],
  repeatable: ["tag"],
  help: async () => HELP,
  async run(args, io) {
    const [flow] = positionalArgs(args, 0, 1, "at most one flow name: artiflow runs <Flow>", "runs")
    checkOptionNames(args, OPTIONS, "runs")
    const client = Client.open(storeOf(args))
    const json = flagOption(args, "json")
    const filters = filterOptions(args)
    if (flow === undefined) {
      if (Object.keys(filters).length > 0) throw new UsageError("artiflow: runs needs a flow to filter: artiflow runs <Flow> --tag <t>", "runs")
      return listFlows(client, io, json)
    }
    const runs = await client.runs(flow, filters)
    if (json) {
      io.stdout.write(jsonText(runs.map(runJson)))
      return EXIT.ok
    }
    const rows = runs.map((run) => [run.id, run.status, isoTime(run.startedAt), span(run.startedAt, run.finishedAt), run.tags.join(",")])
    for (const line of table([["RUN", "STATUS", "STARTED", "DURATION", "TAGS"], ...rows])) writeLine(io.stdout, line)
    return EXIT.ok
  }
}
