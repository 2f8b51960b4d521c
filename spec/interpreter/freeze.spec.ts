/** Artifact values are frozen all the way down, Dates and class instances included (issue 5 §7). */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expect, test } from "vitest"
import { deepFreeze } from "../../lib/interpreter/freeze.js"
import { flow, memoryStore, run, step } from "../../lib/index.js"
import { runFailure } from "./failure.js"
import { quiet } from "../stores.js"

class Point {
  constructor(
    public x: number,
    public label: { text: string }
  ) {}
}

describe("deepFreeze", () => {
  test("Dates keep their value and refuse every setter, invisibly to keys and JSON", () => {
    const date = deepFreeze(new Date(Date.UTC(2026, 0, 2)))
    expect(() => date.setFullYear(2000)).toThrow(/^artiflow: this Date .* belongs to an artifact and cannot change: copy it first/)
    expect(() => date.setTime(0)).toThrow(TypeError)
    expect(() => date.setUTCHours(1)).toThrow(TypeError)
    expect(date.getTime()).toBe(Date.UTC(2026, 0, 2))
    expect(Object.keys(date)).toEqual([])
    expect(JSON.stringify({ date })).toBe('{"date":"2026-01-02T00:00:00.000Z"}')
    expect(new Date(date).setFullYear(2000)).toBeGreaterThan(0)
  })

  test("class instances and what they hold are frozen", () => {
    const point = deepFreeze(new Point(1, { text: "a" }))
    expect(Object.isFrozen(point)).toBe(true)
    expect(Object.isFrozen(point.label)).toBe(true)
    expect(() => {
      point.x = 2
    }).toThrow(TypeError)
    expect(point).toBeInstanceOf(Point)
  })

  test("Maps and Sets refuse changes, and their keys and values are frozen", () => {
    const key = { k: 1 }
    const map = deepFreeze(new Map([[key, { v: [1] }]]))
    const set = deepFreeze(new Set([{ s: 1 }]))
    expect(() => map.set({ k: 2 }, { v: [] })).toThrow()
    expect(() => set.add({ s: 2 })).toThrow()
    expect(Object.isFrozen(key)).toBe(true)
    expect(Object.isFrozen(map.get(key)?.v)).toBe(true)
    expect(Object.isFrozen([...set][0])).toBe(true)
  })

  test("binary data and RegExps are left usable; cycles and 100,000-deep chains do not hang or overflow", () => {
    const value = { bytes: new Uint8Array([1]), pattern: /a/g, self: undefined as unknown }
    value.self = value
    deepFreeze(value)
    value.bytes[0] = 2
    expect(value.bytes[0]).toBe(2)
    expect(value.pattern.test("aa")).toBe(true)
    expect(Object.isFrozen(value)).toBe(true)
    let chain: { next?: unknown } = {}
    for (let i = 0; i < 100_000; i++) chain = { next: chain }
    expect(Object.isFrozen(deepFreeze(chain))).toBe(true)
  })
})

describe("a step that changes an inherited Date in place", () => {
  test("fails with the Date's message instead of silently diverging from the store", async () => {
    const F = pipe(
      flow("Dates"),
      step("start", () => ({ when: new Date(0) })),
      step("shift", (a) => {
        a.when.setFullYear(2030)
        return { shifted: true }
      })
    )
    const failure = await runFailure(run(F, { store: memoryStore(), log: quiet }))
    expect(failure).toMatchObject({ step: "shift" })
    expect((failure.cause as Error).message).toMatch(/belongs to an artifact and cannot change/)
  })
})
