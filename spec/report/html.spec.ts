/**
 * `renderRunReport` as text: sections, tasks, attempts, previews, escaping, the preview budget (big blobs are
 * never read), the cap on listed tasks, and a failed run. The browser test (report.spec.ts) checks what shows.
 */
import { describe, expect, test } from "vitest"
import { escapeMarkup, formatBytes } from "../../lib/report/format.js"
import type { StepHandle } from "../../lib/index.js"
import { renderRunReport } from "../../lib/report/html.js"
import { stepSection } from "../../lib/report/htmlTasks.js"
import { stepState } from "../../lib/report/status.js"
import { brokenRun, INJECTION, REPORT_STEPS, reportRun } from "./runs.js"

/** The HTML of one step's section. */
const section = (html: string, step: string): string => {
  const start = html.indexOf(`<section class="step" id="step-${step}"`)
  if (start < 0) throw new Error(`no section for step ${step}`)
  const end = html.indexOf("</section>", start)
  return html.slice(start, end)
}

const count = (text: string, needle: string): number => text.split(needle).length - 1

describe("renderRunReport", () => {
  test("one self-contained page: header, parameters, graph, a section per step, a table per task", async () => {
    const { run } = await reportRun()
    const html = await renderRunReport(run)
    expect(html.startsWith("<!doctype html>")).toBe(true)
    expect(html).toContain(`<span class="run-id">${run.id}</span>`)
    expect(html).toContain("Content-Security-Policy")
    expect(html).not.toMatch(/<script|<link|src=["']?http|href=["']?http|@import|url\(http/)
    expect(count(html, '<svg xmlns="http://www.w3.org/2000/svg" id="dag"')).toBe(1)
    expect([...html.matchAll(/<section class="step" id="step-([^"]+)"/g)].map((m) => m[1])).toEqual(REPORT_STEPS)
    expect(count(html, '<table class="artifacts">')).toBe(10)
    expect(html).toContain(
      '<tr data-param="n"><td><code>n</code></td><td class="preview"><code>3</code></td><td>number</td>'
    )
    expect(html).toContain("how many &lt;items&gt;")
    expect(section(html, "pick")).toMatch(/data-artifact="scores">.*?<td class="preview"><code>\[10, 20, 30\]<\/code>/)
  })

  test("retried tasks list their attempts; caught failures are marked", async () => {
    const html = await renderRunReport((await reportRun()).run)
    const fit = section(html, "fit")
    expect(count(fit, '<details class="task"')).toBe(3)
    const retried = fit.slice(fit.indexOf('data-task="1"'), fit.indexOf('data-task="2"'))
    expect(retried).toContain("2 attempts")
    expect(
      [...retried.matchAll(/<td>(\d)<\/td><td><span class="state state-(\w+)">/g)].map((m) => [m[1], m[2]])
    ).toEqual([
      ["0", "failed"],
      ["1", "succeeded"]
    ])
    expect(retried).toContain("Error: transient &lt;failure&gt;")
    const guarded = section(html, "guarded")
    expect(guarded).toContain('<span class="state state-caught">caught</span>')
    expect(guarded).toContain(escapeMarkup(`Error: caught ${INJECTION}`))
  })

  test("every piece of user data is escaped", async () => {
    const html = await renderRunReport((await reportRun()).run)
    expect(html).not.toContain(INJECTION)
    expect(html).not.toMatch(/<img|<b>bold/)
    expect(html).toContain(escapeMarkup(JSON.stringify(INJECTION)))
  })

  test("values over previewBytes are never loaded; under it they are previewed", async () => {
    const { run, reads } = await reportRun()
    const weights = await (await run.step("start").tasks())[0]?.info("weights")
    expect(weights?.size).toBeGreaterThan(32 * 1024)
    const html = await renderRunReport(run)
    expect(reads).not.toContain(weights?.hash)
    expect(section(html, "start")).toContain(`not loaded (${formatBytes(weights?.size ?? 0)} &gt; 1.0 KiB)`)
    const bigger = await renderRunReport(run, { previewBytes: 64 * 1024 })
    expect(reads).toContain(weights?.hash)
    expect(section(bigger, "start")).toContain("<code>Float64Array(4096) [0.5, 0.5, 0.5")
  })

  test("a big foreach lists its first 50 tasks and sums up the rest", async () => {
    const html = await renderRunReport((await reportRun(120)).run)
    const fit = section(html, "fit")
    expect(count(fit, '<details class="task"')).toBe(50)
    expect(fit).toContain('<p class="more">Showing the first 50 of 120 tasks; 70 more not shown: 70 succeeded.</p>')
    // In a big step only failed or caught tasks start expanded: here none (task 1's retry succeeded).
    expect(count(fit, " open>")).toBe(0)
  })

  test("a failed run: failure in the header, the failed step and the steps that never ran", async () => {
    const run = await brokenRun()
    const html = await renderRunReport(run)
    expect(html).toContain('<span class="state state-failed">failed</span></h1>')
    expect(html).toContain('<a href="#step-work">work/1</a>')
    expect(html).toContain("bad &lt;input&gt;")
    expect(section(html, "work")).toContain('<span class="state state-failed">failed</span>')
    expect(section(html, "work")).toContain('<details class="task" data-task="1" open>')
    for (const step of ["collect", "end"]) {
      expect(section(html, step)).toContain("This step did not run.")
      expect(html).toMatch(new RegExp(`data-step="${step}" data-state="not run"`))
    }
  })
})

/** A stand-in for a task handle: only what the report reads. */
const fakeTask = (id: number, failed: boolean) => {
  const task = {
    id: String(id),
    step: "work",
    attempt: 0,
    foreachStack: [{ step: "start", artifact: "xs", index: id, count: 60 }],
    loopStack: [],
    status: failed ? ("failed" as const) : ("succeeded" as const),
    error: failed ? { name: "Error", message: `task ${id} broke` } : undefined,
    originTaskId: undefined,
    startedAt: 1000,
    finishedAt: 1000 + id,
    logs: [],
    attempts: () => [task],
    artifactNames: async () => ["x"],
    info: async () => ({ hash: "ab".repeat(32), size: 2, type: "number", encoding: "json" as const }),
    artifact: async () => id
  }
  return task
}

describe("step sections", () => {
  test("hidden failures are counted and named in the summary line; listed ones start expanded", async () => {
    const tasks = Array.from({ length: 60 }, (_, i) => fakeTask(i, i === 7 || i === 52 || i === 57))
    const step = { name: "work", kind: "step" as const, tasks: async () => tasks, status: async () => stepState(tasks) }
    const html = await stepSection(step as unknown as StepHandle, { previewBytes: 1024, previews: new Map() })
    expect(count(html, '<details class="task"')).toBe(50)
    expect(count(html, " open>")).toBe(1)
    expect(html).toContain('<details class="task" data-task="7" open>')
    expect(html).toContain(
      '<p class="more">Showing the first 50 of 60 tasks; 10 more not shown: 8 succeeded, 2 failed (failed: 52, 57).</p>'
    )
    expect(html).toContain('<span class="state state-failed">failed</span><span class="muted">60 tasks · 59ms</span>')
  })

  test("a step's state: not run, failed, cloned, succeeded", () => {
    const task = (status: "succeeded" | "failed", originTaskId?: string) => ({ status, originTaskId })
    expect(stepState([])).toBe("not run")
    expect(stepState([task("succeeded"), task("failed")])).toBe("failed")
    expect(stepState([task("succeeded", "0"), task("succeeded", "1")])).toBe("cloned")
    expect(stepState([task("succeeded", "0"), task("succeeded")])).toBe("succeeded")
  })
})
