/**
 * The shape rules of a flow at build time: nothing but a join right after an open split or foreach, a join
 * needs something to close, branches, bodies and subflows end closed, a split has branches.
 */
import { describe, test } from "vitest"
import {
  bodyOpen,
  branchOpen,
  emptySplit,
  joinWithoutOpen,
  stageAfterOpen,
  subflowOpen
} from "../../lib/types/messages.js"
import { build, expectDefinitionError, js, s } from "./helpers.js"

const start = () => build(js.flow("F"), js.step("start", () => ({ xs: [1, 2] })))
const openSplit = () => build(start(), js.split({ l: s("l"), r: s("r") }))
const openForeach = () => build(start(), js.foreach("xs", s("each")))
const fragment = () => js.subflow()((f: never) => build(f, s("inner")))

describe("a stage directly after an open split or foreach (stageAfterOpen)", () => {
  const opens = [
    ["split", openSplit],
    ["foreach", openForeach]
  ] as const

  describe.each(opens)("after an open %s", (open, make) => {
    test("a step", () => {
      expectDefinitionError(() => build(make(), s("next")), stageAfterOpen("step 'next'", open))
    })

    test("a split", () => {
      expectDefinitionError(() => build(make(), js.split({ a: s("a") })), stageAfterOpen("split", open))
    })

    test("a foreach", () => {
      expectDefinitionError(() => build(make(), js.foreach("xs", s("b"))), stageAfterOpen("foreach over 'xs'", open))
    })

    test("a use of a subflow", () => {
      expectDefinitionError(() => build(make(), js.use(fragment())), stageAfterOpen("use of a subflow", open))
    })

    test("a step inside seq", () => {
      expectDefinitionError(() => build(make(), js.seq(s("next"))), stageAfterOpen("step 'next'", open))
    })

    test("a step through Flow#pipe", () => {
      expectDefinitionError(() => make().pipe(s("next")), stageAfterOpen("step 'next'", open))
    })
  })

  test("inside a branch", () => {
    const branch = js.seq(js.split({ a: s("a") }), s("b"))
    expectDefinitionError(() => build(start(), js.split({ left: branch })), stageAfterOpen("step 'b'", "split"))
  })

  test("inside a foreach body", () => {
    const body = js.seq(js.foreach("xs", s("a")), s("b"))
    expectDefinitionError(() => build(start(), js.foreach("xs", body)), stageAfterOpen("step 'b'", "foreach"))
  })

  test("inside a subflow", () => {
    const open = js.subflow()((f: never) => build(f, js.split({ a: s("a") }), s("b")))
    expectDefinitionError(() => build(start(), js.use(open)), stageAfterOpen("step 'b'", "split"))
  })
})

describe("a join with nothing open (joinWithoutOpen)", () => {
  test("as the first stage", () => {
    expectDefinitionError(() => build(js.flow("F"), js.join("j")), joinWithoutOpen("j"))
  })

  test("after a step", () => {
    expectDefinitionError(() => build(start(), js.join("j")), joinWithoutOpen("j"))
  })

  test("twice in a row", () => {
    expectDefinitionError(() => build(openSplit(), js.join("j"), js.join("again")), joinWithoutOpen("again"))
  })

  test("after a foreach that is closed", () => {
    expectDefinitionError(() => build(openForeach(), js.join("gather"), js.join("again")), joinWithoutOpen("again"))
  })

  test("with options or a function, in every form", () => {
    expectDefinitionError(() => build(start(), js.join("j", { equal: [] })), joinWithoutOpen("j"))
    expectDefinitionError(() => build(start(), js.join("j", () => ({}))), joinWithoutOpen("j"))
    expectDefinitionError(() => build(start(), js.join("j", {}, () => ({}))), joinWithoutOpen("j"))
  })

  test("inside a branch, closing the split it belongs to", () => {
    expectDefinitionError(() => build(start(), js.split({ l: js.seq(s("l"), js.join("j")) })), joinWithoutOpen("j"))
  })

  test("inside a foreach body, closing the foreach it belongs to", () => {
    expectDefinitionError(() => build(start(), js.foreach("xs", js.join("j"))), joinWithoutOpen("j"))
  })

  test("as the first stage of a subflow", () => {
    const closing = js.subflow()((f: never) => build(f, js.join("j")))
    expectDefinitionError(() => build(openSplit(), js.join("m"), js.use(closing)), joinWithoutOpen("j"))
  })
})

describe("a split branch ending open (branchOpen)", () => {
  test("with a split", () => {
    const l = js.split({ a: s("a"), b: s("b") })
    expectDefinitionError(() => build(start(), js.split({ l })), branchOpen("l", "split"))
  })

  test("with a foreach", () => {
    const r = js.seq(s("r"), js.foreach("xs", s("each")))
    expectDefinitionError(() => build(start(), js.split({ l: s("l"), r })), branchOpen("r", "foreach"))
  })
})

describe("a foreach body ending open (bodyOpen)", () => {
  test("with a split", () => {
    expectDefinitionError(() => build(start(), js.foreach("xs", js.split({ a: s("a") }))), bodyOpen("xs", "split"))
  })

  test("with a foreach", () => {
    const body = js.seq(js.step("b", () => ({ ys: [1] })), js.foreach("ys", s("leaf")))
    expectDefinitionError(() => build(start(), js.foreach("xs", body)), bodyOpen("xs", "foreach"))
  })
})

describe("a subflow ending open (subflowOpen)", () => {
  test("with a split", () => {
    const open = js.subflow()((f: never) => build(f, js.split({ a: s("a") })))
    expectDefinitionError(() => build(start(), js.use(open)), subflowOpen("split"))
  })

  test("with a foreach", () => {
    const open = js.subflow()((f: never) => build(f, js.foreach("xs", s("a"))))
    expectDefinitionError(() => build(start(), js.use(open)), subflowOpen("foreach"))
  })
})

describe("an empty split (emptySplit)", () => {
  test("as soon as split({}) is called", () => {
    expectDefinitionError(() => js.split({}), emptySplit())
  })

  test("an object without own branches", () => {
    expectDefinitionError(() => js.split(Object.create({ inherited: s("a") })), emptySplit())
  })
})

describe("split takes an object of branches", () => {
  test.each([
    ["undefined", undefined],
    ["null", null],
    ["a function", s("a")],
    ["an array", [s("a"), s("b")]]
  ])("not %s", (_, branches) => {
    expectDefinitionError(
      () => js.split(branches),
      "artiflow: split takes an object of branches: split({ name: stage, ... })"
    )
  })
})
