/**
 * Artifact values must be storable (DESIGN.md §3.8): functions, symbols, Promises and objects with methods
 * are compile errors on the step's (or join's) name, naming the step and the artifact; data, built-in value
 * types and data-only class instances are fine.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, join, step } from "../../lib/index.js"
import type { ArtifactsOf, StateOf } from "../../lib/index.js"
import type { NotStorable } from "../../lib/types/messages.js"
import type { NameParam } from "./helpers.js"

const Start = pipe(flow("Store"), step("start", () => ({ xs: [1, 2] })))
type Start = StateOf<typeof Start>

/** The name parameter of `step("save", ...)` when the step returns `Output`. */
type SaveName<Output extends object> = NameParam<typeof step<Start, "save", Output>>

class Point {
  constructor(
    readonly x: number,
    readonly y: number
  ) {}
}
class Model {
  constructor(readonly weights: ReadonlyArray<number>) {}
  predict(input: number): number {
    return input * (this.weights[0] ?? 0)
  }
}

describe("values that cannot be stored are errors naming the step and the artifact", () => {
  test("a function", () => {
    pipe(
      Start,
      // @ts-expect-error: 'predict' is a function
      step("save", () => ({ predict: (x: number) => x }))
    )
    expectTypeOf<SaveName<{ predict: (x: number) => number }>>().toEqualTypeOf<
      NotStorable<"save", "predict", "a function">
    >()
  })

  test("a symbol", () => {
    pipe(
      Start,
      // @ts-expect-error: 'id' is a symbol
      step("save", () => ({ id: Symbol("id") }))
    )
    expectTypeOf<SaveName<{ id: symbol }>>().toEqualTypeOf<NotStorable<"save", "id", "a symbol">>()
  })

  test("a Promise (an async value not awaited)", () => {
    pipe(
      Start,
      // @ts-expect-error: 'rows' is a Promise
      step("save", async () => ({ rows: Promise.resolve([1]) }))
    )
    expectTypeOf<SaveName<{ rows: Promise<number[]> }>>().toEqualTypeOf<NotStorable<"save", "rows", "a Promise">>()
  })

  test("an object with methods: a class instance or a literal", () => {
    pipe(
      Start,
      // @ts-expect-error: 'model' has a method
      step("save", () => ({ model: new Model([1]) }))
    )
    pipe(
      Start,
      // @ts-expect-error: 'config' has a method
      step("save", () => ({ config: { rate: 1, scale: (x: number) => x * 2 } }))
    )
    expectTypeOf<SaveName<{ model: Model }>>().toEqualTypeOf<NotStorable<"save", "model", "an object with methods">>()
  })

  test("non-storable values nested in arrays, maps, sets and objects", () => {
    type Nested = {
      fns: Array<() => void>
      pending: Map<string, Promise<number>>
      ids: Set<symbol>
      deep: { a: { b: ReadonlyArray<{ c: Model }> } }
    }
    expectTypeOf<SaveName<Nested>>().toEqualTypeOf<
      | NotStorable<"save", "fns", "a function">
      | NotStorable<"save", "pending", "a Promise">
      | NotStorable<"save", "ids", "a symbol">
      | NotStorable<"save", "deep", "an object with methods">
    >()
  })

  test("WeakMap and WeakSet", () => {
    expectTypeOf<SaveName<{ cache: WeakMap<object, number> }>>().toEqualTypeOf<
      NotStorable<"save", "cache", "a WeakMap or WeakSet">
    >()
  })

  test("a join's output is checked too, on the join's name", () => {
    const Open = pipe(Start, foreach("xs", step("each", (_a, ctx) => ({ y: ctx.input }))))
    pipe(
      Open,
      // @ts-expect-error: 'sum' is a function
      join("gather", (inputs) => ({ sum: () => inputs.length }))
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "gather", {}, { sum: () => number }>>>().toEqualTypeOf<
      NotStorable<"gather", "sum", "a function">
    >()
  })
})

describe("storable values", () => {
  test("primitives, built-in value types, typed arrays and data-only class instances", () => {
    const F = pipe(
      Start,
      step("save", () => ({
        n: 1,
        s: "s",
        big: 1n,
        nothing: null,
        missing: undefined,
        when: new Date(),
        pattern: /x/,
        lookup: new Map<string, Date>(),
        tags: new Set(["a"]),
        bytes: new Uint8Array(2),
        floats: new Float64Array(2),
        buffer: new ArrayBuffer(2),
        failure: new Error("x"),
        link: new URL("https://example.com"),
        point: new Point(1, 2),
        nested: { rows: [{ at: new Date(), point: new Point(0, 0) }] }
      }))
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly xs: number[]
      readonly n: number
      readonly s: string
      readonly big: bigint
      readonly nothing: null
      readonly missing: undefined
      readonly when: Date
      readonly pattern: RegExp
      readonly lookup: Map<string, Date>
      readonly tags: Set<string>
      readonly bytes: Uint8Array<ArrayBuffer>
      readonly floats: Float64Array<ArrayBuffer>
      readonly buffer: ArrayBuffer
      readonly failure: Error
      readonly link: URL
      readonly point: Point
      readonly nested: { rows: { at: Date; point: Point }[] }
    }>()
  })

  test("ephemeral artifacts are never stored, so they may hold anything", () => {
    const F = pipe(Start, step("save", () => ({ _fn: () => 1, _model: new Model([1]), kept: 1 })))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{ readonly xs: number[]; readonly kept: number }>()
  })

  test("unknown and any are left to the run-time check", () => {
    expectTypeOf<SaveName<{ u: unknown; a: any }>>().toEqualTypeOf<"save">()
  })
})
