/** `renderGraphText`: the indented tree `artiflow show` and `artiflow graph` print. */
import { describe, expect, test } from "vitest"
import { renderGraphText } from "../../lib/report/text.js"
import { edgeGraph, HOSTILE, trainGraph, trainStatus, twoSteps } from "./graphs.js"

describe("renderGraphText", () => {
  test("the README flow: foreach body and branches indented, joins with their rules", () => {
    expect(renderGraphText(trainGraph)).toBe(
      [
        "start",
        "foreach grid",
        "  fit",
        "pick (join)",
        "split",
        "  left: l",
        "  right: r1 → r2",
        "merge (join: resolve x)",
        "end",
        ""
      ].join("\n")
    )
  })

  test("with a status: aligned state, task count and duration columns, and the fan-out count", () => {
    expect(renderGraphText(trainGraph, trainStatus)).toBe(
      [
        "start                    succeeded  1 task   12ms",
        "foreach grid ×3",
        "  fit                    succeeded  3 tasks  1.2s",
        "pick (join)              succeeded  1 task   5ms",
        "split",
        "  left: l                failed     1 task   800ms",
        "  right: r1              cloned     1 task   1m 01s",
        "         r2              running    1 task",
        "merge (join: resolve x)  not run    0 tasks",
        "end                      not run    0 tasks",
        ""
      ].join("\n")
    )
  })

  test("step options, every join rule, nested forks and an empty branch", () => {
    expect(renderGraphText(twoSteps)).toBe("a\nb (retry 2)\n")
    expect(renderGraphText(edgeGraph)).toBe(
      [
        `foreach ${HOSTILE}`,
        "  split",
        "    empty: (empty)",
        "    full: work (catch err, timeout 500ms)",
        "  inner (join: resolve a, b; take c from full; exclude d; equal e)",
        "outer (join: retry 1)",
        ""
      ].join("\n")
    )
  })

  test("a branch holding a fork gets a header line and its own indentation", () => {
    const graph = {
      nodes: [
        {
          kind: "split" as const,
          branches: [
            {
              name: "deep",
              nodes: [
                {
                  kind: "foreach" as const,
                  artifact: "xs",
                  body: [{ kind: "step" as const, name: "w", options: {} }],
                  join: { name: "j1", hasFunction: false }
                }
              ]
            }
          ],
          join: { name: "j2", hasFunction: false }
        }
      ]
    }
    expect(renderGraphText(graph, new Map([["w", { state: "succeeded", tasks: 4, durationMs: 3 }]]))).toBe(
      [
        "split",
        "  deep:",
        "    foreach xs ×4",
        "      w  succeeded  4 tasks  3ms",
        "    j1 (join)",
        "j2 (join)",
        ""
      ].join("\n")
    )
  })

  test("an empty graph", () => {
    expect(renderGraphText({ nodes: [] })).toBe("(no steps)\n")
  })
})
