/**
 * The run report as a person sees it: a real run (split, foreach, a retried task, a caught failure) rendered,
 * written to a temp file and opened in headless Chromium. Checks what is visible: the graph with one node per
 * step, the artifact tables with their names and values, hostile text shown as text; saves a full-page PNG to a
 * temp directory (logged) for a human to look at.
 *
 * Uses Debian's chromium when the machine has it, else the one shipped in an npm package (spec/report/browser.ts).
 */
import { existsSync } from "node:fs"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { renderRunReport } from "../../lib/report/html.js"
import { renderGraphSvg } from "../../lib/report/svg.js"
import { browserDescription, launchChromium } from "./browser.js"
import { edgeGraph } from "./graphs.js"
import { controlRun, INJECTION, REPORT_STEPS, reportRun } from "./runs.js"

interface SvgParser {
  parseFromString(
    text: string,
    type: string
  ): {
    getElementsByTagName(name: string): { length: number }
    documentElement: { getAttribute(name: string): string | null }
  }
}

let browser: Browser | undefined
let page: Page
let outDir: string

beforeAll(async () => {
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  outDir = await mkdtemp(join(tmpdir(), "artiflow-report-"))
  const { run } = await reportRun()
  const file = join(outDir, "report.html")
  await writeFile(file, await renderRunReport(run))
  await page.goto(pathToFileURL(file).href)
})

afterAll(async () => {
  await browser?.close()
})

const previewText = (step: string, artifact: string): Promise<string> =>
  page.locator(`#step-${step} table.artifacts tr[data-artifact="${artifact}"] td.preview`).first().innerText()

describe("the run report in Chromium", () => {
  test("the graph is visible, with one node per step and join, coloured by state", async () => {
    await expect(page.locator("#dag").isVisible()).resolves.toBe(true)
    const box = await page.locator("#dag").boundingBox()
    expect(box?.width).toBeGreaterThan(200)
    expect(box?.height).toBeGreaterThan(400)
    const nodes = page.locator("#dag g.node[data-step]")
    expect(await nodes.evaluateAll((els) => els.map((el) => el.getAttribute("data-step")))).toEqual(REPORT_STEPS)
    expect(new Set(await nodes.evaluateAll((els) => els.map((el) => el.getAttribute("data-state"))))).toEqual(
      new Set(["succeeded"])
    )
    await expect(page.locator("#dag g.badge").innerHTML()).resolves.toContain("×3")
    await expect(page.locator("#dag g.legend").isVisible()).resolves.toBe(true)
  })

  test("every task's artifact table is visible, with names, types and values", async () => {
    const tables = page.locator("table.artifacts")
    expect(await tables.count()).toBe(10)
    for (const visible of await tables.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height > 0))) {
      expect(visible).toBe(true)
    }
    const names = await page.locator("#step-end table.artifacts td.name").allInnerTexts()
    expect(names).toEqual([
      "best",
      "done",
      "doubled",
      "err",
      "evil",
      "label",
      "n",
      "scores",
      "summary",
      "tag",
      "weights",
      "xs"
    ])
    expect(await previewText("pick", "scores")).toBe("[10, 20, 30]")
    expect(await previewText("end", "summary")).toContain("best: 30, caught:")
    expect(await previewText("fit", "score")).toBe("10")
    expect(await previewText("start", "weights")).toMatch(/^not loaded \(.+ > 1\.0 KiB\)$/)
  })

  test("the retried task shows both attempts, the caught failure its error", async () => {
    const retried = page.locator('#step-fit details.task[data-task="1"]')
    await expect(retried.locator("summary").innerText()).resolves.toContain("2 attempts")
    expect(await retried.locator("table.attempts td .state").allInnerTexts()).toEqual(["failed", "succeeded"])
    await expect(page.locator("#step-guarded .state-caught").first().isVisible()).resolves.toBe(true)
  })

  test("hostile text renders as text and runs nothing", async () => {
    expect(await previewText("start", "evil")).toBe(JSON.stringify(INJECTION))
    expect(await page.locator("img").count()).toBe(0)
    expect(await page.locator("main b").count()).toBe(0)
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    await expect(page.locator("#step-guarded pre.error").first().innerText()).resolves.toContain(`caught ${INJECTION}`)
  })

  test("a standalone SVG with hostile names is well-formed XML", async () => {
    const svg = renderGraphSvg(edgeGraph)
    const errors = await page.evaluate((text) => {
      // The spec compiles without DOM types: the browser's DOMParser, typed by what is used here.
      const { DOMParser } = globalThis as unknown as { DOMParser: new () => SvgParser }
      const doc = new DOMParser().parseFromString(text, "image/svg+xml")
      return doc.getElementsByTagName("parsererror").length + (doc.documentElement.getAttribute("id") === "dag" ? 0 : 1)
    }, svg)
    expect(errors).toBe(0)
  })

  test("a choose and a loop: the taken case's edge bold and green, the skipped step greyed, the loop's iterations", async () => {
    const controlPage = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } })
    const file = join(outDir, "control.html")
    await writeFile(file, await renderRunReport(await controlRun()))
    await controlPage.goto(pathToFileURL(file).href)
    const nodes = controlPage.locator("#dag g.node[data-step]")
    expect(await nodes.evaluateAll((els) => els.map((el) => `${el.getAttribute("data-step")}:${el.getAttribute("data-state")}`))).toEqual([
      "start:succeeded",
      "shard:succeeded",
      "plan:succeeded",
      "inline:skipped",
      "update:succeeded",
      "evaluate:succeeded",
      "fit:succeeded",
      "end:succeeded"
    ])
    const taken = controlPage.locator("#dag path.edge.taken")
    await expect(taken.isVisible()).resolves.toBe(true)
    expect(await taken.evaluate((el) => el.getAttribute("stroke"))).toBe("#16a34a")
    await expect(controlPage.locator("#dag path.edge.back").isVisible()).resolves.toBe(true)
    await expect(controlPage.locator('#dag g.node[data-step="fit"]').innerHTML()).resolves.toContain("4 iterations")
    await expect(controlPage.locator("#step-inline").innerText()).resolves.toContain("skipped")
    const png = join(outDir, "control.png")
    await controlPage.screenshot({ path: png, fullPage: true })
    console.log(`artiflow choose/loop report screenshot: ${png}`)
    // Not closed here: with the packaged Chromium, closing a second page can take the browser down with it.
  })

  test("saves a full-page screenshot", async () => {
    const png = join(outDir, "report.png")
    await page.screenshot({ path: png, fullPage: true })
    console.log(`artiflow report screenshot (${browserDescription}): ${png}`)
    expect(existsSync(png)).toBe(true)
  })
})
