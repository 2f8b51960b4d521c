/**
 * Resource limits (issue 5 §8), each in a child process: a 2 GB artifact works end to end; a value too long
 * to encode as text fails with a clear error naming the step and artifact, before anything is stored; a
 * foreach over 1,000,000 items (stress runs only, about two minutes) completes within bounded memory. The
 * default foreach limit and a record of 100,000 artifacts are tested in spec/interpreter/limits.spec.ts.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, test } from "vitest"
import { Client } from "../../lib/client/index.js"
import { localStore } from "../../lib/index.js"
import { tempDir } from "../stores.js"

const exec = promisify(execFile)
const root = fileURLToPath(new URL("../..", import.meta.url))
const child = fileURLToPath(new URL("./children/resources.ts", import.meta.url))
const stress = process.env["ARTIFLOW_STRESS"] === "1"

interface Outcome {
  readonly ok: boolean
  readonly peakRssMegabytes: number
  readonly error?: string
  readonly cause?: string
  readonly message?: string
  readonly seconds?: number
}

const runChild = async (storeDir: string, mode: string, n = 0): Promise<Outcome> => {
  const { stdout } = await exec(
    process.execPath,
    ["--conditions", "artiflow-source", "--import", "tsx", child, storeDir, mode, String(n)],
    { cwd: root, maxBuffer: 1024 * 1024 }
  )
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Outcome
}

describe("resource limits", () => {
  test("a 2 GB Float64Array is stored, passed on and reloaded whole, in about its own size of memory", async () => {
    const store = join(await tempDir("artiflow-limits-"), "store")
    const outcome = await runChild(store, "array", 2 ** 31)
    expect(outcome).toMatchObject({ ok: true })
    // The run holds the array once; the fresh reader holds the copy it read. Never a third copy.
    expect(outcome.peakRssMegabytes).toBeLessThan(2 * 2048 + 512)
  }, 180_000)

  test("a string too long to encode as text fails naming step and artifact, and stores nothing of the task", async () => {
    const store = join(await tempDir("artiflow-limits-"), "store")
    const outcome = await runChild(store, "text")
    expect(outcome).toMatchObject({ ok: false, error: "RunFailedError", cause: "ResourceLimitError" })
    expect(outcome.message).toMatch(/step 'start'.*artifact 'text'.*too large/)
    const [failed] = await Client.open(localStore(store)).runs("Text")
    expect(failed?.status).toBe("failed")
  }, 120_000)

  test.runIf(stress)("a foreach over 1,000,000 items completes with bounded memory", async () => {
    const store = join(await tempDir("artiflow-limits-"), "store")
    const outcome = await runChild(store, "foreach", 1_000_000)
    expect(outcome).toMatchObject({ ok: true })
    console.log(`1,000,000-item foreach: ${outcome.seconds?.toFixed(0)} s, peak RSS ${outcome.peakRssMegabytes.toFixed(0)} MB`)
    expect(outcome.peakRssMegabytes).toBeLessThan(4096)
  }, 900_000)
})
