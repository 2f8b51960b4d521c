/**
 * Foreach progress, driven by the run's `foreach-progress` events. On a terminal: one live bar per running
 * foreach (done/total, rate, ETA), redrawn in place at most every 100 ms, with other output (log lines)
 * printed above it. Elsewhere (a pipe, a CI log): plain lines, one per tenth of the work done and otherwise
 * at most one every 2 s. A foreach nested in another one is tallied over all its scopes.
 */
import type { ForeachProgress } from "../interpreter/events.js"
import { cut, formatDuration, formatEta, formatRate } from "./format.js"
import { writeLine } from "./io.js"
import type { Writer } from "./io.js"

/** Time, and a way to run something later: injected so tests drive the display with a fake clock. */
export interface Clock {
  now(): number
  /** Runs `task` after `ms` milliseconds; returns a function that cancels it. */
  schedule(task: () => void, ms: number): () => void
}

/** The real clock; its timers never keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (task, ms) => {
    const timer = setTimeout(task, ms)
    timer.unref()
    return () => clearTimeout(timer)
  }
}

/** How often the live bar may be redrawn, and how often a plain line may repeat without a tenth done. */
export const REDRAW_MS = 100
export const PLAIN_INTERVAL_MS = 2000

const BAR_WIDTH = 20

/** Where one foreach stands (summed over its scopes when it is nested). */
export interface Tally {
  readonly artifact: string
  readonly done: number
  readonly total: number
  /** When its first fan-out was seen. */
  readonly startedAt: number
}

const rateOf = (tally: Tally, now: number): number => tally.done / (Math.max(1, now - tally.startedAt) / 1000)

const etaOf = (tally: Tally, now: number): string => {
  const rate = rateOf(tally, now)
  return tally.done === 0 || rate <= 0 ? "?" : formatEta(((tally.total - tally.done) / rate) * 1000)
}

const percent = (tally: Tally): number => (tally.total === 0 ? 100 : Math.floor((tally.done * 100) / tally.total))

/**
 * The live bar of one foreach, cut to `width` characters.
 *
 * @example
 * progressBar({ artifact: "items", done: 25, total: 50, startedAt: 0 }, 2000, 80)
 * // "foreach items [██████████░░░░░░░░░░] 25/50  50%  12.5/s  ETA 2s"
 */
export const progressBar = (tally: Tally, now: number, width: number): string => {
  const filled = tally.total === 0 ? BAR_WIDTH : Math.floor((tally.done * BAR_WIDTH) / tally.total)
  const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled)
  const rate = tally.done === 0 ? "-/s" : formatRate(rateOf(tally, now))
  const counts = `${tally.done}/${tally.total}  ${percent(tally)}%`
  return cut(`foreach ${tally.artifact} [${bar}] ${counts}  ${rate}  ETA ${etaOf(tally, now)}`, width)
}

/**
 * A plain progress line: "foreach items: 25/50 (50%), 12.5/s, ETA 2s".
 *
 * @example
 * progressLine({ artifact: "items", done: 0, total: 50, startedAt: 0 }, 0) // "foreach items: 0/50 (0%)"
 */
export const progressLine = (tally: Tally, now: number): string => {
  const head = `foreach ${tally.artifact}: ${tally.done}/${tally.total} (${percent(tally)}%)`
  return tally.done === 0 ? head : `${head}, ${formatRate(rateOf(tally, now))}, ETA ${etaOf(tally, now)}`
}

/** The line a foreach leaves when all its tasks are done: "foreach items: 50/50 done in 1.2s (41.7/s)". */
export const doneLine = (tally: Tally, now: number): string => {
  const rate = tally.done === 0 ? "" : ` (${formatRate(rateOf(tally, now))})`
  return `foreach ${tally.artifact}: ${tally.done}/${tally.total} done in ${formatDuration(now - tally.startedAt)}${rate}`
}

