/**
 * split and its join (DESIGN.md §3.4, §3.5): branches start from the record before the split and cannot see
 * each other; at the join, keys written in no branch or in one branch only pass through, and conflicts are
 * merged by resolve, take, exclude, equal or the join function.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { flow, join, split, step } from "../../lib/index.js"
import type { ArtifactsOf, StateOf } from "../../lib/index.js"
import type { ConflictUnhandled } from "../../lib/types/messages.js"
import type { Flat, NameParam } from "./helpers.js"

const Start = pipe(flow("Merge"), step("start", () => ({ x: 1, y: "y", keep: true })))
type Before = { readonly x: number; readonly y: string; readonly keep: boolean }

// x: written in both branches; y: written in right, inherited by left; onlyLeft and z: written once.
const Open = pipe(
  Start,
  split({
    left: step("l", (a) => ({ x: String(a.x), onlyLeft: "L" })),
    right: (f) => pipe(f, step("r1", (a) => ({ x: a.x + 2, y: "r" })), step("r2", (a) => ({ z: a.x })))
  })
)
type Left = { readonly x: string; readonly y: string; readonly keep: boolean; readonly onlyLeft: string }
type Right = { readonly x: number; readonly y: string; readonly keep: boolean; readonly z: number }
type PassedThrough = { readonly keep: boolean; readonly onlyLeft: string; readonly z: number }

describe("branches", () => {
  test("every branch sees the record before the split", () => {
    pipe(
      Start,
      split({
        a: step("a", (a) => {
          expectTypeOf(a).toEqualTypeOf<Before>()
          return { p: 1 }
        }),
        b: (f) =>
          pipe(
            f,
            step("b1", () => ({ q: 1 })),
            step("b2", (a) => {
              expectTypeOf(a).toEqualTypeOf<Flat<Before & { readonly q: number }>>()
              return {}
            })
          )
      }),
      join("j")
    )
  })

  test("a branch cannot see what a sibling branch writes", () => {
    pipe(
      Start,
      split({
        a: step("a", () => ({ p: 1 })),
        b: step("b", (a) => ({
          // @ts-expect-error: 'p' is written by the sibling branch 'a'
          q: a.p
        }))
      })
    )
  })
})

describe("what passes through the join", () => {
  test("keys written in no branch, or in one branch and absent before, pass through with their type", () => {
    const F = pipe(
      Start,
      split({ a: step("a", () => ({ p: 1 })), b: step("b", () => ({ q: "q" })) }),
      join("j")
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly x: number
      readonly y: string
      readonly keep: boolean
      readonly p: number
      readonly q: string
    }>()
  })

  test("a split with one branch replaces what it writes", () => {
    const F = pipe(Start, split({ only: step("a", () => ({ x: "one" })) }), join("j"))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<{
      readonly x: string
      readonly y: string
      readonly keep: boolean
    }>()
  })
})

describe("conflicts", () => {
  test("writes in a split nested in a branch count as the branch's writes", () => {
    const Nested = pipe(
      Start,
      split({
        outer: (f) =>
          pipe(f, split({ i1: step("i1", () => ({ v: 10 })), i2: step("i2", () => ({ w: 1 })) }), join("inner")),
        other: step("o", () => ({ w: "w" }))
      })
    )
    pipe(
      Nested,
      // @ts-expect-error: 'w' is written in the nested split and in the other branch
      join("merge")
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Nested>, "merge">>>().toEqualTypeOf<
      ConflictUnhandled<"merge", "w">
    >()
    const F = pipe(Nested, join("merge", { take: { w: "other" } }))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<Flat<Before & { readonly v: number; readonly w: string }>>()
  })

  test("unhandled conflicts are an error on the join's name, naming each key", () => {
    pipe(
      Open,
      // @ts-expect-error: 'x' (written in both) and 'y' (written in right, inherited by left) conflict
      join("merge")
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "merge">>>().toEqualTypeOf<
      ConflictUnhandled<"merge", "x"> | ConflictUnhandled<"merge", "y">
    >()
  })

  test("handling one conflict still reports the other", () => {
    pipe(
      Open,
      // @ts-expect-error: 'y' is still unhandled
      join("merge", { exclude: ["x"] })
    )
    type Options = { readonly exclude: readonly ["x"] }
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "merge", Options, {}>>>().toEqualTypeOf<
      ConflictUnhandled<"merge", "y">
    >()
  })

  test("resolve gets every branch's value by branch name; the record holds what it returns", () => {
    const F = pipe(
      Open,
      join("merge", {
        resolve: {
          x: (xs) => {
            expectTypeOf(xs).toEqualTypeOf<{ readonly left: string; readonly right: number }>()
            return [xs.left, xs.right] as const
          },
          y: (ys) => {
            expectTypeOf(ys).toEqualTypeOf<{ readonly left: string; readonly right: string }>()
            return ys.left.length
          }
        }
      })
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<
      Flat<PassedThrough & { readonly x: readonly [string, number]; readonly y: number }>
    >()
  })

  test("take keeps one branch's value and type", () => {
    const F = pipe(Open, join("merge", { take: { x: "right", y: "left" } }))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<
      Flat<PassedThrough & { readonly x: number; readonly y: string }>
    >()
  })

  test("exclude drops the conflicting artifact", () => {
    const F = pipe(Open, join("merge", { exclude: ["x", "y"] }))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<PassedThrough>()
  })

  test("equal keeps the artifact with any branch's type", () => {
    const F = pipe(Open, join("merge", { equal: ["x", "y"] }))
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<
      Flat<PassedThrough & { readonly x: string | number; readonly y: string }>
    >()
  })

  test("the join function gets each branch's record and the merged record without the conflicts", () => {
    const F = pipe(
      Open,
      join("merge", (inputs, a) => {
        expectTypeOf(inputs).toEqualTypeOf<{ readonly left: Left; readonly right: Right }>()
        expectTypeOf(a).toEqualTypeOf<PassedThrough>()
        return { x: inputs.left.x.length + inputs.right.x, y: [inputs.right.y] }
      })
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<
      Flat<PassedThrough & { readonly x: number; readonly y: string[] }>
    >()
  })

  test("options and a function together: `a` holds what the options merged, the function returns the rest", () => {
    const F = pipe(
      Open,
      join("merge", { take: { y: "right" } }, (inputs, a) => {
        expectTypeOf(a).toEqualTypeOf<Flat<PassedThrough & { readonly y: string }>>()
        return { x: inputs.left.x }
      })
    )
    expectTypeOf<ArtifactsOf<typeof F>>().toEqualTypeOf<
      Flat<PassedThrough & { readonly x: string; readonly y: string }>
    >()
  })
})
