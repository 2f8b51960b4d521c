/** `renderMermaid`: a Mermaid flowchart with generated ids and escaped, quoted labels. */
import { describe, expect, test } from "vitest"
import { mermaidText, renderMermaid } from "../../lib/report/mermaid.js"
import { edgeGraph, trainGraph, twoSteps } from "./graphs.js"

describe("renderMermaid", () => {
  test("two steps", () => {
    expect(renderMermaid(twoSteps)).toBe('flowchart TD\n  n0["a"]\n  n1["b"]\n  n0 --> n1\n')
  })

  test("the README flow: foreach with its artifact on the edge, split with branch names, joins with rules", () => {
    expect(renderMermaid(trainGraph)).toBe(
      [
        "flowchart TD",
        '  n0["start"]',
        '  n1[/"foreach"\\]',
        "  n0 --> n1",
        '  n3["fit"]',
        '  n1 -->|"grid"| n3',
        "  n3 --> n2",
        '  n2(["pick"])',
        '  n4{"split"}',
        "  n2 --> n4",
        '  n6["l"]',
        '  n4 -->|"left"| n6',
        "  n6 --> n5",
        '  n7["r1"]',
        '  n4 -->|"right"| n7',
        '  n8["r2"]',
        "  n7 --> n8",
        "  n8 --> n5",
        '  n5(["merge (resolve x)"])',
        '  n9["end"]',
        "  n5 --> n9",
        ""
      ].join("\n")
    )
  })

  test("user text is escaped, an empty branch is one edge from the split to its join", () => {
    const text = renderMermaid(edgeGraph)
    expect(text).toContain('  n0 -->|"#lt;img src=x onerror=#quot;alert(1)#quot;#gt;#amp;\'#35;"| n2')
    expect(text).toContain('  n2 -->|"empty"| n3')
    expect(text).toContain('  n3(["inner (resolve a, b; take c from full; exclude d; equal e)"])')
    expect(text).not.toMatch(/<img|onerror="/)
  })

  test("mermaidText keeps labels on one line", () => {
    expect(mermaidText('a\n"b"\t<c> #1 &')).toBe("a #quot;b#quot; #lt;c#gt; #35;1 #amp;")
  })
})
