/** The shared formatters and the value preview. */
import { describe, expect, test } from "vitest"
import { escapeMarkup, formatBytes, formatDuration, formatTime, plural } from "../../lib/report/format.js"
import { previewValue } from "../../lib/report/preview.js"

describe("formatters", () => {
  test("escapeMarkup escapes markup and quotes", () => {
    expect(escapeMarkup(`</script><img src=x onerror="a('b')">&`)).toBe(
      "&lt;/script&gt;&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
    )
  })

  test("sizes, durations, counts and times", () => {
    expect([0, 512, 1023, 1024, 1536, 10 * 1024, 100 * 1024 ** 2, 3 * 1024 ** 3].map(formatBytes)).toEqual([
      "0 B",
      "512 B",
      "1023 B",
      "1.0 KiB",
      "1.5 KiB",
      "10 KiB",
      "100 MiB",
      "3.0 GiB"
    ])
    expect([0, 850, 1234, 59_999, 123_000, 3_900_000, -1].map(formatDuration)).toEqual([
      "0ms",
      "850ms",
      "1.2s",
      "1m 00s",
      "2m 03s",
      "1h 05m",
      "?"
    ])
    expect([plural(1, "task"), plural(0, "task"), plural(3, "task")]).toEqual(["1 task", "0 tasks", "3 tasks"])
    expect([formatTime(0), formatTime(undefined)]).toEqual(["1970-01-01 00:00:00Z", "-"])
  })
})

describe("previewValue", () => {
  test("JSON-like text for every storable kind", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const value = {
      s: "hi",
      n: -0,
      b: 10n,
      nil: null,
      u: undefined,
      d: new Date(0),
      re: /a+/g,
      m: new Map([["k", 1]]),
      set: new Set([1, 2]),
      f: new Float64Array([1.5, 2]),
      buf: new ArrayBuffer(8),
      e: new TypeError("bad"),
      url: new URL("https://example.com/x"),
      p: new Point(1),
      "odd key": [1, [2, [3, [4, [5]]]]]
    }
    expect(previewValue(value, 1000)).toBe(
      '{s: "hi", n: -0, b: 10n, nil: null, u: undefined, d: Date(1970-01-01T00:00:00.000Z), re: /a+/g, m: Map(1) {"k" => 1}, ' +
        "set: Set(2) {1, 2}, f: Float64Array(2) [1.5, 2], buf: ArrayBuffer(8), e: TypeError: bad, url: URL(https://example.com/x), " +
        'p: Point {x: 1}, "odd key": [1, [2, [3, […]]]]}'
    )
  })

  test("cycles, and a budget that stops walking big values", () => {
    const cyclic: { self?: unknown; n: number } = { n: 1 }
    cyclic.self = cyclic
    expect(previewValue(cyclic)).toBe("{n: 1, self: [Circular]}")
    const big = Array.from({ length: 1_000_000 }, (_, i) => i)
    const text = previewValue(big, 40)
    expect(text.length).toBe(40)
    expect(text.endsWith("…")).toBe(true)
    expect(previewValue("x".repeat(500), 10)).toBe('"xxxxxxxx…')
  })
})
