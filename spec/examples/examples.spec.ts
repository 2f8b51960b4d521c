/**
 * Every example runs end to end, on the memory store and on a local store, and produces what it promises.
 * (The examples are also type-checked under both compilers by spec/typecheck.spec.ts.)
 */
import { expect, test, vi } from "vitest"
import { writeFile } from "node:fs/promises"
import { join as joinPath } from "node:path"
import { fileURLToPath } from "node:url"
import { Client, ParamError, resume, run, RunFailedError } from "artiflow"
import { forEachStore, tempDir } from "../stores.js"
import { Forecast } from "../../examples/config.js"
import { Etl } from "../../examples/etl.js"
import { Flaky } from "../../examples/flaky.js"
import { LargeArray } from "../../examples/large-array.js"
import { Sweep } from "../../examples/sweep.js"
import { Triage } from "../../examples/triage.js"
import { Descent } from "../../examples/descent.js"

const quiet = { log: () => {} }

forEachStore((_, makeStore) => {
  test("the triage routes each ticket by its computed category; the client tells which case each took", async () => {
    const store = await makeStore()
    const { artifacts, runId } = await run(Triage, { store, ...quiet })
    expect(artifacts.plan).toEqual([
      "#1 bug: link to issue #790",
      "#2 billing: refund up to $49",
      "#3 other: send the help-centre article",
      "#4 bug: link to issue #812",
      "#5 billing: refund up to $100"
    ])
    expect(artifacts.summary).toBe("5 tickets: 2 billing, 2 bug, 1 other")
    const handle = await Client.open(store).run(Triage, runId)
    expect((await handle.step("dedupe").tasks()).map((task) => task.index)).toEqual([0, 3])
    expect((await handle.step("autoReply").tasks()).map((task) => task.index)).toEqual([2])
    expect((await handle.choices()).taken.get("category")).toEqual(new Map([["bug", 2], ["billing", 2], ["other", 1]]))
    const onlyBugs = await run(Triage, { store, ...quiet, params: { tickets: [{ id: 9, text: "It crashes" }] } })
    const bugsOnly = await Client.open(store).run("Triage", onlyBugs.runId)
    expect(await bugsOnly.step("refund").status()).toBe("skipped")
    expect(await bugsOnly.step("severity").status()).toBe("succeeded")
  })

  test("the descent loops until the loss stops improving and finds the weights; each iteration is a task", async () => {
    const store = await makeStore()
    const { artifacts, runId } = await run(Descent, { store, ...quiet })
    expect(artifacts.weights).toEqual([0.5, 2, -3])
    expect(artifacts.improvement).toBeLessThan(1e-9)
    const measures = await (await Client.open(store).run(Descent, runId)).step("measure").tasks()
    expect(measures).toHaveLength(artifacts.iterations)
    expect(measures.map((task) => task.iteration)).toEqual(Array.from({ length: artifacts.iterations }, (_, i) => i))
    const losses = (await Promise.all(measures.map((task) => task.artifact("loss")))) as ReadonlyArray<number>
    expect(losses.every((loss, i) => i === 0 || loss < (losses[i - 1] ?? 0))).toBe(true)
  })

  test("the sweep fits every rate and keeps the best", async () => {
    const store = await makeStore()
    const { artifacts, runId } = await run(Sweep, { store, ...quiet })
    expect(artifacts.losses).toHaveLength(4)
    expect(artifacts.bestLoss).toBe(Math.min(...artifacts.losses))
    expect(artifacts.best.slope).toBeCloseTo(3, 1)
    expect(artifacts.best.intercept).toBeCloseTo(2, 1)
    const fits = await (await Client.open(store).run(Sweep, runId)).step("fit").tasks()
    expect(fits.map((task) => task.index)).toEqual([0, 1, 2, 3])
    expect(await fits[2]?.artifact("loss")).toBe(artifacts.losses[2])
  })

  test("the forecast reads its JSON config, tries each window it lists and records where the config came from", async () => {
    const store = await makeStore()
    const { artifacts, runId } = await run(Forecast, { store, ...quiet })
    expect(artifacts.settings).toEqual({
      series: "daily-visits",
      windows: [3, 7, 14],
      alert: { threshold: 130, notify: ["ops@example.com"] }
    })
    expect(artifacts.best).toEqual({ window: 7, error: 9.81 })
    expect(artifacts.forecast).toBe(128)
    expect(artifacts.alert).toBe(false)
    expect(artifacts.summary).toBe("daily-visits: 128 tomorrow (window 7, error 9.81)")
    const handle = await Client.open(store).run(Forecast, runId)
    expect((await handle.step("score").tasks()).length).toBe(3)
    expect(handle.configSources).toEqual({
      settings: { from: "file", path: fileURLToPath(new URL("../../examples/data/forecast.json", import.meta.url)) }
    })
    expect(await handle.artifact("settings")).toEqual(artifacts.settings)
  })

  test("the forecast with another config: a value, or a file with a mistake (refused, naming the field)", async () => {
    const store = await makeStore()
    const settings = { series: "signups", windows: [2, 7], alert: { threshold: 100, notify: ["me@example.com"] } }
    const { artifacts } = await run(Forecast, { configs: { settings: { value: settings } }, store, ...quiet })
    expect(artifacts.best.window).toBe(7)
    expect(artifacts.summary).toBe("signups: 128 tomorrow (window 7, error 9.81); alert sent to me@example.com")
    const path = joinPath(await tempDir(), "typo.json")
    await writeFile(path, JSON.stringify({ ...settings, windows: [2, "7"] }))
    const refused = await run(Forecast, { configs: { settings: { path } }, store: await makeStore(), ...quiet }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ParamError)
    expect((refused as ParamError).message).toMatch(/^artiflow: flow 'Forecast': config 'settings' in '.*typo\.json' expects .*\(at windows\.1: expected number, received "7"\)$/)
  })

  test("the ETL validates, converts and merges the branches", async () => {
    const store = await makeStore()
    const { artifacts } = await run(Etl, { store, ...quiet })
    expect(artifacts.rejected).toBe(3)
    expect(artifacts.rows.map((row) => row.id)).toEqual(["1001", "1002", "1003", "1004", "1006", "1007", "1009", "1010", "1011"])
    expect(artifacts.rows.every((row) => row.currency === "EUR")).toBe(true)
    expect(artifacts.totals).toEqual({ ada: 188.54, grace: 137.7, linus: 15.25, ken: 340.35, barbara: 210 })
    expect(artifacts.top).toBe("ken (340.35 EUR)")
  })

  test("a 100 MB Float64Array passes between steps and is stored once", async () => {
    const store = await makeStore()
    const { artifacts, runId } = await run(LargeArray, { store, ...quiet })
    expect(artifacts.signal).toBeInstanceOf(Float64Array)
    expect(artifacts.signal.byteLength).toBe(100 * 1024 * 1024)
    expect(artifacts.length).toBe(artifacts.signal.length)
    const manifests = await store.readManifests("LargeArray", runId)
    const writers = manifests.filter((manifest) => "signal" in manifest.artifacts).map((manifest) => manifest.step)
    expect(writers).toEqual(["start"])
    const handle = await Client.open(store).run(LargeArray, runId)
    const info = await (await handle.step("end").tasks())[0]?.info("signal")
    expect(info).toMatchObject({ encoding: "raw", type: "Float64Array", size: 100 * 1024 * 1024 })
    const reloaded = await handle.artifact("normalized")
    // Compare bytes: a deep equality over 13 million elements would enumerate them one by one.
    expect(reloaded).toBeInstanceOf(Float64Array)
    expect(Buffer.from(reloaded.buffer, reloaded.byteOffset, reloaded.byteLength).equals(Buffer.from(artifacts.normalized.buffer))).toBe(true)
  }, 120_000)

  test("the flaky flow fails at FLAKY_FAIL_ITEM; resume without it reuses the other reviews", async () => {
    const store = await makeStore()
    vi.stubEnv("FLAKY_FAIL_ITEM", "7")
    let failure: unknown
    try {
      await run(Flaky, { store, ...quiet })
    } catch (error) {
      failure = error
    } finally {
      vi.unstubAllEnvs()
    }
    expect(failure).toBeInstanceOf(RunFailedError)
    expect(failure).toMatchObject({ step: "score", taskId: "7", message: expect.stringContaining("timed out after 250ms on review 7") })
    const origin = (failure as RunFailedError).runId
    const failed = await Client.open(store).run(Flaky, origin)
    const scored = (await failed.step("score").tasks()).filter((task) => task.status === "succeeded").map((task) => task.id)
    // The failing call waits 250 ms before it throws; the others take 20-30 ms, four at a time.
    expect(scored).toEqual(["0", "1", "2", "3", "4", "5", "6", "8", "9", "10", "11"])

    const { artifacts, runId } = await resume(Flaky, { store, ...quiet })
    expect(artifacts.scores).toHaveLength(12)
    expect(artifacts.summary).toMatch(/^12 reviews: \d+ positive, \d+ neutral, \d+ negative \(mean -?\d\.\d\d\)$/)
    const tasks = await (await Client.open(store).run(Flaky, runId)).step("score").tasks()
    expect(tasks.filter((task) => task.originTaskId !== undefined).map((task) => task.id)).toEqual(scored)
    expect(tasks.find((task) => task.id === "7")?.originTaskId).toBeUndefined()
  })
})
