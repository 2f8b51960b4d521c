/**
 * Drawing `choose` and `loop` (DESIGN.md §8): the text graph of `show`, Mermaid, the SVG and the HTML report
 * show the choice with the case taken (the others' steps skipped) and each loop with its iterations.
 */
import { describe, expect, test } from "vitest"
import { describeFlow } from "../../lib/dsl/graph.js"
import { renderRunReport } from "../../lib/report/html.js"
import { renderMermaid } from "../../lib/report/mermaid.js"
import { runStepStatus } from "../../lib/report/status.js"
import { renderGraphSvg } from "../../lib/report/svg.js"
import { renderGraphText } from "../../lib/report/text.js"
import { Control, controlRun } from "./runs.js"

describe("a run with a choose and a loop", () => {
  test("text: the cases under the choose, taken or not, the loop's cap and iterations, its body indented", async () => {
    const run = await controlRun()
    const lines = renderGraphText(run.graph, await runStepStatus(run))
      .trimEnd()
      .split("\n")
      .map((line) => line.replace(/ +\d+ms$/, "").replace(/ +/g, " "))
    expect(lines).toEqual([
      "start succeeded 1 task",
      "choose on size succeeded 1 task",
      " big (taken): shard succeeded 1 task",
      " plan succeeded 1 task",
      " small (not taken): inline skipped 0 tasks",
      "loop fit (max 10, 4 iterations) succeeded 1 task",
      " update succeeded 4 tasks",
      " evaluate succeeded 4 tasks",
      "end succeeded 1 task"
    ])
  })

  test("text without a run: the cases and the loop's cap", () => {
    const text = renderGraphText(describeFlow(Control))
    expect(text).toContain("choose on size")
    expect(text).toMatch(/big: shard/)
    expect(text).toMatch(/small: inline/)
    expect(text).toContain("loop fit (max 10)")
  })

  test("Mermaid: a choice node, the taken case's edge styled, the skipped step classed, the loop's edge back", async () => {
    const run = await controlRun()
    const mermaid = renderMermaid(run.graph, await runStepStatus(run))
    expect(mermaid).toContain('n1{{"choose on size"}}')
    expect(mermaid).toContain('n1 -->|"big (taken)"| n3')
    expect(mermaid).toContain('n1 -->|"small (not taken)"| n5')
    expect(mermaid).toContain('n6[/"loop fit (max 10, 4 iterations)"\\]')
    expect(mermaid).toContain('n9 -.->|"until false"| n6')
    // The edge into the taken case is the second edge drawn (0-based 1).
    expect(mermaid).toContain("linkStyle 1 stroke:#16a34a,stroke-width:3px")
    expect(mermaid).toContain("class n5 skipped")
  })

  test("SVG: the taken edge, the edge back up, the skipped step's state, the loop's iteration count", async () => {
    const run = await controlRun()
    const svg = renderGraphSvg(run.graph, await runStepStatus(run))
    expect(svg.match(/class="edge taken"/g)).toHaveLength(1)
    expect(svg.match(/class="edge back"/g)).toHaveLength(1)
    const states = [...svg.matchAll(/data-step="([^"]*)"[^>]*data-state="([^"]*)"/g)].map((m) => `${m[1]}:${m[2]}`)
    expect(states).toEqual([
      "start:succeeded",
      "shard:succeeded",
      "plan:succeeded",
      "inline:skipped",
      "update:succeeded",
      "evaluate:succeeded",
      "fit:succeeded",
      "end:succeeded"
    ])
    expect(svg).toContain("4 iterations")
  })

  test("HTML: a section per step and loop, the skipped step says so, the loop's record its iterations", async () => {
    const run = await controlRun()
    const html = await renderRunReport(run)
    for (const name of ["start", "shard", "plan", "inline", "update", "evaluate", "fit", "end"]) expect(html).toContain(`id="step-${name}"`)
    const inline = html.slice(html.indexOf('id="step-inline"'), html.indexOf('id="step-update"'))
    expect(inline).toContain("skipped")
    expect(html).toContain("x8 4")
  })
})
