/**
 * What `run` and `resume` share once the flow is loaded: start it with a reporter wired to its events and
 * log lines, then print a summary (run id, tasks run and reused, the final artifacts) or, when the run
 * fails, where and why (with the user's stack frames) and how to resume it.
 */
import { describeFlow } from "../dsl/graph.js"
import { RunFailedError } from "../errors.js"
import type { RunEvent } from "../interpreter/events.js"
import type { RunResult } from "../interpreter/execute.js"
import type { LogLine } from "../interpreter/RunEnv.js"
import { EXIT } from "./command.js"
import { formatDuration, oneLine, plural, table } from "./format.js"
import { userFrames } from "./frames.js"
import { writeLine } from "./io.js"
import type { Io } from "./io.js"
import type { LoadedFlow } from "./loadFlow.js"
import { RunReporter } from "./reporter.js"
import { quoteArg } from "./store.js"

/** The hooks `run` and `resume` take to report progress, and the signal that stops the run. */
export interface RunHooks {
  readonly log: (line: LogLine) => void
  readonly onEvent: (event: RunEvent) => void
  readonly signal: AbortSignal
}

/** What a launch needs to know to print its summary and hints. */
export interface LaunchContext {
  readonly loaded: LoadedFlow
  /** `--flow <export>` and `--store <dir>` as given, to repeat in suggested commands. */
  readonly suffix: string
}

const MAX_ARTIFACTS = 20

const printArtifacts = (io: Io, artifacts: Readonly<Record<string, unknown>>): void => {
  const names = Object.keys(artifacts).sort()
  if (names.length === 0) return
  const width = Math.max(...names.map((name) => name.length))
  const valueWidth = Math.max(20, io.stdout.columns - width - 4)
  const rows = names.slice(0, MAX_ARTIFACTS).map((name) => [name, oneLine(artifacts[name], valueWidth)])
  writeLine(io.stdout, "final artifacts:")
  for (const line of table(rows)) writeLine(io.stdout, `  ${line}`)
  if (names.length > MAX_ARTIFACTS) writeLine(io.stdout, `  … and ${names.length - MAX_ARTIFACTS} more`)
}

const printSummary = (io: Io, result: RunResult<unknown>, reporter: RunReporter, context: LaunchContext): void => {
  const { succeeded, cloned, cached = 0 } = reporter.tasks
  const took = reporter.durationMs === undefined ? "" : ` in ${formatDuration(reporter.durationMs)}`
  const origin = reporter.originRunId === undefined ? "" : ` from run ${reporter.originRunId}`
  const reused = cloned === 0 ? "" : `, ${cloned} reused${origin}`
  const fromCache = cached === 0 ? "" : `, ${cached} cached`
  writeLine(io.stdout, `run ${result.runId} of ${result.flow} succeeded${took} (${plural(succeeded, "task")} ran${reused}${fromCache})`)
  printArtifacts(io, result.artifacts as Readonly<Record<string, unknown>>)
  writeLine(io.stdout, `inspect it: artiflow show ${result.flow}/${result.runId}${context.suffix}`)
}

const printFailure = (io: Io, error: RunFailedError, reporter: RunReporter, context: LaunchContext): void => {
  writeLine(io.stderr, error.message)
  for (const frame of userFrames(error.cause)) writeLine(io.stderr, `    ${frame}`)
  const { succeeded, cloned, cached = 0 } = reporter.tasks
  const notRun = [cloned === 0 ? "" : `${cloned} reused`, cached === 0 ? "" : `${cached} cached`].filter((part) => part !== "")
  const reused = notRun.length === 0 ? "" : ` (${notRun.join(", ")})`
  writeLine(io.stderr, `${plural(succeeded + cloned + cached, "task")} succeeded before the failure${reused}`)
  const inspect = error.taskId === "-" ? "show" : "dump"
  const task = error.taskId === "-" ? "" : `/${error.step}/${error.taskId}`
  writeLine(io.stderr, `inspect it: artiflow ${inspect} ${error.flow}/${error.runId}${task}${context.suffix}`)
  writeLine(io.stderr, `resume it:  artiflow resume ${quoteArg(context.loaded.file)}${context.suffix}`)
}

/**
 * Starts a run with `start` (which calls `run` or `resume` with the given hooks) and reports it. The first
 * interrupt (Ctrl-C) while it runs cancels the run, which then fails like any other and can be resumed.
 * Resolves to the exit code: 0 when the run succeeded, 1 when it failed; any other error is rethrown.
 */
export const launch = async (
  io: Io,
  context: LaunchContext,
  start: (hooks: RunHooks) => Promise<RunResult<unknown>>
): Promise<number> => {
  const reporter = new RunReporter(io, describeFlow(context.loaded.flow))
  const interrupt = new AbortController()
  const restore = io.onInterrupt?.(() => {
    reporter.notice("artiflow: stopping the run (interrupt again to exit at once)")
    interrupt.abort()
  })
  try {
    const result = await start({ log: reporter.log, onEvent: reporter.onEvent, signal: interrupt.signal })
    printSummary(io, result, reporter, context)
    return EXIT.ok
  } catch (error) {
    reporter.close()
    if (!(error instanceof RunFailedError)) throw error
    printFailure(io, error, reporter, context)
    return EXIT.runFailed
  } finally {
    restore?.()
  }
}
