import { describe, expect, test } from "vitest"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { artifactAt, compactEnd, recordAt } from "../../lib/interpreter/TaskEnd.js"
import type { Snapshot } from "../../lib/interpreter/Snapshot.js"

const entry = (hash: string): ArtifactEntry => ({ hash: hash.repeat(64), size: 1, type: "number", encoding: "json", inline: "1" })

const before: Snapshot = {
  values: Object.freeze({ items: [1, 2], kept: 1, dropped: 2 }),
  entries: new Map([
    ["items", entry("a")],
    ["kept", entry("b")],
    ["dropped", entry("c")]
  ]),
  ref: undefined
}

const endOf = (values: Record<string, unknown>, entries: ReadonlyArray<[string, ArtifactEntry]>): Snapshot => ({
  values: Object.freeze(values),
  entries: new Map(entries),
  ref: undefined
})

describe("a foreach task's end, kept as a delta", () => {
  test("keeps only what changed, rebuilds the task's record and answers artifact lookups", () => {
    const squareEntry = entry("d")
    const keptAgain = entry("e")
    const snapshot = endOf({ items: [1, 2], kept: 5, square: 4 }, [
      ["items", before.entries.get("items") as ArtifactEntry],
      ["kept", keptAgain],
      ["square", squareEntry]
    ])
    const end = compactEnd(before, { snapshot, written: new Set(["kept", "square"]), reused: false })
    expect([...end.changed.keys()].sort()).toEqual(["kept", "square"])
    expect([...end.removed]).toEqual(["dropped"])
    expect(recordAt(before, end)).toEqual({ items: [1, 2], kept: 5, square: 4 })
    expect(Object.isFrozen(recordAt(before, end))).toBe(true)
    expect(artifactAt(before, end, "items")?.value).toBe(before.values["items"])
    expect(artifactAt(before, end, "kept")?.entry).toBe(keptAgain)
    expect(artifactAt(before, end, "dropped")).toBeUndefined()
    expect(artifactAt(before, end, "never")).toBeUndefined()
  })

  test("a task that changed nothing shares the record it started from", () => {
    const end = compactEnd(before, { snapshot: before, written: new Set(), reused: true })
    expect(end.changed.size + end.removed.size).toBe(0)
    expect(recordAt(before, end)).toBe(before.values)
    expect(end.reused).toBe(true)
  })
})
