/**
 * The per-step part of the run report: each step's tasks (the first {@link MAX_TASKS}, then a summary line),
 * each task's attempts and error, what its function read (lineage) and a table of its artifacts with previews of the small ones. Values are
 * loaded only when their stored size is at most `previewBytes`, and each distinct hash is previewed once.
 */
import type { StepHandle } from "../client/StepHandle.js"
import type { ArtifactInfo, TaskHandle } from "../client/TaskHandle.js"
import type { StoredError } from "../datastore/Manifest.js"
import { escapeMarkup as h, formatBytes, formatDuration, plural } from "./format.js"
import { previewValue } from "./preview.js"
import { stepStatus } from "./status.js"

/** How many tasks of one step the report lists in full. */
export const MAX_TASKS = 50

/** Tasks of steps with at most this many tasks are expanded; in bigger steps only failed or caught ones. */
const OPEN_TASKS = 5
const PREVIEW_CHARS = 300

/** What the step sections need besides the steps: the preview budget and a cache of previews by hash. */
export interface TaskContext {
  readonly previewBytes: number
  readonly previews: Map<string, Promise<string>>
}

/** The anchor of a step's section (the graph links to it). */
export const stepAnchor = (step: string): string => `step-${step}`

/** A state badge; the class carries the colour. */
export const badge = (state: string): string =>
  `<span class="state state-${h(state.replace(" ", "-"))}">${h(state)}</span>`

const taskState = (task: TaskHandle): string => {
  if (task.status === "failed") return "failed"
  if (task.error !== undefined) return "caught"
  if (task.cachedFrom !== undefined) return "cached"
  return task.originTaskId === undefined ? "succeeded" : "cloned"
}

const errorLine = (error: StoredError): string => `${error.name}: ${error.message}`

const shortHash = (hash: string): string => `<code title="${h(hash)}">${h(hash.slice(0, 12))}</code>`

const previewOf = async (task: TaskHandle, name: string, context: TaskContext): Promise<string> => {
  const info = await task.info(name)
  if (info.size > context.previewBytes) {
    return `<span class="muted">not loaded (${h(formatBytes(info.size))} &gt; ${h(formatBytes(context.previewBytes))})</span>`
  }
  const cached = context.previews.get(info.hash)
  if (cached !== undefined) return cached
  const preview = task.artifact(name).then(
    (value) => `<code>${h(previewValue(value, PREVIEW_CHARS))}</code>`,
    (error: unknown) =>
      `<span class="error-line">could not load: ${h(error instanceof Error ? error.message : String(error))}</span>`
  )
  context.previews.set(info.hash, preview)
  return preview
}

/** The value's size; the title adds what the store holds when it holds the bytes compressed. */
const sizeCell = (info: ArtifactInfo): string => {
  const stored = info.stored === undefined ? "" : ` (${info.stored.size} stored, ${info.stored.compression})`
  return `<td class="size" title="${info.size} bytes${h(stored)}">${h(formatBytes(info.size))}</td>`
}

const artifactRow = async (task: TaskHandle, name: string, context: TaskContext): Promise<string> => {
  const info = await task.info(name)
  const preview = await previewOf(task, name, context)
  return (
    `<tr data-artifact="${h(name)}"><td class="name"><code>${h(name)}</code></td><td class="type">${h(info.type)}</td>` +
    `${sizeCell(info)}<td class="hash">${shortHash(info.hash)}</td>` +
    `<td class="preview">${preview}</td></tr>`
  )
}

const artifactTable = async (task: TaskHandle, context: TaskContext): Promise<string> => {
  const names = await task.artifactNames()
  if (names.length === 0) return `<p class="muted">No artifacts.</p>`
  const rows: Array<string> = []
  for (const name of names) rows.push(await artifactRow(task, name, context))
  const head = "<thead><tr><th>Artifact</th><th>Type</th><th>Size</th><th>Hash</th><th>Value</th></tr></thead>"
  return `<div class="table-wrap"><table class="artifacts">${head}<tbody>${rows.join("")}</tbody></table></div>`
}

/** "fit/2", with its run when it is another run's (a resumed or cached task's inputs). */
const producerLabel = (
  producer: { readonly runId: string; readonly step: string; readonly taskId: string },
  runId: string | undefined
): string => {
  const where = producer.step === "_parameters" ? "parameters" : `${producer.step}/${producer.taskId}`
  return runId === undefined || producer.runId === runId ? where : `${where} of run ${producer.runId}`
}

/** What the task's function read (lineage): each artifact, its hash and the task that produced it. */
const readsTable = async (task: TaskHandle, runId: string | undefined): Promise<string> => {
  // Stand-ins for task handles (tests, other tools) may give only what the report read before lineage.
  if (task.status !== "succeeded" || task.error !== undefined || typeof task.reads !== "function") return ""
  const reads = await task.reads()
  if (reads.length === 0) return `<p class="muted reads">Read no artifact.</p>`
  const rows = reads.map(
    (read) =>
      `<tr data-read="${h(read.name)}"><td class="name"><code>${h(read.name)}</code>${read.input === undefined ? "" : ` <span class="muted">input ${h(read.input)}</span>`}</td>` +
      `<td class="hash">${shortHash(read.hash)}</td><td>${h(producerLabel(read.producer, runId))}</td></tr>`
  )
  const head = "<thead><tr><th>Read</th><th>Hash</th><th>Produced by</th></tr></thead>"
  return `<div class="table-wrap"><table class="reads">${head}<tbody>${rows.join("")}</tbody></table></div>`
}

