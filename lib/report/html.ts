/**
 * The run report: one self-contained HTML file (inline CSS and SVG, no scripts, nothing loaded from outside)
 * with the run's header and parameters, its graph coloured by status, and every step's tasks and artifacts.
 * Every piece of user data (values, names, errors, logs) is escaped.
 */
import type { RunHandle } from "../client/RunHandle.js"
import type { StoredParamDef } from "../datastore/Manifest.js"
import { escapeMarkup as h, formatDuration, formatTime } from "./format.js"
import { REPORT_CSS } from "./htmlStyle.js"
import { badge, stepAnchor, stepSection } from "./htmlTasks.js"
import { previewValue } from "./preview.js"
import { runStepStatus } from "./status.js"
import { renderGraphSvg } from "./svg.js"

/** Options of {@link renderRunReport}. */
export interface ReportOptions {
  /** Artifacts whose stored size is at most this many bytes are loaded and previewed (default 1024). */
  readonly previewBytes?: number
}

const DEFAULT_PREVIEW_BYTES = 1024

const metaRow = (term: string, value: string | undefined): string =>
  value === undefined ? "" : `<dt>${h(term)}</dt><dd>${value}</dd>`

const header = (run: RunHandle): string => {
  const duration = run.finishedAt === undefined ? undefined : formatDuration(run.finishedAt - run.startedAt)
  const failure = run.failure
  const rows = [
    metaRow("Started", h(formatTime(run.startedAt))),
    metaRow("Finished", run.finishedAt === undefined ? undefined : h(formatTime(run.finishedAt))),
    metaRow("Duration", duration === undefined ? undefined : h(duration)),
    metaRow(
      "Resumed from",
      run.originRunId === undefined ? undefined : `<code class="origin-run">${h(run.originRunId)}</code>`
    ),
    metaRow("From the step cache", run.cachedTasks === 0 ? undefined : `<span class="cached-tasks">${h(String(run.cachedTasks))}</span> tasks`),
    metaRow(
      "Failure",
      failure === undefined
        ? undefined
        : `<a href="#${h(stepAnchor(failure.step))}">${h(`${failure.step}/${failure.taskId}`)}</a>: <span class="error-line">${h(failure.message)}</span>`
    ),
    metaRow("Tags", run.tags.length === 0 ? undefined : run.tags.map((tag) => `<code class="tag">${h(tag)}</code>`).join(" ")),
    metaRow("User", h(run.host === undefined ? run.user : `${run.user} on ${run.host}`)),
    metaRow("Source", run.sourceFile === undefined ? undefined : `<code>${h(run.sourceFile)}</code>`),
    metaRow("Versions", h(`artiflow ${run.versions.artiflow}, node ${run.versions.node}`))
  ]
  const title = `<h1><span class="flow">${h(run.flow)}</span> / <span class="run-id">${h(run.id)}</span> ${badge(run.status)}</h1>`
  return `<header class="run">${title}<dl class="meta">${rows.join("")}</dl></header>`
}

const paramRow = (name: string, value: unknown, def: StoredParamDef | undefined): string => {
  const kind = def?.kind === "file" ? `file, ${def.encoding ?? "utf8"}` : def?.kind === "config" ? "config" : undefined
  const type = def === undefined ? "" : kind === undefined ? def.type : `${def.type} (${kind})`
  const fallback = def?.default === undefined ? (def?.required ? "required" : "") : def.default
  return (
    `<tr data-param="${h(name)}"><td><code>${h(name)}</code></td><td class="preview"><code>${h(previewValue(value, 300))}</code></td>` +
    `<td>${h(type)}</td><td><code>${h(fallback)}</code></td><td>${h(def?.help ?? "")}</td></tr>`
  )
}

const paramsSection = (run: RunHandle): string => {
  // Configs are listed with the parameters (their definitions are stored alike, with kind "config").
  const values = { ...run.params, ...run.configs }
  const names = [...new Set([...Object.keys(run.paramDefs), ...Object.keys(values)])].sort()
  if (names.length === 0)
    return `<section id="params"><h2>Parameters</h2><p class="muted">This flow has no parameters.</p></section>`
  const rows = names.map((name) =>
    paramRow(
      name,
      Object.hasOwn(values, name) ? values[name] : undefined,
      Object.hasOwn(run.paramDefs, name) ? run.paramDefs[name] : undefined
    )
  )
  const head = "<thead><tr><th>Parameter</th><th>Value</th><th>Type</th><th>Default</th><th>Help</th></tr></thead>"
  return `<section id="params"><h2>Parameters</h2><div class="table-wrap"><table class="params">${head}<tbody>${rows.join("")}</tbody></table></div></section>`
}

/**
 * Renders a run as one self-contained HTML page: header (flow, run id, status, times, origin run, failure),
 * parameters with their definitions, the graph (`<svg id="dag">`, steps coloured by status and linked to their
 * sections), then one section per step with its tasks (the first 50, then a summary line), their attempts,
 * errors, logs and a `table.artifacts` of artifacts: name, type, size, short hash (full in its title) and a
 * preview of values whose stored size is at most `previewBytes` (bigger ones are never loaded).
 *
 * @example
 * import { writeFile } from "node:fs/promises"
 * import { Client } from "artiflow"
 *
 * const run = await Client.open().run("Train")
 * await writeFile("train.html", await renderRunReport(run, { previewBytes: 4096 }))
 */
export const renderRunReport = async (run: RunHandle, options: ReportOptions = {}): Promise<string> => {
  const previewBytes = options.previewBytes ?? DEFAULT_PREVIEW_BYTES
  const context = { previewBytes, previews: new Map<string, Promise<string>>() }
  const status = await runStepStatus(run)
  const svg = renderGraphSvg(run.graph, status, { stepHref: (step) => `#${stepAnchor(step)}` })
  const steps: Array<string> = []
  for (const step of run.steps()) steps.push(await stepSection(step, context, run.id))
  const title = `${run.flow}/${run.id} · artiflow run report`
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    // Defence in depth: even if some user text escaped escaping, the page may not run scripts or fetch anything.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<meta name="generator" content="artiflow"><title>${h(title)}</title><style>${REPORT_CSS}</style></head>`,
    `<body><main>${header(run)}${paramsSection(run)}`,
    `<section id="graph"><h2>Graph</h2><div class="dag-wrap">${svg}</div></section>`,
    `<div id="steps">${steps.join("\n")}</div>`,
    `</main></body></html>`,
    ""
  ].join("\n")
}
