/**
 * What `run` and `resume` print while a flow runs, from its events and log lines: the run id, `ctx.log`
 * lines prefixed with their step and task, one line per task outside any foreach, every failed attempt, and
 * foreach progress (see progress.ts). It also counts tasks, for the summary at the end.
 */
import type { FlowGraph, GraphNode } from "../datastore/Manifest.js"
import type { RunEvent, TaskFinished } from "../interpreter/events.js"
import type { LogLine } from "../interpreter/RunEnv.js"
import { formatDuration } from "./format.js"
import type { Io } from "./io.js"
import { ProgressDisplay, systemClock } from "./progress.js"
import type { Clock } from "./progress.js"

/** How many tasks ended each way. */
export interface TaskCounts {
  readonly succeeded: number
  readonly failed: number
  readonly cloned: number
  /** Answered by the step cache (their functions did not run); absent when none. */
  readonly cached?: number
}

/** The steps and joins that run once per foreach element (a foreach's own join runs once, so it is not one). */
export const foreachSteps = (graph: FlowGraph): ReadonlySet<string> => {
  const found = new Set<string>()
  const visit = (nodes: ReadonlyArray<GraphNode>, inForeach: boolean): void => {
    for (const node of nodes) {
      if (node.kind === "step") {
        if (inForeach) found.add(node.name)
      } else if (node.kind === "split") {
        for (const branch of node.branches) visit(branch.nodes, inForeach)
        if (inForeach) found.add(node.join.name)
      } else {
        visit(node.body, true)
        if (inForeach) found.add(node.join.name)
      }
    }
  }
  visit(graph.nodes, false)
  return found
}

/** Receives a run's events (`onEvent`) and log lines (`log`) and prints them on the CLI's writers. */
export class RunReporter {
  private readonly progress: ProgressDisplay
  private readonly counts = { succeeded: 0, failed: 0, cloned: 0, cached: 0 }
  private started: { readonly runId: string; readonly originRunId: string | undefined; readonly at: number } | undefined
  private finishedAt: number | undefined

  private readonly perElement: ReadonlySet<string>

  constructor(
    private readonly io: Io,
    graph: FlowGraph,
    private readonly clock: Clock = systemClock
  ) {
    this.progress = new ProgressDisplay(io.stderr, clock)
    this.perElement = foreachSteps(graph)
  }

  /** Pass as `run(flow, { onEvent })`. */
  readonly onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case "run-started":
        this.started = { runId: event.runId, originRunId: event.originRunId, at: this.clock.now() }
        const resuming = event.originRunId === undefined ? "" : `, resuming run ${event.originRunId}`
        this.print(`run ${event.runId} of ${event.flow} started${resuming}`)
        return
      case "task-finished": {
        this.counts[event.status]++
        const line = this.taskLine(event)
        if (line !== undefined) this.print(line)
        return
      }
      case "foreach-progress":
        this.progress.update(event)
        return
      case "run-finished":
        this.finishedAt = this.clock.now()
        this.progress.close()
        return
    }
  }

  /** Pass as `run(flow, { log })`. */
  readonly log = (line: LogLine): void => {
    const attempt = line.attempt === 0 ? "" : ` attempt ${line.attempt}`
    this.print(`[${line.step}/${line.taskId}${attempt}] ${line.text}`)
  }

  /** Tasks by how they ended (a failed attempt that was retried counts as failed too). */
  get tasks(): TaskCounts {
    const { cached, ...counts } = this.counts
    return cached === 0 ? counts : { ...counts, cached }
  }

  /** The run a resumed run reuses tasks from. */
  get originRunId(): string | undefined {
    return this.started?.originRunId
  }

  /** How long the run took, from its start to its end event. */
  get durationMs(): number | undefined {
    return this.started === undefined || this.finishedAt === undefined ? undefined : this.finishedAt - this.started.at
  }

  /** Ends the progress display (the run-finished event does too; a run that never started needs this). */
  close(): void {
    this.progress.close()
  }

  /** Every failed attempt; other tasks only outside foreach bodies (progress stands for those). */
  private taskLine(event: TaskFinished): string | undefined {
    const where = `[${event.step}/${event.taskId}]`
    if (event.status === "failed") return `${where} attempt ${event.attempt} failed after ${formatDuration(event.durationMs)}`
    if (this.perElement.has(event.step)) return undefined
    if (event.status === "cloned") return `${where} reused from run ${this.started?.originRunId ?? "?"}`
    if (event.status === "cached") return `${where} answered by the step cache`
    const attempt = event.attempt === 0 ? "" : `attempt ${event.attempt} `
    return `${where} ${attempt}succeeded in ${formatDuration(event.durationMs)}`
  }

  /** Prints a message of the CLI's own on stderr (above the live bars). */
  notice(text: string): void {
    this.progress.print(this.io.stderr, text)
  }

  private print(text: string): void {
    this.progress.print(this.io.stdout, text)
  }
}
