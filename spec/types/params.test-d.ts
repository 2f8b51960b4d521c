/**
 * Parameters and included files (DESIGN.md §2, §3.3): the value each puts in the record, and what a run
 * accepts for them (read through `StateOf<F>["meta"]`, since `run` is typed from it: a parameter with a
 * default, or an included file that is not required, is optional).
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expectTypeOf, test } from "vitest"
import { flow, includeFile, param, step } from "../../lib/index.js"
import type { ArtifactsOf, IncludeFile, Param, StateOf } from "../../lib/index.js"

/** A codec whose run-time input (a string) differs from its value (a Date). */
const DateFromString = new t.Type<Date, string, unknown>(
  "DateFromString",
  (u): u is Date => u instanceof Date,
  (u, c) => (typeof u === "string" ? t.success(new Date(u)) : t.failure(u, c)),
  (d) => d.toISOString()
)

const Train = flow("Train", {
  params: {
    lr: param(t.number, { default: 0.1, help: "learning rate" }),
    tag: param(t.string),
    tags: param(t.array(t.string), { help: "no default: required" }),
    mode: param(t.keyof({ fast: null, slow: null }), { default: "fast" }),
    since: param(DateFromString),
    config: param(t.type({ depth: t.number, name: t.string })),
    raw: includeFile(),
    notes: includeFile({ default: "notes.md" }),
    image: includeFile({ encoding: "binary" }),
    extra: includeFile({ required: false }),
    blob: includeFile({ encoding: "binary", default: "blob.bin" })
  }
})

describe("values in the record", () => {
  test("a parameter's value is its codec's type; an included file's is its content", () => {
    expectTypeOf<ArtifactsOf<typeof Train>>().toEqualTypeOf<{
      readonly lr: number
      readonly tag: string
      readonly tags: string[]
      readonly mode: "fast" | "slow"
      readonly since: Date
      readonly config: { depth: number; name: string }
      readonly raw: string
      readonly notes: string
      readonly image: Uint8Array
      readonly extra: string | undefined
      readonly blob: Uint8Array
    }>()
  })

  test("the first step reads them", () => {
    pipe(
      Train,
      step("start", (a) => {
        expectTypeOf(a.since).toEqualTypeOf<Date>()
        expectTypeOf(a.image).toEqualTypeOf<Uint8Array>()
        return {}
      })
    )
  })
})

describe("what a run accepts", () => {
  test("parameters with a default and files not required are optional; files take a path", () => {
    expectTypeOf<StateOf<typeof Train>["meta"]["inputs"]>().toEqualTypeOf<{
      readonly lr?: number
      readonly tag: string
      readonly tags: string[]
      readonly mode?: "fast" | "slow"
      readonly since: string
      readonly config: { depth: number; name: string }
      readonly raw: string
      readonly notes?: string
      readonly image: string
      readonly extra?: string
      readonly blob?: string
    }>()
  })

  test("a flow without parameters accepts none", () => {
    expectTypeOf<StateOf<ReturnType<typeof flow<"Plain">>>["meta"]["inputs"]>().toEqualTypeOf<{}>()
  })

  test("the flow's name is known to the type", () => {
    expectTypeOf<StateOf<typeof Train>["meta"]["name"]>().toEqualTypeOf<"Train">()
  })

  test("the inputs survive later steps", () => {
    const F = pipe(Train, step("start", () => ({ n: 1 })))
    expectTypeOf<StateOf<typeof F>["meta"]>().toEqualTypeOf<StateOf<typeof Train>["meta"]>()
  })
})

describe("declaring parameters", () => {
  test("param says whether it is required", () => {
    expectTypeOf(param(t.number)).toEqualTypeOf<Param<t.NumberC, true>>()
    expectTypeOf(param(t.number, { help: "no default" })).toEqualTypeOf<Param<t.NumberC, true>>()
    expectTypeOf(param(t.number, { default: 1 })).toEqualTypeOf<Param<t.NumberC, false>>()
    expectTypeOf(includeFile()).toEqualTypeOf<IncludeFile<string, true>>()
    expectTypeOf(includeFile({ encoding: "binary", required: false })).toEqualTypeOf<
      IncludeFile<Uint8Array | undefined, false>
    >()
  })

  test("a default must have the codec's type", () => {
    // @ts-expect-error: the default of a number parameter must be a number
    param(t.number, { default: "0.1" })
  })

  test("an included file's encoding is utf8 or binary", () => {
    // @ts-expect-error: "latin1" is not an encoding includeFile supports
    includeFile({ encoding: "latin1" })
  })

  test("params must be declared with param or includeFile", () => {
    // @ts-expect-error: a bare codec is not a parameter declaration
    flow("Bad", { params: { lr: t.number } })
  })
})
