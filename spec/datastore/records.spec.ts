import { describe, expect, test } from "vitest"
import { encodeManifest, lazyRecord } from "../../lib/datastore/records.js"
import { IntegrityError } from "../../lib/errors.js"
import type { TaskManifest } from "../../lib/datastore/Manifest.js"

const manifest: TaskManifest = {
  step: "fit",
  taskId: "3",
  attempt: 2,
  foreachStack: [],
  startedAt: 1,
  finishedAt: 2,
  status: "succeeded",
  artifacts: {}
}

describe("lazy manifest records", () => {
  test("the header is read without decoding the body; the body decodes on first use", () => {
    const record = lazyRecord(encodeManifest(manifest), "record 1")
    expect([record.step, record.taskId, record.attempt]).toEqual(["fit", "3", 2])
    expect(record.manifest()).toEqual(manifest)
    expect(record.manifest()).toBe(record.manifest())
  })

  test("a body that contradicts its header is an IntegrityError, not another task's manifest", () => {
    // Valid JSON whose duplicate "step" key wins over the header's when parsed.
    const text = encodeManifest(manifest).replace('"attempt":2,', '"attempt":2,"step":"other",')
    const record = lazyRecord(text, "record 1 of log")
    expect(record.step).toBe("fit")
    expect(() => record.manifest()).toThrow(IntegrityError)
    expect(() => record.manifest()).toThrow(/record 1 of log does not match its own header/)
  })

  test("a manifest written with another key order is decoded at once, and corrupt text is reported then", () => {
    const reordered = JSON.stringify({ taskId: "3", step: "fit", attempt: 2, foreachStack: [], artifacts: {} })
    expect(lazyRecord(reordered, "r").step).toBe("fit")
    expect(() => lazyRecord('{"taskId": 1}', "record 9 of log")).toThrow(/record 9 of log is not a task manifest/)
  })

  test("header fields with escapes take the exact path and read as JSON decodes them", () => {
    const escaped = { ...manifest, step: 'fit "quoted" \\ é\u2028', taskId: "3\n", attempt: 0 }
    const text = encodeManifest(escaped)
    expect(text).toContain("\\\"quoted\\\"")
    const record = lazyRecord(text, "r")
    expect([record.step, record.taskId, record.attempt]).toEqual([escaped.step, escaped.taskId, 0])
    expect(record.manifest()).toEqual(escaped)
    // A backslash in the task id only: the step is plain, the id still decoded.
    const slashed = lazyRecord(encodeManifest({ ...manifest, taskId: "a\\b" }), "r")
    expect([slashed.step, slashed.taskId]).toEqual(["fit", "a\\b"])
  })

  test("attempts of one digit and of several read the same; a malformed attempt decodes the whole record", () => {
    for (const attempt of [0, 7, 10, 123_456_789]) {
      const record = lazyRecord(encodeManifest({ ...manifest, attempt }), "r")
      expect(record.attempt).toBe(attempt)
      expect(record.manifest().attempt).toBe(attempt)
    }
    // Not how JSON.stringify writes a number: no header fast path; the body is decoded at once.
    const padded = encodeManifest(manifest).replace('"attempt":2,', '"attempt":02,')
    expect(() => lazyRecord(padded, "record 4 of log")).toThrow(/record 4 of log is not valid JSON/)
    const fraction = encodeManifest(manifest).replace('"attempt":2,', '"attempt":2.5,')
    expect(lazyRecord(fraction, "r").attempt).toBe(2.5)
  })

  test("consecutive records of different steps keep their own step names", () => {
    const steps = ["fit", "fit", "fitter", "fi", "fit"]
    const records = steps.map((step, i) => lazyRecord(encodeManifest({ ...manifest, step, taskId: String(i) }), "r"))
    expect(records.map((record) => record.step)).toEqual(steps)
    expect(records.map((record) => record.manifest().step)).toEqual(steps)
  })
})
