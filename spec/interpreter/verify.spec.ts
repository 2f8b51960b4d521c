/**
 * The immutability hole and the `verify` option (issue 5 §7): binary data cannot be frozen, so a step can
 * change an inherited typed array in place. Without `verify` the run succeeds and the store keeps the
 * original bytes; with it the task fails, naming the step and the artifact, and is not retried.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { Client } from "../../lib/client/index.js"
import { MutatedArtifactError } from "../../lib/errors.js"
import { flow, foreach, join, run, step } from "../../lib/index.js"
import { forEachStore, quiet } from "../stores.js"
import { runFailure } from "./failure.js"

const Mutating = pipe(
  flow("Mutating"),
  step("start", () => ({ signal: new Float64Array([1, 2, 3]), meta: { unit: "V" } })),
  step("scale", (a) => {
    ;(a.signal as Float64Array)[0] = 100
    return { scaled: true }
  }),
  step("end", (a) => ({ first: a.signal[0] ?? Number.NaN }))
)

forEachStore((_name, makeStore) => {
  describe("verify", () => {
    test("off: the run succeeds, the record in memory and the store disagree (the documented hole)", async () => {
      const store = await makeStore()
      const result = await run(Mutating, { store, log: quiet, verify: false })
      expect(result.artifacts.first).toBe(100)
      const stored = await (await Client.open(store).run("Mutating", result.runId)).step("end").task("0")
      expect(((await stored.artifact("signal")) as Float64Array)[0]).toBe(1)
    })

    test("on: the task that changed an inherited typed array in place fails, naming step and artifact, without retry", async () => {
      const store = await makeStore()
      let attempts = 0
      const Retrying = pipe(
        flow("Retrying"),
        step("start", () => ({ signal: new Float64Array([1, 2, 3]) })),
        step(
          "scale",
          (a) => {
            attempts++
            ;(a.signal as Float64Array)[1] = -1
            return { done: true }
          },
          { retry: 3 }
        )
      )
      const failure = await runFailure(run(Retrying, { store, log: quiet, verify: true }))
      expect(failure).toMatchObject({ step: "scale", taskId: "0" })
      expect(failure.cause).toBeInstanceOf(MutatedArtifactError)
      expect(failure.cause).toMatchObject({ step: "scale", artifact: "signal" })
      expect((failure.cause as Error).message).toMatch(
        /^artiflow: step 'scale' \(task 0\) ends with artifact 'signal' \(Float64Array\) changed in place: .*new Float64Array\(a\.signal\)/
      )
      expect(attempts).toBe(1)
    })

    test("on: binary data nested in a structured value and mutated in a foreach task is caught too", async () => {
      const store = await makeStore()
      const Nested = pipe(
        flow("Nested"),
        step("start", () => ({ model: { weights: new Float32Array(4), when: new Date(0) }, items: [0, 1, 2] })),
        foreach(
          "items",
          step("train", (a, ctx) => {
            if (ctx.input === 2) (a.model.weights as Float32Array)[0] = 0.5
            return { loss: ctx.input }
          })
        ),
        join("end", (inputs) => ({ losses: inputs.map((input) => input.loss) }))
      )
      const failure = await runFailure(run(Nested, { store, log: quiet, verify: true }))
      expect(failure.cause).toMatchObject({ step: "train", artifact: "model" })
    })

    test("on: a flow that copies before changing runs as usual", async () => {
      const store = await makeStore()
      const Copying = pipe(
        flow("Copying"),
        step("start", () => ({ signal: new Float64Array([1, 2, 3]) })),
        step("scale", (a) => ({ signal: a.signal.map((x) => x * 2) }))
      )
      const result = await run(Copying, { store, log: quiet, verify: true })
      expect([...result.artifacts.signal]).toEqual([2, 4, 6])
    })
  })
})
