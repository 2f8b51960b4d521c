/** `artiflow graph <file.ts>`: a flow's graph, as an indented text tree or as Mermaid. */
import { describeFlow } from "../../dsl/graph.js"
import { renderMermaid } from "../../report/mermaid.js"
import { renderGraphText } from "../../report/text.js"
import { checkOptionNames, flagOption, positionalArgs, stringOption } from "../args.js"
import { EXIT, FLOW_ROW, HELP_ROW, helpText } from "../command.js"
import type { Command } from "../command.js"
import { loadFlow } from "../loadFlow.js"

const HELP = helpText(
  "artiflow graph <file.ts> [--flow <name>] [--mermaid]",
  "Draws a flow's graph without running it: steps, foreach bodies, split branches and joins with their rules.",
  [{ title: "Options", rows: [FLOW_ROW, ["--mermaid", "print a Mermaid flowchart (for Markdown) instead of text"], HELP_ROW] }]
)

export const graphCommand: Command = {
  name: "graph",
  summary: "draw a flow's graph as text or Mermaid",
  flags: ["mermaid"],
  help: async () => HELP,
  async run(args, io) {
    const [file] = positionalArgs(args, 1, 1, "one flow file: artiflow graph <file.ts>", "graph") as [string]
    checkOptionNames(args, ["flow", "mermaid"], "graph")
    const { flow } = await loadFlow(file, stringOption(args, "flow"))
    const graph = describeFlow(flow)
    io.stdout.write(flagOption(args, "mermaid") ? renderMermaid(graph) : renderGraphText(graph))
    return EXIT.ok
  }
}
