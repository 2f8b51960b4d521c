/**
 * Step options (DESIGN.md §2): `{ catch: "err" }` turns a final failure into an artifact `err` of type
 * `CaughtError | undefined` and lets the run go on, so what the step writes may be missing: a new artifact
 * may be `undefined`, a replaced one may still hold its previous value. `retry` and `timeout` are numbers.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, join, param, split, step } from "../../lib/index.js"
import type { ArtifactsOf, CaughtError, StateOf } from "../../lib/index.js"
import type { ParamWrite } from "../../lib/types/messages.js"
import type { NameParam } from "./helpers.js"

const Start = pipe(
  flow("Catch", { params: { url: param(t.string) } }),
  step("start", () => ({ rows: [1, 2], label: "x" }))
)

describe("catch", () => {
  test("adds the error artifact; new outputs may be undefined, replaced ones keep their previous type", () => {
    const F = pipe(
      Start,
      step("fetch", (a) => ({ body: a.url.length, rows: a.rows.map(String) }), { catch: "err", retry: 2 })
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly url: string
      readonly rows: string[] | number[]
      readonly label: string
      readonly body: number | undefined
      readonly err: CaughtError | undefined
    }>()
  })

  test("CaughtError is the failure's name, message and stack", () => {
    expectTypeOf<CaughtError>().toEqualTypeOf<{
      readonly name: string
      readonly message: string
      readonly stack: string | undefined
    }>()
  })

  test("later steps read the error artifact", () => {
    pipe(
      Start,
      step("fetch", () => ({ body: "b" }), { catch: "failure" }),
      step("report", (a) => {
        expectTypeOf(a.failure).toEqualTypeOf<CaughtError | undefined>()
        expectTypeOf(a.body).toEqualTypeOf<string | undefined>()
        return { ok: a.failure === undefined }
      })
    )
  })

  test("a step without catch adds no error artifact", () => {
    const F = pipe(Start, step("fetch", () => ({ body: "b" }), { retry: 3, timeout: 1000 }))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly url: string
      readonly rows: number[]
      readonly label: string
      readonly body: string
    }>()
  })

  test("a foreach join with catch", () => {
    const F = pipe(
      Start,
      foreach("rows", step("each", (_a, ctx) => ({ y: ctx.input }))),
      join("gather", { catch: "err" }, (inputs) => ({ total: inputs.length }))
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly url: string
      readonly rows: number[]
      readonly label: string
      readonly total: number | undefined
      readonly err: CaughtError | undefined
    }>()
  })

  test("a split join with catch and merge options", () => {
    const F = pipe(
      Start,
      split({ a: step("a", () => ({ label: 1 })), b: step("b", () => ({ label: 2 })) }),
      join("merge", { resolve: { label: (v) => v.a + v.b }, catch: "err" }, (_inputs, a) => ({ doubled: a.label * 2 }))
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly url: string
      readonly rows: number[]
      readonly label: number
      readonly doubled: number | undefined
      readonly err: CaughtError | undefined
    }>()
  })

  test("catch naming a parameter is an error on the step's name", () => {
    pipe(
      Start,
      // @ts-expect-error: 'url' is a parameter
      step("fetch", () => ({ body: 1 }), { catch: "url" })
    )
    expectTypeOf<NameParam<typeof step<StateOf<typeof Start>, "fetch", { body: number }, { catch: "url" }>>>()
      .toEqualTypeOf<ParamWrite<"fetch", "url">>()
  })

  test("a join's catch naming a parameter is an error on the join's name", () => {
    const Open = pipe(Start, foreach("rows", step("each", () => ({}))))
    pipe(
      Open,
      // @ts-expect-error: 'url' is a parameter
      join("gather", { catch: "url" })
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "gather", { readonly catch: "url" }, {}>>>()
      .toEqualTypeOf<ParamWrite<"gather", "url">>()
  })
})

describe("retry and timeout", () => {
  test("are numbers", () => {
    pipe(
      Start,
      // @ts-expect-error: retry is a number of attempts
      step("fetch", () => ({}), { retry: "2" })
    )
    pipe(
      Start,
      // @ts-expect-error: timeout is in milliseconds
      step("fetch", () => ({}), { timeout: "1s" })
    )
  })
})
