/** `artiflow report <Flow>[/<run>] --out <file.html>`: writes a run's self-contained HTML report. */
import { writeFile } from "node:fs/promises"
import { resolve } from "node:path"
import { Client } from "../../client/Client.js"
import { renderRunReport } from "../../report/html.js"
import { checkOptionNames, positionalArgs, stringOption } from "../args.js"
import { EXIT, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import { writeLine } from "../io.js"
import { storeOf } from "../store.js"
import { parseTarget } from "../target.js"

const HELP = helpText(
  "artiflow report <Flow>[/<run>] [--out <file.html>] [--store <dir>]",
  [
    "Writes a run's report (the flow's latest run without an id) as one self-contained HTML file: header,",
    "parameters, the graph coloured by status, every step's tasks with their errors, logs and artifacts.",
    "Prints the file's path."
  ].join("\n"),
  [{ title: "Options", rows: [["--out <file.html>", "where to write it (default: ./<Flow>-<run>.html)"], STORE_ROW, HELP_ROW] }]
)

export const reportCommand: Command = {
  name: "report",
  summary: "write a run's HTML report",
  flags: [],
  help: async () => HELP,
  async run(args, io) {
    const [path] = positionalArgs(args, 1, 1, "a run: artiflow report <Flow>[/<run>] --out <file.html>", "report") as [string]
    checkOptionNames(args, ["out", "store"], "report")
    const target = parseTarget(path, 2, "report")
    const run = await Client.open(storeOf(args)).run(target.flow, target.runId)
    const out = resolve(stringOption(args, "out") ?? `${run.flow}-${run.id}.html`)
    await writeFile(out, await renderRunReport(run))
    writeLine(io.stdout, out)
    return EXIT.ok
  }
}
