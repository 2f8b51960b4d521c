/**
 * What a split join reports on its name (DESIGN.md §3.5, §3.9): handling a key that is not a conflict,
 * `take` naming a branch the split does not have, and what is wrong with the split itself (a step name
 * used in two branches, a branch left open, no branch at all).
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, join, split, step } from "../../lib/index.js"
import type { StateOf } from "../../lib/index.js"
import type { BranchOpen, DuplicateStep, EmptySplit, NotAConflict, UnknownBranch } from "../../lib/types/messages.js"
import type { NameParam } from "./helpers.js"

const Start = pipe(flow("Merge"), step("start", () => ({ x: 1, keep: true, xs: [1, 2] })))

// p and q are written in one branch each, keep in none: nothing conflicts.
const Clean = pipe(Start, split({ a: step("a", () => ({ p: 1 })), b: step("b", () => ({ q: 2 })) }))
type Clean = StateOf<typeof Clean>

// x is written in both branches.
const Conflict = pipe(Start, split({ a: step("a", () => ({ x: 2 })), b: step("b", () => ({ x: 3 })) }))

describe("handling a key that is not a conflict is an error on the join's name, naming the key", () => {
  test("in resolve", () => {
    pipe(
      Clean,
      // @ts-expect-error: 'p' is written in one branch only
      join("j", { resolve: { p: (ps) => ps.a } })
    )
    type Options = { readonly resolve: { readonly p: () => number } }
    expectTypeOf<NameParam<typeof join<Clean, "j", Options, {}>>>().toEqualTypeOf<NotAConflict<"j", "p", "resolve">>()
  })

  test("in take", () => {
    pipe(
      Clean,
      // @ts-expect-error: 'q' is written in one branch only
      join("j", { take: { q: "b" } })
    )
    type Options = { readonly take: { readonly q: "b" } }
    expectTypeOf<NameParam<typeof join<Clean, "j", Options, {}>>>().toEqualTypeOf<NotAConflict<"j", "q", "take">>()
  })

  test("in exclude", () => {
    pipe(
      Clean,
      // @ts-expect-error: 'keep' is written in no branch
      join("j", { exclude: ["keep"] })
    )
    type Options = { readonly exclude: readonly ["keep"] }
    expectTypeOf<NameParam<typeof join<Clean, "j", Options, {}>>>().toEqualTypeOf<
      NotAConflict<"j", "keep", "exclude">
    >()
  })

  test("in equal, also with a join function", () => {
    pipe(
      Clean,
      // @ts-expect-error: 'nope' is not an artifact at all
      join("j", { equal: ["nope"] }, () => ({}))
    )
    type Options = { readonly equal: readonly ["nope"] }
    expectTypeOf<NameParam<typeof join<Clean, "j", Options, {}>>>().toEqualTypeOf<NotAConflict<"j", "nope", "equal">>()
  })
})

test("take naming a branch the split does not have is an error on the join's name", () => {
  pipe(
    Conflict,
    // @ts-expect-error: there is no branch 'c'
    join("j", { take: { x: "c" } })
  )
  type Options = { readonly take: { readonly x: "c" } }
  expectTypeOf<NameParam<typeof join<StateOf<typeof Conflict>, "j", Options, {}>>>().toEqualTypeOf<
    UnknownBranch<"j", "x", "c">
  >()
})

describe("what is wrong with the split is reported on the join's name", () => {
  test("a step name used in two branches", () => {
    const Open = pipe(Start, split({ a: step("fit", () => ({ p: 1 })), b: step("fit", () => ({ q: 1 })) }))
    pipe(
      Open,
      // @ts-expect-error: both branches have a step 'fit'
      join("j")
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "j">>>().toEqualTypeOf<DuplicateStep<"fit">>()
  })

  test("a branch left open", () => {
    const Open = pipe(
      Start,
      split({ a: (f) => pipe(f, foreach("xs", step("each", () => ({})))), b: step("b", () => ({})) })
    )
    pipe(
      Open,
      // @ts-expect-error: branch 'a' ends with a foreach that has no join
      join("j")
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "j">>>().toEqualTypeOf<BranchOpen<"a", "foreach">>()
  })

  test("a split without branches", () => {
    const Open = pipe(Start, split({}))
    pipe(
      Open,
      // @ts-expect-error: a split needs a branch
      join("j")
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "j">>>().toEqualTypeOf<EmptySplit>()
  })

  test("the split's problems come before the join's own conflicts", () => {
    const Open = pipe(Start, split({ a: step("fit", () => ({ x: 2 })), b: step("fit", () => ({ x: 3 })) }))
    pipe(
      Open,
      // @ts-expect-error: both branches have a step 'fit' (and 'x' conflicts)
      join("j")
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "j">>>().toEqualTypeOf<DuplicateStep<"fit">>()
  })
})