const attemptsTable = (task: TaskHandle): string => {
  const attempts = task.attempts()
  if (attempts.length < 2) return ""
  const rows = attempts.map(
    (attempt) =>
      `<tr><td>${attempt.attempt}</td><td>${badge(attempt.status)}</td><td>${h(formatDuration(attempt.finishedAt - attempt.startedAt))}</td>` +
      `<td>${attempt.error === undefined ? "" : `<span class="error-line">${h(errorLine(attempt.error))}</span>`}</td></tr>`
  )
  const head = "<thead><tr><th>Attempt</th><th>Status</th><th>Duration</th><th>Error</th></tr></thead>"
  return `<table class="attempts">${head}<tbody>${rows.join("")}</tbody></table>`
}

const errorBlock = (task: TaskHandle): string => {
  const error = task.error
  if (error === undefined) return ""
  const caught =
    task.status === "succeeded" ? '<p class="muted">Caught by the step\'s <code>catch</code> option.</p>' : ""
  return `${caught}<pre class="error">${h(error.stack ?? errorLine(error))}</pre>`
}

const logsBlock = (task: TaskHandle): string =>
  task.logs.length === 0
    ? ""
    : `<details class="logs"><summary>${h(plural(task.logs.length, "log line"))}</summary><pre>${h(task.logs.join("\n"))}</pre></details>`

const taskTitle = (task: TaskHandle): string => {
  const where = task.foreachStack.map((frame) => `${frame.artifact}[${frame.index}]`).join(" ")
  const attempts = task.attempts().length
  return [
    `<strong>task ${h(task.id)}</strong>`,
    where === "" ? "" : `<span class="muted">${h(where)}</span>`,
    badge(taskState(task)),
    attempts > 1 ? `<span class="muted">${h(plural(attempts, "attempt"))}</span>` : "",
    `<span class="muted">${h(formatDuration(task.finishedAt - task.startedAt))}</span>`,
    task.originTaskId === undefined ? "" : `<span class="muted">cloned from task ${h(task.originTaskId)}</span>`,
    task.cachedFrom === undefined
      ? ""
      : `<span class="muted">from the step cache: computed by task ${h(task.cachedFrom.taskId)} of run ${h(task.cachedFrom.runId)}</span>`,
    task.error === undefined ? "" : `<span class="error-line">${h(errorLine(task.error))}</span>`
  ].join("")
}

const taskSection = async (task: TaskHandle, open: boolean, context: TaskContext, runId: string | undefined): Promise<string> => {
  const body =
    attemptsTable(task) + errorBlock(task) + logsBlock(task) + (await readsTable(task, runId)) + (await artifactTable(task, context))
  return `<details class="task" data-task="${h(task.id)}"${open ? " open" : ""}><summary>${taskTitle(task)}</summary>${body}</details>`
}

/** "Showing the first 50 of 400 tasks; 350 more not shown: 340 succeeded, 10 failed (failed: 57, 123, …)." */
const moreLine = (total: number, hidden: ReadonlyArray<TaskHandle>): string => {
  if (hidden.length === 0) return ""
  const counts = new Map<string, number>()
  for (const task of hidden) counts.set(taskState(task), (counts.get(taskState(task)) ?? 0) + 1)
  const byState = [...counts].map(([state, count]) => `${count} ${state}`).join(", ")
  const failed = hidden.filter((task) => task.status === "failed").map((task) => task.id)
  const failedIds =
    failed.length === 0 ? "" : ` (failed: ${failed.slice(0, 20).join(", ")}${failed.length > 20 ? ", …" : ""})`
  const shown = `Showing the first ${total - hidden.length} of ${total} tasks; ${hidden.length} more not shown`
  return `<p class="more">${h(`${shown}: ${byState}${failedIds}.`)}</p>`
}

/**
 * One step's section: a heading with its state, task count and duration, then its tasks. `runId`, the run's
 * id, lets reads produced in other runs (resumed or cached tasks) say which run.
 *
 * @example
 * const html = await stepSection(run.step("fit"), { previewBytes: 1024, previews: new Map() }, run.id)
 */
export const stepSection = async (step: StepHandle, context: TaskContext, runId?: string): Promise<string> => {
  const tasks = await step.tasks()
  const status = stepStatus(tasks)
  const duration = status.durationMs === undefined ? "" : ` · ${formatDuration(status.durationMs)}`
  const kind = step.kind === "join" ? `<span class="kind">join</span>` : ""
  const heading = `<h2>${h(step.name)} ${kind}${badge(status.state)}<span class="muted">${h(plural(tasks.length, "task") + duration)}</span></h2>`
  const shown = tasks.slice(0, MAX_TASKS)
  const sections: Array<string> = []
  for (const task of shown) {
    sections.push(
      await taskSection(
        task,
        tasks.length <= OPEN_TASKS || task.status === "failed" || task.error !== undefined,
        context,
        runId
      )
    )
  }
  const empty = tasks.length === 0 ? `<p class="muted">This step did not run.</p>` : ""
  const body = heading + empty + sections.join("") + moreLine(tasks.length, tasks.slice(MAX_TASKS))
  return `<section class="step" id="${h(stepAnchor(step.name))}" data-step="${h(step.name)}">${body}</section>`
}
