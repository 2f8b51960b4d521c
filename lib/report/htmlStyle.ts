/** The run report's stylesheet, inlined into the page (the report loads nothing from outside). */
import { STEP_STATES } from "./status.js"
import { STATE_COLOURS } from "./svg.js"

const stateRules = STEP_STATES.map((state) => {
  const { fill, stroke } = STATE_COLOURS[state]
  return `.state-${state.replace(" ", "-")}{background:${fill};color:${stroke};border-color:${stroke}}`
}).join("\n")

/** The report's CSS: a readable single column, wide tables scroll on their own, state badges in graph colours. */
export const REPORT_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#111827;background:#f9fafb}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 12px}
h2{font-size:18px;margin:0 0 10px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:16px;margin:16px 0}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
pre{white-space:pre-wrap;word-break:break-word;background:#f3f4f6;border-radius:6px;padding:8px;margin:6px 0;max-height:320px;overflow:auto}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.meta dt{color:#6b7280}
dl.meta dd{margin:0;word-break:break-word}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #e5e7eb}
th{font-weight:600;color:#374151;background:#f9fafb}
td.preview code{white-space:pre-wrap;word-break:break-all}
td.type,td.size,td.hash{white-space:nowrap}
table.artifacts{table-layout:fixed}
table.artifacts th:nth-child(1){width:18%}
table.artifacts th:nth-child(2){width:11%}
table.artifacts th:nth-child(3){width:8%}
table.artifacts th:nth-child(4){width:12%}
td.name{word-break:break-all;min-width:6em}
.table-wrap{overflow-x:auto}
.dag-wrap{overflow:auto}
.state{display:inline-block;border:1px solid;border-radius:999px;padding:0 8px;font-size:12px;font-weight:600;background:#fff}
${stateRules}
.state-caught{background:#fef3c7;color:#b45309;border-color:#b45309}
.state-cached{background:#ecfeff;color:#0e7490;border-color:#0e7490}
table.reads{margin:6px 0}
.kind,.muted{color:#6b7280;font-size:12px;font-weight:400}
details.task{border:1px solid #e5e7eb;border-radius:6px;margin:8px 0;padding:0 10px}
details.task>summary{cursor:pointer;padding:6px 0;display:flex;flex-wrap:wrap;gap:10px;align-items:center}
details.task[open]>summary{border-bottom:1px solid #e5e7eb;margin-bottom:6px}
.error-line{color:#b91c1c;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;word-break:break-word}
p.more{background:#fffbeb;border:1px solid #fde68a;border-radius:6px;padding:8px}
`
