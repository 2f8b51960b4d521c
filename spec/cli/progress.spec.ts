/**
 * The progress display, driven by fake events and a fake clock: the live bar's text (done/total, percent,
 * rate, ETA), redraws in place at most every 100 ms, log lines printed above the bar, and plain lines on a
 * pipe (one per tenth, a heartbeat every 2 s, never more).
 */
import { describe, expect, test } from "vitest"
import type { ForeachProgress } from "../../lib/interpreter/events.js"
import { bufferWriter } from "../../lib/cli/io.js"
import { doneLine, progressBar, progressLine, ProgressDisplay, stoppedLine } from "../../lib/cli/progress.js"
import type { Clock } from "../../lib/cli/progress.js"
import { RunReporter } from "../../lib/cli/reporter.js"

/** A clock that moves only when told to, running due timers as it passes them. */
const fakeClock = (): Clock & { advance(ms: number): void; pending(): number } => {
  let now = 0
  let timers: Array<{ at: number; task: () => void }> = []
  return {
    now: () => now,
    schedule: (task, ms) => {
      const timer = { at: now + ms, task }
      timers.push(timer)
      return () => void (timers = timers.filter((other) => other !== timer))
    },
    advance: (ms) => {
      const until = now + ms
      for (;;) {
        const next = timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0]
        if (next === undefined) break
        timers = timers.filter((timer) => timer !== next)
        now = next.at
        next.task()
      }
      now = until
    },
    pending: () => timers.length
  }
}

const progress = (done: number, total = 50, artifact = "items", taskId = "0"): ForeachProgress => ({
  type: "foreach-progress",
  artifact,
  taskId,
  done,
  total
})

const UP_AND_CLEAR = (lines: number): string => `\u001b[${lines}A\u001b[J`

describe("the bar's text", () => {
  test("done/total, percent, rate per second and ETA", () => {
    const tally = { artifact: "items", done: 25, total: 50, startedAt: 1000 }
    expect(progressBar(tally, 3000, 100)).toBe("foreach items [██████████░░░░░░░░░░] 25/50  50%  12.5/s  ETA 2s")
    expect(progressBar({ ...tally, done: 0 }, 1000, 100)).toBe("foreach items [░░░░░░░░░░░░░░░░░░░░] 0/50  0%  -/s  ETA ?")
    expect(progressBar({ ...tally, done: 10, total: 1000 }, 1000 + 65_000, 100)).toBe(
      "foreach items [░░░░░░░░░░░░░░░░░░░░] 10/1000  1%  0.15/s  ETA 1h 47m"
    )
  })

  test("is cut to the terminal's width", () => {
    const line = progressBar({ artifact: "items", done: 25, total: 50, startedAt: 0 }, 2000, 30)
    expect(line).toBe("foreach items [██████████░░░░…")
    expect([...line]).toHaveLength(30)
  })

  test("plain, done and stopped lines", () => {
    const tally = { artifact: "items", done: 30, total: 40, startedAt: 0 }
    expect(progressLine(tally, 3000)).toBe("foreach items: 30/40 (75%), 10.0/s, ETA 1s")
    expect(progressLine({ ...tally, done: 0 }, 3000)).toBe("foreach items: 0/40 (0%)")
    expect(doneLine({ ...tally, done: 40 }, 4000)).toBe("foreach items: 40/40 done in 4.0s (10.0/s)")
    expect(stoppedLine(tally)).toBe("foreach items: stopped at 30/40 (75%)")
  })
})

describe("on a terminal", () => {
  test("draws the bar at once, then at most every 100 ms; a timer draws what came in between", () => {
    const clock = fakeClock()
    const terminal = bufferWriter({ isTTY: true, columns: 100 })
    const display = new ProgressDisplay(terminal, clock)
    display.update(progress(0))
    expect(terminal.text()).toBe("foreach items [░░░░░░░░░░░░░░░░░░░░] 0/50  0%  -/s  ETA ?\n")
    clock.advance(40)
    display.update(progress(1))
    clock.advance(20)
    display.update(progress(2))
    expect(terminal.text()).toBe("foreach items [░░░░░░░░░░░░░░░░░░░░] 0/50  0%  -/s  ETA ?\n")
    expect(clock.pending()).toBe(1)
    clock.advance(40)
    expect(terminal.text()).toBe(
      "foreach items [░░░░░░░░░░░░░░░░░░░░] 0/50  0%  -/s  ETA ?\n" +
        UP_AND_CLEAR(1) +
        "foreach items [░░░░░░░░░░░░░░░░░░░░] 2/50  4%  20.0/s  ETA 2s\n"
    )
  })

  test("a log line goes above the bar, which is redrawn below it", () => {
    const clock = fakeClock()
    const terminal = bufferWriter({ isTTY: true, columns: 100 })
    const stdout = bufferWriter()
    const display = new ProgressDisplay(terminal, clock)
    display.update(progress(0, 10))
    clock.advance(1000)
    display.update(progress(5, 10))
    display.print(stdout, "[score/3] hello")
    expect(stdout.text()).toBe("[score/3] hello\n")
    clock.advance(100)
    expect(terminal.text()).toBe(
      [
        "foreach items [░░░░░░░░░░░░░░░░░░░░] 0/10  0%  -/s  ETA ?\n",
        UP_AND_CLEAR(1),
        "foreach items [██████████░░░░░░░░░░] 5/10  50%  5.0/s  ETA 1s\n",
        UP_AND_CLEAR(1),
        "foreach items [██████████░░░░░░░░░░] 5/10  50%  4.5/s  ETA 1s\n"
      ].join("")
    )
  })

  test("one line per running foreach; a finished one leaves its done line above the others", () => {
    const clock = fakeClock()
    const terminal = bufferWriter({ isTTY: true, columns: 100 })
    const display = new ProgressDisplay(terminal, clock)
    display.update(progress(0, 2, "a"))
    clock.advance(100)
    display.update(progress(0, 4, "b"))
    clock.advance(900)
    display.update(progress(2, 2, "a"))
    clock.advance(100)
    const text = terminal.text()
    expect(text).toContain(
      UP_AND_CLEAR(2) + "foreach a: 2/2 done in 1.0s (2.0/s)\n"
    )
    expect(text.endsWith("foreach b [░░░░░░░░░░░░░░░░░░░░] 0/4  0%  -/s  ETA ?\n")).toBe(true)
  })

  test("a nested foreach is tallied over its scopes; close() erases the bar and says where it stopped", () => {
    const clock = fakeClock()
    const terminal = bufferWriter({ isTTY: true, columns: 100 })
    const display = new ProgressDisplay(terminal, clock)
    display.update(progress(0, 3, "inner", "0"))
    display.update(progress(0, 5, "inner", "1"))
    clock.advance(1000)
    display.update(progress(3, 3, "inner", "0"))
    clock.advance(100)
    expect(terminal.text().endsWith("foreach inner [███████░░░░░░░░░░░░░] 3/8  37%  3.0/s  ETA 2s\n")).toBe(true)
    display.close()
    expect(terminal.text().endsWith(UP_AND_CLEAR(1) + "foreach inner: stopped at 3/8 (37%)\n")).toBe(true)
    expect(clock.pending()).toBe(0)
  })
})

