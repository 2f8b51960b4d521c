/**
 * What crosses between scheduler and workers: errors come back as their own classes with their fields and
 * stacks; outcomes as entries; attempts as references, a large inline value without its text once published.
 */
import { describe, expect, test } from "vitest"
import { FlowDefinitionError, MutatedArtifactError, NotStorableError, RunAbortedError, StepTimeoutError } from "../../lib/errors.js"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import type { Attempt } from "../../lib/executor/Executor.js"
import { errorFromWire, errorToWire, outcomeFromWire, outcomeToWire, toWire, WIRE_FORMAT } from "../../lib/executor/wire.js"

const roundTrip = (error: unknown): Error => errorFromWire(JSON.parse(JSON.stringify(errorToWire(error))))

describe("errors", () => {
  test("artiflow's errors come back as their class, with their fields, message and stack", () => {
    const notStorable = new NotStorableError("artiflow: step 'a' returned artifact 'x' ...", "a", "x", "y.z")
    const back = roundTrip(notStorable)
    expect(back).toBeInstanceOf(NotStorableError)
    expect(back).toMatchObject({ step: "a", artifact: "x", path: "y.z", message: notStorable.message, stack: notStorable.stack })
    expect(roundTrip(new MutatedArtifactError("m", "s", "art"))).toMatchObject({ step: "s", artifact: "art" })
    for (const error of [new FlowDefinitionError("f"), new StepTimeoutError("t"), new RunAbortedError("r")]) {
      expect(roundTrip(error)).toBeInstanceOf(error.constructor)
    }
  })

  test("others come back as an Error of the same name; a thrown non-Error as an Error with its text", () => {
    const back = roundTrip(new RangeError("out of range"))
    expect(back).toBeInstanceOf(Error)
    expect([back.name, back.message]).toEqual(["RangeError", "out of range"])
    expect(roundTrip("just a string").message).toBe("just a string")
    expect(roundTrip({ code: 7 }).message).toBe('{"code":7}')
  })
})

test("an outcome travels as JSON and comes back with entries by name (null prototype)", () => {
  const entry: ArtifactEntry = { hash: "a".repeat(64), size: 1, type: "number", encoding: "json", inline: "1" }
  const worker = { host: "h", pid: 1 }
  const outcome = { status: "succeeded", attempt: 2, startedAt: 1, finishedAt: 2, logs: ["x"], worker, artifacts: { constructor: entry }, removed: ["r"], rewritten: [], written: ["constructor"], reads: { toString: "c".repeat(64) }, inputReads: [{ input: "left", reads: { x: "d".repeat(64) } }] } as const
  const back = outcomeFromWire(JSON.parse(JSON.stringify(outcomeToWire(outcome))))
  expect(back).toMatchObject({ reads: { toString: "c".repeat(64) }, inputReads: [{ input: "left", reads: { x: "d".repeat(64) } }] })
  expect(Object.getPrototypeOf((back as { reads: object }).reads)).toBeNull()
  expect(back).toMatchObject({ status: "succeeded", attempt: 2, logs: ["x"], worker, removed: ["r"], written: ["constructor"] })
  expect(Object.getPrototypeOf((back as { artifacts: object }).artifacts)).toBeNull()
  expect(Object.hasOwn((back as { artifacts: object }).artifacts, "constructor")).toBe(true)
})

describe("toWire", () => {
  const small: ArtifactEntry = { hash: "b".repeat(64), size: 2, type: "number", encoding: "json", inline: "42" }
  const large: ArtifactEntry = { hash: "c".repeat(64), size: 5000, type: "Array", encoding: "json", inline: `[${"1,".repeat(2499)}1]` }
  const attempt = (): Attempt => ({
    work: { kind: "step", node: { _tag: "Step", name: "cell", fn: () => ({}), options: {} } },
    step: "cell",
    taskId: "1.0",
    number: 0,
    position: {
      frames: [{ step: "start", artifact: "rows", index: 1, count: 3, input: [3, 4] }, { step: "prep", artifact: "cells", index: 0, count: 2, input: 3 }],
      arrays: [large, small],
      previous: "prep"
    },
    base: { values: {}, entries: new Map([["rows", large], ["factor", small]]), ref: { runId: "r", step: "prep", taskId: "1", attempt: 0 } },
    timeout: 300
  })
  const run = { flow: { name: "Grid", module: "/m.ts", exportName: "Grid", graph: "g" }, store: "memory store", runId: "r", originRunId: undefined, verify: false }

  test("sends references: entries, frames without their elements, the base's ref", () => {
    const wire = JSON.parse(JSON.stringify(toWire(run, attempt())))
    expect(wire).toMatchObject({ format: WIRE_FORMAT, step: "cell", taskId: "1.0", attempt: 0, timeout: 300, previous: "prep", originRunId: null, join: null })
    expect(wire.frames).toEqual([
      { step: "start", artifact: "rows", index: 1, count: 3, array: large },
      { step: "prep", artifact: "cells", index: 0, count: 2, array: small }
    ])
    expect(JSON.stringify(wire)).not.toContain('"input"')
    expect(wire.base).toEqual({ ref: { runId: "r", step: "prep", taskId: "1", attempt: 0 }, entries: [["rows", large], ["factor", small]] })
  })

  test("a large inline value the sender published travels without its text; small ones keep theirs", () => {
    const wire = toWire(run, attempt(), (hash) => hash === large.hash)
    const { inline: _text, ...reference } = large
    expect(wire.base.entries).toEqual([["rows", reference], ["factor", small]])
    expect(wire.frames[0]?.array).toEqual(reference)
    expect(JSON.stringify(wire).length).toBeLessThan(2000)
  })
})
