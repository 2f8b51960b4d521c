/**
 * Step names and the order of stages (DESIGN.md §3.9): names are unique in a flow (branches and foreach
 * bodies included), nothing but a join may follow an open split or foreach, and a join needs one to close.
 */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { flow, foreach, join, split, step } from "../../lib/index.js"
import type { StateOf } from "../../lib/index.js"
import type { DuplicateStep, InvalidName, JoinWithoutOpen, StageAfterOpen } from "../../lib/types/messages.js"
import type { BodyStart } from "../../lib/types/foreach.js"
import type { BranchStart } from "../../lib/types/split.js"
import type { NameParam } from "./helpers.js"

const Start = pipe(flow("Names"), step("start", () => ({ xs: [1, 2] })))
type Start = StateOf<typeof Start>

describe("step names are unique in a flow", () => {
  test("a second step with a taken name is an error on its name", () => {
    pipe(
      Start,
      // @ts-expect-error: 'start' is taken
      step("start", () => ({ n: 1 }))
    )
    expectTypeOf<NameParam<typeof step<Start, "start", { n: number }>>>().toEqualTypeOf<DuplicateStep<"start">>()
  })

  test("a step in a foreach body or a split branch cannot reuse a name from before", () => {
    pipe(
      Start,
      // @ts-expect-error: 'start' is taken outside the body
      foreach("xs", step("start", () => ({})))
    )
    pipe(
      Start,
      split({
        // @ts-expect-error: 'start' is taken before the split
        a: step("start", () => ({}))
      })
    )
    expectTypeOf<NameParam<typeof step<BodyStart<Start, "xs">, "start", {}>>>().toEqualTypeOf<DuplicateStep<"start">>()
    expectTypeOf<NameParam<typeof step<BranchStart<Start>, "start", {}>>>().toEqualTypeOf<DuplicateStep<"start">>()
  })

  test("a step after a join cannot reuse a name from inside the branches or the body", () => {
    const Joined = pipe(
      Start,
      split({ a: step("left", () => ({})), b: step("right", () => ({})) }),
      join("merge"),
      foreach("xs", step("each", () => ({}))),
      join("gather")
    )
    pipe(
      Joined,
      // @ts-expect-error: 'left' is a step of a branch
      step("left", () => ({}))
    )
    pipe(
      Joined,
      // @ts-expect-error: 'each' is a step of a foreach body
      step("each", () => ({}))
    )
    type J = StateOf<typeof Joined>
    expectTypeOf<NameParam<typeof step<J, "left", {}>>>().toEqualTypeOf<DuplicateStep<"left">>()
    expectTypeOf<NameParam<typeof step<J, "each", {}>>>().toEqualTypeOf<DuplicateStep<"each">>()
  })

  test("a join's name is a step name too", () => {
    const Open = pipe(Start, foreach("xs", step("each", () => ({}))))
    pipe(
      Open,
      // @ts-expect-error: 'each' is taken by the body
      join("each")
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "each">>>().toEqualTypeOf<DuplicateStep<"each">>()
  })

  test("a name that starts with '_' or '-', or is empty, is invalid", () => {
    pipe(
      Start,
      // @ts-expect-error: '_' names are for ephemeral artifacts
      step("_hidden", () => ({}))
    )
    expectTypeOf<NameParam<typeof step<Start, "_hidden", {}>>>().toEqualTypeOf<InvalidName<"step", "_hidden">>()
    expectTypeOf<NameParam<typeof step<Start, "", {}>>>().toEqualTypeOf<InvalidName<"step", "">>()
    expectTypeOf<NameParam<typeof step<Start, "-x", {}>>>().toEqualTypeOf<InvalidName<"step", "-x">>()
  })
})

describe("only a join may follow an open split or foreach", () => {
  const AfterSplit = pipe(Start, split({ a: step("a", () => ({})) }))
  const AfterForeach = pipe(Start, foreach("xs", step("each", () => ({}))))
  type AfterSplit = StateOf<typeof AfterSplit>
  type AfterForeach = StateOf<typeof AfterForeach>

  test("a step right after a split is an error on its name", () => {
    pipe(
      AfterSplit,
      // @ts-expect-error: the split is not joined
      step("next", () => ({}))
    )
    expectTypeOf<NameParam<typeof step<AfterSplit, "next", {}>>>().toEqualTypeOf<
      StageAfterOpen<"step 'next'", "split">
    >()
  })

  test("a step right after a foreach is an error on its name", () => {
    pipe(
      AfterForeach,
      // @ts-expect-error: the foreach is not joined
      step("next", () => ({}))
    )
    expectTypeOf<NameParam<typeof step<AfterForeach, "next", {}>>>().toEqualTypeOf<
      StageAfterOpen<"step 'next'", "foreach">
    >()
  })

  test("a foreach right after a split is an error on its artifact", () => {
    pipe(
      AfterSplit,
      // @ts-expect-error: the split is not joined
      foreach("xs", step("each", () => ({})))
    )
    expectTypeOf<NameParam<typeof foreach<AfterSplit, "xs", AfterSplit>>>().toEqualTypeOf<
      StageAfterOpen<"foreach over 'xs'", "split">
    >()
  })

  test("a split right after a foreach is an error on the name of the join that follows", () => {
    const Open = pipe(AfterForeach, split({ a: step("a", () => ({})) }))
    pipe(
      Open,
      // @ts-expect-error: the foreach before the split is not joined
      join("j")
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Open>, "j">>>().toEqualTypeOf<
      StageAfterOpen<"split", "foreach">
    >()
  })
})

describe("a join needs an open split or foreach", () => {
  test("a join after a step is an error on its name", () => {
    pipe(
      Start,
      // @ts-expect-error: nothing to close
      join("j")
    )
    expectTypeOf<NameParam<typeof join<Start, "j">>>().toEqualTypeOf<JoinWithoutOpen<"j">>()
  })

  test("a second join after a join is an error too, in every form", () => {
    const Joined = pipe(Start, foreach("xs", step("each", () => ({}))), join("gather"))
    pipe(
      Joined,
      // @ts-expect-error: the foreach is already closed
      join("again", () => ({ n: 1 }))
    )
    expectTypeOf<NameParam<typeof join<StateOf<typeof Joined>, "again", {}, { n: number }>>>().toEqualTypeOf<
      JoinWithoutOpen<"again">
    >()
  })

  test("a join at the start of a flow", () => {
    pipe(
      flow("Empty"),
      // @ts-expect-error: nothing to close
      join("j")
    )
  })
})