/** The line an unfinished foreach leaves when the run ends: "foreach items: stopped at 37/50 (74%)". */
export const stoppedLine = (tally: Tally): string =>
  `foreach ${tally.artifact}: stopped at ${tally.done}/${tally.total} (${percent(tally)}%)`

interface Running {
  readonly artifact: string
  readonly startedAt: number
  /** Progress per scope (the task id the foreach runs in). */
  readonly scopes: Map<string, { done: number; total: number }>
  /** Plain mode: when the last line was written and the tenth it reached. */
  lastLineAt: number | undefined
  lastTenth: number
}

const tallyOf = (running: Running): Tally => {
  let done = 0
  let total = 0
  for (const scope of running.scopes.values()) {
    done += scope.done
    total += scope.total
  }
  return { artifact: running.artifact, startedAt: running.startedAt, done, total }
}

/** Shows foreach progress on `writer` (a bar on a terminal, plain lines elsewhere); see the module comment. */
export class ProgressDisplay {
  private readonly running = new Map<string, Running>()
  /** Lines of bars currently on the terminal, below everything else. */
  private drawn = 0
  private lastDraw = Number.NEGATIVE_INFINITY
  private cancelRedraw: (() => void) | undefined

  constructor(
    private readonly writer: Writer,
    private readonly clock: Clock = systemClock
  ) {}

  /** Takes one `foreach-progress` event. */
  update(event: ForeachProgress): void {
    const now = this.clock.now()
    const running = this.running.get(event.artifact) ?? this.start(event.artifact, now)
    running.scopes.set(event.taskId, { done: event.done, total: event.total })
    const tally = tallyOf(running)
    if (tally.done >= tally.total) {
      this.running.delete(event.artifact)
      this.print(this.writer, doneLine(tally, now))
    } else if (this.writer.isTTY) {
      this.requestDraw()
    } else {
      this.plainLine(running, tally, now)
    }
  }

  /** Writes a line of other output to `target` (a log line), keeping the live bars below it. */
  print(target: Writer, text: string): void {
    this.clear()
    writeLine(target, text)
    if (this.writer.isTTY && this.running.size > 0) this.requestDraw()
  }

  /** Ends the display: removes the bars and says where unfinished foreaches stopped. */
  close(): void {
    this.cancelRedraw?.()
    this.cancelRedraw = undefined
    this.clear()
    for (const running of this.running.values()) writeLine(this.writer, stoppedLine(tallyOf(running)))
    this.running.clear()
  }

  private start(artifact: string, now: number): Running {
    const running: Running = { artifact, startedAt: now, scopes: new Map(), lastLineAt: undefined, lastTenth: 0 }
    this.running.set(artifact, running)
    return running
  }

  private plainLine(running: Running, tally: Tally, now: number): void {
    const tenth = tally.total === 0 ? 10 : Math.floor((tally.done * 10) / tally.total)
    const due = running.lastLineAt === undefined || tenth > running.lastTenth || now - running.lastLineAt >= PLAIN_INTERVAL_MS
    if (!due) return
    running.lastLineAt = now
    running.lastTenth = Math.max(running.lastTenth, tenth)
    writeLine(this.writer, progressLine(tally, now))
  }

  private requestDraw(): void {
    if (this.cancelRedraw !== undefined) return
    const wait = this.lastDraw + REDRAW_MS - this.clock.now()
    if (wait <= 0) {
      this.draw()
      return
    }
    this.cancelRedraw = this.clock.schedule(() => {
      this.cancelRedraw = undefined
      this.draw()
    }, wait)
  }

  private draw(): void {
    this.clear()
    const now = this.clock.now()
    this.lastDraw = now
    const lines = [...this.running.values()].map((running) => progressBar(tallyOf(running), now, this.writer.columns - 1))
    if (lines.length === 0) return
    this.writer.write(`${lines.join("\n")}\n`)
    this.drawn = lines.length
  }

  /** Moves the cursor up over the bars and erases them. */
  private clear(): void {
    if (this.drawn === 0) return
    this.writer.write(`\u001b[${this.drawn}A\u001b[J`)
    this.drawn = 0
  }
}
