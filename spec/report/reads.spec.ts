/** The report's lineage and step cache parts: each task's reads with their producers, cached tasks and counts. */
import { pipe } from "fp-ts/lib/function.js"
import { expect, test } from "vitest"
import { Client, flow, foreach, join, memoryStore, run, step } from "../../lib/index.js"
import { renderRunReport } from "../../lib/report/html.js"

const Cached = pipe(
  flow("ReportReads"),
  step("start", () => ({ xs: [1, 2], k: 3, unread: "u" })),
  foreach("xs", step("times", (a, ctx) => ({ y: ctx.input * a.k }), { cache: true })),
  join("gather", (inputs) => ({ ys: inputs.map((i) => i.y) }))
)

const section = (html: string, step: string): string => {
  const start = html.indexOf(`<section class="step" id="step-${step}"`)
  return html.slice(start, html.indexOf("</section>", start))
}

test("each task lists what it read and which task produced it; cached tasks say where they were computed", async () => {
  const store = memoryStore()
  const first = await run(Cached, { store, log: () => {} })
  const second = await run(Cached, { store, log: () => {} })
  const html = await renderRunReport(await Client.open(store).run("ReportReads", second.runId))
  const times = section(html, "times")
  expect(times).toMatch(/<table class="reads">.*<tr data-read="k"><td class="name"><code>k<\/code><\/td><td class="hash"><code title="[0-9a-f]{64}">[0-9a-f]{12}<\/code><\/td><td>start\/0<\/td><\/tr>/)
  expect(times).not.toContain('data-read="unread"')
  expect(times).toContain('<span class="state state-cached">cached</span>')
  expect(times).toContain(`from the step cache: computed by task 1 of run ${first.runId}`)
  expect(section(html, "gather")).toMatch(/data-read="y"><td class="name"><code>y<\/code> <span class="muted">input 0<\/span>/)
  expect(section(html, "start")).toContain("Read no artifact.")
  expect(html).toContain('<span class="cached-tasks">2</span> tasks')
  const firstHtml = await renderRunReport(await Client.open(store).run("ReportReads", first.runId))
  expect(firstHtml).not.toContain("cached-tasks")
})