describe("on a pipe", () => {
  test("a line at the start, at each tenth, on a 2 s heartbeat, and when done; never escape codes", () => {
    const clock = fakeClock()
    const pipe = bufferWriter()
    const display = new ProgressDisplay(pipe, clock)
    display.update(progress(0, 20))
    for (let done = 1; done <= 3; done++) {
      clock.advance(100)
      display.update(progress(done, 20))
    }
    clock.advance(2000)
    display.update(progress(4, 20))
    clock.advance(100)
    display.update(progress(5, 20))
    for (let done = 6; done <= 20; done++) display.update(progress(done, 20))
    expect(pipe.text().split("\n")).toEqual([
      "foreach items: 0/20 (0%)",
      "foreach items: 2/20 (10%), 10.0/s, ETA 2s",
      "foreach items: 4/20 (20%), 1.7/s, ETA 9s",
      "foreach items: 6/20 (30%), 2.5/s, ETA 6s",
      "foreach items: 8/20 (40%), 3.3/s, ETA 4s",
      "foreach items: 10/20 (50%), 4.2/s, ETA 2s",
      "foreach items: 12/20 (60%), 5.0/s, ETA 2s",
      "foreach items: 14/20 (70%), 5.8/s, ETA 1s",
      "foreach items: 16/20 (80%), 6.7/s, ETA <1s",
      "foreach items: 18/20 (90%), 7.5/s, ETA <1s",
      "foreach items: 20/20 done in 2.4s (8.3/s)",
      ""
    ])
    expect(clock.pending()).toBe(0)
  })
})

describe("the run reporter", () => {
  const graph = {
    nodes: [
      { kind: "step", name: "start", options: {} },
      { kind: "foreach", artifact: "items", body: [{ kind: "step", name: "score", options: {} }], join: { name: "collect", hasFunction: true } }
    ]
  } as const

  test("prints log lines with their step and task, top-level tasks, failed attempts; counts tasks", () => {
    const clock = fakeClock()
    const stdout = bufferWriter()
    const stderr = bufferWriter()
    const reporter = new RunReporter({ stdout, stderr }, graph, clock)
    reporter.onEvent({ type: "run-started", flow: "F", runId: "r2", originRunId: "r1" })
    reporter.onEvent({ type: "task-finished", step: "start", taskId: "0", attempt: 0, status: "cloned", durationMs: 1 })
    reporter.log({ flow: "F", runId: "r2", step: "score", taskId: "0", attempt: 1, text: "retrying" })
    reporter.onEvent({ type: "task-finished", step: "score", taskId: "0", attempt: 0, status: "failed", durationMs: 12 })
    reporter.onEvent({ type: "task-finished", step: "score", taskId: "0", attempt: 1, status: "succeeded", durationMs: 5 })
    reporter.onEvent({ type: "task-finished", step: "score", taskId: "1", attempt: 0, status: "cloned", durationMs: 0 })
    reporter.onEvent({ type: "task-finished", step: "collect", taskId: "0", attempt: 0, status: "succeeded", durationMs: 3 })
    clock.advance(1500)
    reporter.onEvent({ type: "run-finished", flow: "F", runId: "r2", status: "succeeded" })
    expect(stdout.text().split("\n")).toEqual([
      "run r2 of F started, resuming run r1",
      "[start/0] reused from run r1",
      "[score/0 attempt 1] retrying",
      "[score/0] attempt 0 failed after 12ms",
      "[collect/0] succeeded in 3ms",
      ""
    ])
    expect(reporter.tasks).toEqual({ succeeded: 2, failed: 1, cloned: 2 })
    expect(reporter.durationMs).toBe(1500)
    expect(reporter.originRunId).toBe("r1")
  })
})
