/**
 * Where sizes are shown, a compressed artifact also shows what the store holds: `info(name).stored` on the
 * client, and the CLI's dump text and JSON. Small and binary artifacts show no stored size.
 */
import { pipe } from "fp-ts/lib/function.js"
import { expect, test } from "vitest"
import { Client, flow, run, step } from "artiflow"
import { artifactJson, artifactText, taskArtifacts } from "../../lib/cli/artifacts.js"
import { forEachStore } from "../stores.js"

const quiet = { log: () => {} }

const Rows = pipe(
  flow("Rows"),
  step("start", () => ({
    rows: Array.from({ length: 5_000 }, (_, i) => ({ id: i, name: `item${i}` })),
    signal: new Float64Array(20_000),
    n: 1
  }))
)

const style = { colors: false, compact: true, width: 200, hint: "artiflow dump Rows/r1/start/0" }

forEachStore((_name, makeStore) => {
  test("info(name).stored is what the store holds for a compressed artifact, and only for one", async () => {
    const store = await makeStore()
    const { runId } = await run(Rows, { store, ...quiet })
    const [task] = await (await Client.open(store).run("Rows", runId)).step("start").tasks()
    const rows = await task?.info("rows")
    expect(rows?.stored).toEqual({ size: expect.any(Number), compression: "br" })
    expect(rows?.stored?.size).toBeLessThan((rows?.size ?? 0) / 4)
    expect((await task?.info("signal"))?.stored).toBeUndefined()
    expect((await task?.info("n"))?.stored).toBeUndefined()
  })

  test("dump shows both sizes of a compressed artifact, in its text and its JSON", async () => {
    const store = await makeStore()
    const { runId } = await run(Rows, { store, ...quiet })
    const [task] = await (await Client.open(store).run("Rows", runId)).step("start").tasks()
    if (task === undefined) throw new Error("the run has a start task")
    const views = new Map((await taskArtifacts(task, undefined)).map((view) => [view.name, view]))
    const rows = views.get("rows")
    if (rows === undefined) throw new Error("rows is an artifact")
    expect(artifactText(rows, style)).toMatch(/^rows \(Array, [\d.]+ KiB, [\d.]+ KiB compressed\) = /)
    expect(artifactJson(rows)).toMatchObject({ size: rows.info?.size, stored: { compression: "br" } })
    const signal = views.get("signal")
    if (signal === undefined) throw new Error("signal is an artifact")
    expect(artifactText(signal, style)).toMatch(/^signal \(Float64Array, [\d.]+ KiB\) = /)
    expect(artifactJson(signal)).not.toHaveProperty("stored")
  })
})
