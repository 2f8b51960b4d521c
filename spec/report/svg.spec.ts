/** `renderGraphSvg`: a standalone SVG of the graph, coloured by status, with every text escaped. */
import { describe, expect, test } from "vitest"
import { renderGraphSvg, STATE_COLOURS } from "../../lib/report/svg.js"
import { edgeGraph, HOSTILE, trainGraph, trainStatus, twoSteps } from "./graphs.js"

/** Each `<g class="node ...">` element's opening tag, by step name. */
const nodeTags = (svg: string): ReadonlyMap<string, string> =>
  new Map([...svg.matchAll(/<g class="node [^"]*" data-step="([^"]*)"[^>]*>/g)].map((m) => [m[1] as string, m[0]]))

/** The `<rect>` right after a step's `<title>`. */
const rectOf = (svg: string, step: string): string => {
  const match = new RegExp(`data-step="${step}"[^>]*><title>[^<]*</title>(<rect [^>]*>)`).exec(svg)
  return match?.[1] ?? ""
}

describe("renderGraphSvg", () => {
  test("two steps, no status: exact output", () => {
    expect(renderGraphSvg(twoSteps)).toBe(
      `<svg xmlns="http://www.w3.org/2000/svg" id="dag" width="160" height="160" viewBox="0 0 160 160" role="img" aria-label="flow graph" ` +
        `font-family="system-ui, -apple-system, &#39;Segoe UI&#39;, Roboto, &#39;DejaVu Sans&#39;, sans-serif" font-size="13">` +
        `<defs><marker id="dag-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
        `<path d="M0 0L10 5L0 10z" fill="#9ca3af"/></marker></defs>` +
        `<g class="edges"><path class="edge" d="M80 60 C80 80 80 80 80 100" fill="none" stroke="#9ca3af" stroke-width="1.5" marker-end="url(#dag-arrow)"/></g>` +
        `<g class="nodes">` +
        `<g class="node step" data-step="a"><title>a</title><rect x="20" y="20" width="120" height="40" rx="6" fill="#ffffff" stroke="#374151" stroke-width="1.5"/>` +
        `<text x="80" y="44.5" text-anchor="middle" font-weight="600" fill="#111827">a</text></g>` +
        `<g class="node step" data-step="b"><title>b</title><rect x="20" y="100" width="120" height="40" rx="6" fill="#ffffff" stroke="#374151" stroke-width="1.5"/>` +
        `<text x="80" y="124.5" text-anchor="middle" font-weight="600" fill="#111827">b</text></g>` +
        `</g></svg>`
    )
  })

  test("with a status: one node per step and join, coloured by state, with counts, badge and legend", () => {
    const svg = renderGraphSvg(trainGraph, trainStatus)
    const tags = nodeTags(svg)
    expect([...tags.keys()]).toEqual(["start", "fit", "pick", "l", "r1", "r2", "merge", "end"])
    for (const [step, status] of trainStatus) {
      expect(tags.get(step)).toContain(`data-state="${status.state}"`)
      expect(rectOf(svg, step)).toContain(`fill="${STATE_COLOURS[status.state].fill}"`)
    }
    expect(tags.get("pick")).toContain('class="node join"')
    expect(rectOf(svg, "merge")).toContain('stroke-dasharray="5 3"')
    expect(svg).toContain(">3 tasks · 1.2s</text>")
    expect(svg).toContain("<title>fit · succeeded · 3 tasks · 1.2s</title>")
    expect(svg).toContain("<title>merge (join) · not run · not run</title>")
    expect(svg).toMatch(/<g class="badge"><rect [^>]*\/><text [^>]*>×3<\/text><\/g>/)
    expect(svg).toContain('<g class="marker split">')
    expect(svg).toMatch(/<text [^>]*>foreach grid<\/text>/)
    const legend = /<g class="legend">(.*?)<\/g>/.exec(svg)?.[1] ?? ""
    expect([...legend.matchAll(/>([a-z ]+)<\/text>/g)].map((m) => m[1])).toEqual([
      "succeeded",
      "failed",
      "running",
      "not run",
      "skipped",
      "cloned"
    ])
    expect(svg).toMatch(/<text class="edge-label" [^>]*text-anchor="end"[^>]*>left<\/text>/)
  })

  test("escapes user text; steps become links when asked", () => {
    const svg = renderGraphSvg(edgeGraph, undefined, { stepHref: (step) => `#step-${step}&x` })
    expect(svg).not.toContain("<img")
    expect(svg).toContain("foreach &lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;#</text>")
    expect(svg).toContain('<a href="#step-work&amp;x"><g class="node step" data-step="work">')
    // Balanced: every element opened is closed (a cheap well-formedness check; the browser test parses it).
    const opened = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length
    const closed = (svg.match(/<\/[a-z]+>/g) ?? []).length
    expect(opened).toBe(closed)
    expect(HOSTILE).toContain("<img")
  })

  test("control characters in user text never make the SVG malformed", () => {
    const svg = renderGraphSvg({
      nodes: [{ kind: "foreach", artifact: "a\u0001b", body: [], join: { name: "j", hasFunction: false } }]
    })
    expect(svg).toContain("foreach a\uFFFDb</text>")
  })
})
