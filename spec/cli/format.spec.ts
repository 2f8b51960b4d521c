/** The CLI's pure formatters and parsers: argv, parameter strings, JSON-safe values, tables, rates and ETAs. */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { parseArgs, repeatedOption } from "../../lib/cli/args.js"
import { UsageError } from "../../lib/cli/errors.js"
import { firstLines, formatEta, formatRate, oneLine, table, toJsonSafe } from "../../lib/cli/format.js"
import { paramsFromOptions } from "../../lib/cli/params.js"
import { parseTarget } from "../../lib/cli/target.js"
import type { FlowValue } from "../../lib/dsl/FlowValue.js"
import { flow, includeFile, param, step } from "artiflow"

describe("parseArgs", () => {
  test("positionals, --name value, --name=value, flags, -h and --", () => {
    const args = parseArgs(["f.ts", "--n", "-3", "--tag=a=b", "--json", "--bare", "--x", "1", "-h", "--", "--not-an-option"], { flags: ["json"] })
    expect(args.positionals).toEqual(["f.ts", "--not-an-option"])
    expect([...args.options]).toEqual([
      ["n", "-3"],
      ["tag", "a=b"],
      ["json", true],
      ["bare", true],
      ["x", "1"]
    ])
    expect(args.help).toBe(true)
  })

  test("a flag never takes the next argument; an option given twice is a usage error", () => {
    expect(parseArgs(["--json", "Flow"], { flags: ["json"] }).positionals).toEqual(["Flow"])
    expect(() => parseArgs(["--n", "1", "--n=2"], {})).toThrow(new UsageError("artiflow: option --n is given twice"))
  })

  test("a repeatable option keeps every value in order; the others still refuse a second one", () => {
    const args = parseArgs(["--tag", "a", "--n", "1", "--tag=b c", "--tag", "a"], { repeatable: ["tag"] })
    expect(args.repeated.get("tag")).toEqual(["a", "b c", "a"])
    expect(args.options.get("tag")).toBe("a")
    expect(repeatedOption(args, "tag")).toEqual(["a", "b c", "a"])
    expect(repeatedOption(args, "other")).toEqual([])
    expect(() => parseArgs(["--tag", "a", "--n", "1", "--n", "2"], { repeatable: ["tag"] })).toThrow("option --n is given twice")
    const bare = parseArgs(["--tag", "a", "--tag"], { repeatable: ["tag"] })
    expect(() => repeatedOption(bare, "tag")).toThrow(new UsageError("artiflow: option --tag needs a value: --tag <value>"))
  })
})

describe("paramsFromOptions", () => {
  const Flow = pipe(
    flow("P", {
      params: {
        n: param(t.number),
        s: param(t.string, { default: "x" }),
        list: param(t.array(t.number), { default: [] }),
        mode: param(t.keyof({ a: null, b: null }), { default: "a" }),
        on: param(t.boolean, { default: false }),
        file: includeFile({ required: false })
      }
    }),
    step("start", () => ({}))
  ) as unknown as FlowValue
  const own = ["store", "flow"]
  const parse = (entries: ReadonlyArray<readonly [string, string | true]>): unknown => paramsFromOptions(Flow, new Map(entries), own)

  test("strings stay raw for t.string; JSON for other codecs; raw text when only it decodes; bare booleans", () => {
    expect(parse([["n", "3"], ["s", "3"], ["list", "[1,2]"], ["mode", "b"], ["on", true], ["file", "data.csv"], ["store", "/s"]])).toEqual({
      n: 3,
      s: "3",
      list: [1, 2],
      mode: "b",
      on: true,
      file: "data.csv"
    })
  })

  test("what decodes in no way is handed over as is, for run's ParamError to name", () => {
    expect(parse([["n", "abc"]])).toEqual({ n: "abc" })
    expect(parse([["list", "[1,"]])).toEqual({ list: "[1," })
  })

  test("an unknown name or a value-less non-boolean is a usage error", () => {
    expect(() => parse([["m", "1"]])).toThrow(
      "artiflow: flow 'P' has no parameter --m (parameters: --n <number>, --s <string>, --list <Array<number>>, --mode <\"a\" | \"b\">, --on <boolean>, --file <path>; options: --store, --flow)"
    )
    expect(() => parse([["n", true]])).toThrow("artiflow: parameter --n needs a value: --n <number>")
  })
})

describe("toJsonSafe", () => {
  test("bigint and non-finite numbers as text, Map/Set as arrays, typed arrays previewed, cycles marked", () => {
    const cyclic: Record<string, unknown> = { name: "c" }
    cyclic["self"] = cyclic
    expect(
      toJsonSafe({
        big: 10n ** 20n,
        nan: Number.NaN,
        none: undefined,
        map: new Map<unknown, unknown>([["k", new Set([1])]]),
        floats: new Float32Array([1.5, 2.5]),
        bytes: new Uint8Array(20).buffer,
        when: new Date(0),
        error: new TypeError("no"),
        cyclic
      })
    ).toEqual({
      big: "100000000000000000000",
      nan: "NaN",
      none: null,
      map: [["k", [1]]],
      floats: { type: "Float32Array", length: 2, preview: [1.5, 2.5] },
      bytes: { type: "ArrayBuffer", length: 20, preview: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
      when: "1970-01-01T00:00:00.000Z",
      error: { name: "TypeError", message: "no" },
      cyclic: { name: "c", self: "[Circular]" }
    })
  })

  test("a value shared twice is not a cycle", () => {
    const shared = { a: 1 }
    expect(toJsonSafe([shared, shared])).toEqual([{ a: 1 }, { a: 1 }])
  })
})

describe("text helpers", () => {
  test("table aligns columns and trims trailing blanks", () => {
    expect(table([["RUN", "STATUS", ""], ["r-10", "failed", "1s"]])).toEqual(["RUN   STATUS", "r-10  failed  1s"])
  })

  test("oneLine cuts at the width; firstLines keeps a count of what it cut", () => {
    expect(oneLine({ a: [1, 2, 3], b: "text" }, 15)).toBe("{ a: [ 1, 2, 3…")
    expect(firstLines("1\n2\n3\n4", 2)).toBe("1\n2\n… 2 more lines")
    expect(firstLines("1\n2", 2)).toBe("1\n2")
  })

  test("rates and ETAs", () => {
    expect([formatRate(0), formatRate(0.05), formatRate(12.345), formatRate(4321.5)]).toEqual(["-/s", "0.050/s", "12.3/s", "4322/s"])
    expect([formatEta(300), formatEta(4_400), formatEta(65_000), formatEta(7_380_000), formatEta(Number.NaN)]).toEqual([
      "<1s",
      "4s",
      "1m 05s",
      "2h 03m",
      "?"
    ])
  })

  test("targets: Flow[/run[/step[/task]]]", () => {
    expect(parseTarget("F/r/s/3.1", 4, "dump")).toEqual({ flow: "F", runId: "r", step: "s", taskId: "3.1" })
    expect(parseTarget("F", 2, "show")).toEqual({ flow: "F" })
    expect(() => parseTarget("F/r/s", 2, "show")).toThrow("artiflow: show takes <Flow>[/<run>], not 'F/r/s'")
    expect(() => parseTarget("F//s", 4, "dump")).toThrow(UsageError)
  })
})
