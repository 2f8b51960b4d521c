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
})
