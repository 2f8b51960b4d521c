/** `artiflow runs <Flow>`: a flow's runs, newest first (without a flow: the flows in the store). */
import { Client } from "../../client/Client.js"
import type { RunSummary } from "../../datastore/Datastore.js"
import { checkOptionNames, flagOption, positionalArgs } from "../args.js"
import { EXIT, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import { isoTime, jsonText, span, table } from "../format.js"
import { writeLine } from "../io.js"
import type { Io } from "../io.js"
import { storeOf } from "../store.js"

const HELP = helpText(
  "artiflow runs [<Flow>] [--store <dir>] [--json]",
  "Lists a flow's runs, newest first: id, status, start time (ISO 8601, UTC) and duration.\nWithout a flow, lists the flows in the store.",
  [{ title: "Options", rows: [STORE_ROW, ["--json", "print JSON instead of a table"], HELP_ROW] }]
)

/** A run as `--json` prints it. */
const runJson = (run: RunSummary): object => ({
  runId: run.runId,
  status: run.status,
  startedAt: isoTime(run.startedAt),
  finishedAt: run.finishedAt === undefined ? null : isoTime(run.finishedAt),
  durationMs: run.finishedAt === undefined ? null : run.finishedAt - run.startedAt
})

const listFlows = async (client: Client, io: Io, json: boolean): Promise<number> => {
  const flows = await client.flows()
  if (json) io.stdout.write(jsonText(flows))
  else if (flows.length === 0) writeLine(io.stdout, "no flows have run in this store yet")
  else for (const flow of flows) writeLine(io.stdout, flow)
  return EXIT.ok
}

export const runsCommand: Command = {
  name: "runs",
  summary: "list a flow's runs, newest first",
  flags: ["json"],
  help: async () => HELP,
  async run(args, io) {
    const [flow] = positionalArgs(args, 0, 1, "at most one flow name: artiflow runs <Flow>", "runs")
    checkOptionNames(args, ["store", "json"], "runs")
    const client = Client.open(storeOf(args))
    const json = flagOption(args, "json")
    if (flow === undefined) return listFlows(client, io, json)
    const runs = await client.runs(flow)
    if (json) {
      io.stdout.write(jsonText(runs.map(runJson)))
      return EXIT.ok
    }
    const rows = runs.map((run) => [run.runId, run.status, isoTime(run.startedAt), span(run.startedAt, run.finishedAt)])
    for (const line of table([["RUN", "STATUS", "STARTED", "DURATION"], ...rows])) writeLine(io.stdout, line)
    return EXIT.ok
  }
}
