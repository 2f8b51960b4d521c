/**
 * `artiflow lineage <Flow>/<run>/<step>/<task> <artifact>`: where an artifact of a task's record came from,
 * as a tree: the task that produced it, what that task read, and where each of those came from, down to the
 * run's parameters (DESIGN.md §9).
 */
import { Client } from "../../client/Client.js"
import type { LineageNode, LineageRead } from "../../client/lineage.js"
import { NotFoundError } from "../../errors.js"
import { listNames } from "../../listing.js"
import { checkOptionNames, flagOption, positionalArgs, positiveIntOption } from "../args.js"
import { EXIT, HELP_ROW, helpText, STORE_ROW } from "../command.js"
import type { Command } from "../command.js"
import { UsageError } from "../errors.js"
import { jsonText } from "../format.js"
import { writeLine } from "../io.js"
import type { Writer } from "../io.js"
import { storeOf } from "../store.js"
import { parseTarget } from "../target.js"

const USAGE = "artiflow lineage <Flow>/<run>/<step>[/<task>] <artifact> [--depth <n>] [--json] [--store <dir>]"

const HELP = helpText(
  USAGE,
  [
    "Shows where an artifact of a task's record came from: the task that produced it (the task itself, or the",
    "earlier task it inherited the value from), what that task's function read, and where each of those",
    "values came from, --depth levels of tasks deep. Parameters and configs show as _parameters. A task the",
    "step cache answered says which run computed it. The task may be omitted for a step with one task."
  ].join("\n"),
  [
    {
      title: "Options",
      rows: [
        ["--depth <n>", "levels of producing tasks to show, the first included (default: 3)"],
        ["--json", "print the tree as JSON"],
        STORE_ROW,
        HELP_ROW
      ]
    }
  ]
)

const short = (hash: string): string => hash.slice(0, 12)

/** "fit/2", with the run when it is not the one asked about. */
const taskLabel = (node: { readonly runId: string; readonly step: string; readonly taskId: string }, runId: string): string => {
  const where = node.step === "_parameters" ? "parameters" : `${node.step}/${node.taskId}`
  return node.runId === runId ? where : `${where} of run ${node.runId}`
}

const cachedNote = (node: LineageNode): string =>
  node.cachedFrom === undefined ? "" : ` (cached: computed by ${node.cachedFrom.taskId} of run ${node.cachedFrom.runId})`

const writeReads = (out: Writer, reads: ReadonlyArray<LineageRead>, runId: string, indent: string): void => {
  reads.forEach((read, i) => {
    const last = i === reads.length - 1
    const input = read.input === undefined ? "" : ` [input ${read.input}]`
    const node = read.lineage
    const from = taskLabel(read.producer, runId)
    writeLine(out, `${indent}${last ? "└─" : "├─"} ${read.name}${input} ${short(read.hash)} <- ${from}${node === undefined ? "" : cachedNote(node)}`)
    if (node !== undefined) writeReads(out, node.reads, runId, `${indent}${last ? "   " : "│  "}`)
  })
}

export const lineageCommand: Command = {
  name: "lineage",
  summary: "show where an artifact came from: the tasks that produced it and what each read",
  flags: ["json"],
  help: async () => HELP,
  async run(args, io) {
    const usage = "a task and an artifact: artiflow lineage <Flow>/<run>/<step>/<task> <artifact>"
    const [path, artifact] = positionalArgs(args, 2, 2, usage, "lineage") as [string, string]
    checkOptionNames(args, ["depth", "json", "store"], "lineage")
    const target = parseTarget(path, 4, "lineage")
    if (target.runId === undefined || target.step === undefined) {
      throw new UsageError(`artiflow: lineage takes <Flow>/<run>/<step>[/<task>], not '${path}'`, "lineage")
    }
    const depth = positiveIntOption(args, "depth")
    const run = await Client.open(storeOf(args)).run(target.flow, target.runId)
    const step = run.step(target.step)
    let taskId = target.taskId
    if (taskId === undefined) {
      const tasks = await step.tasks()
      if (tasks.length !== 1) {
        throw new NotFoundError(
          `artiflow: step '${target.step}' of run '${run.id}' has ${tasks.length} tasks: name one, e.g. ${target.flow}/${run.id}/${target.step}/${tasks[0]?.id ?? "0"} (tasks: ${listNames(tasks.map((t) => t.id))})`
        )
      }
      taskId = tasks[0]?.id ?? "0"
    }
    const task = await step.task(taskId)
    const tree = await task.lineage(artifact, depth === undefined ? {} : { depth })
    if (flagOption(args, "json")) {
      io.stdout.write(jsonText({ flow: run.flow, runId: run.id, step: task.step, taskId: task.id, lineage: tree }))
      return EXIT.ok
    }
    writeLine(io.stdout, `${artifact} ${short(tree.hash)} <- ${taskLabel(tree, run.id)}${cachedNote(tree)}`)
    if (tree.reads.length === 0) {
      const why = tree.step === "_parameters" ? "a parameter or config of the run" : "its function read no artifact"
      writeLine(io.stdout, `   (${why})`)
    }
    writeReads(io.stdout, tree.reads, run.id, "")
    return EXIT.ok
  }
}
