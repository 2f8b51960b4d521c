/**
 * The message writers (DESIGN.md §3.10): every compile-time message starts with `artiflow:`, names the rule,
 * the step or artifact and the fix, and the function the runtime calls returns exactly the type the
 * compiler reports. The other files compare the reported types with these templates.
 */
import { describe, expectTypeOf, test } from "vitest"
import * as m from "../../lib/types/messages.js"

describe("message writers return their exact text as a literal type", () => {
  test("names and order", () => {
    expectTypeOf(m.duplicateStep("fit")).toEqualTypeOf<
      "artiflow: duplicate step name 'fit': step names must be unique in a flow (rename one of them)"
    >()
    expectTypeOf(m.invalidName("step", "_x")).toEqualTypeOf<
      "artiflow: step name '_x' is invalid: use letters, digits, '_' and '-', starting with a letter or digit"
    >()
    expectTypeOf(m.invalidParamName("learning-rate")).toEqualTypeOf<
      "artiflow: parameter name 'learning-rate' is invalid: use letters, digits and '_', starting with a letter"
    >()
    expectTypeOf(m.stageAfterOpen("step 'fit'", "split")).toEqualTypeOf<
      "artiflow: step 'fit' directly after split: close the split with join(name) first"
    >()
    expectTypeOf(m.runOpen("Train", "foreach")).toEqualTypeOf<
      "artiflow: flow 'Train' ends with an open foreach: close it with join(name) before running the flow"
    >()
    expectTypeOf(m.joinWithoutOpen("merge")).toEqualTypeOf<
      "artiflow: join 'merge' has nothing to close: a join must follow a split or a foreach"
    >()
  })

  test("records and values", () => {
    expectTypeOf(m.paramWrite("fit", "lr")).toEqualTypeOf<
      "artiflow: step 'fit' writes parameter 'lr': parameters and included files are read-only (return a new artifact name instead)"
    >()
    expectTypeOf(m.notStorable("fit", "model", "a function")).toEqualTypeOf<
      "artiflow: step 'fit': artifact 'model' is not storable (a function): return data, not functions, symbols or promises"
    >()
  })

  test("foreach", () => {
    expectTypeOf(m.foreachMissing("grid")).toEqualTypeOf<
      "artiflow: foreach over 'grid': no artifact named 'grid' is available here"
    >()
    expectTypeOf(m.foreachNotArray("seed")).toEqualTypeOf<
      "artiflow: foreach over 'seed': artifact 'seed' is not an array (foreach needs an array artifact)"
    >()
    expectTypeOf(m.bodyOpen("grid", "split")).toEqualTypeOf<
      "artiflow: foreach over 'grid': its body ends with an open split: close it with join(name) inside the body"
    >()
    expectTypeOf(m.equalNotWritten("pick", "seed")).toEqualTypeOf<
      "artiflow: join 'pick': 'seed' is not written in the foreach body: remove it from equal"
    >()
    expectTypeOf(m.splitOptionInForeachJoin("pick", "take")).toEqualTypeOf<
      "artiflow: join 'pick' closes a foreach: 'take' is only for split joins (use equal, or return the artifact from the join function)"
    >()
  })

  test("split", () => {
    expectTypeOf(m.branchOpen("left", "foreach")).toEqualTypeOf<
      "artiflow: split branch 'left' ends with an open foreach: close it with join(name) inside the branch"
    >()
    expectTypeOf(m.emptySplit()).toEqualTypeOf<"artiflow: split needs at least one branch">()
    expectTypeOf(m.conflictUnhandled("merge", "x")).toEqualTypeOf<
      "artiflow: join 'merge': conflicting artifact 'x' must be handled (resolve | take | exclude | equal)"
    >()
    expectTypeOf(m.notAConflict("merge", "y", "exclude")).toEqualTypeOf<
      "artiflow: join 'merge': 'y' is not a conflict: remove it from exclude"
    >()
    expectTypeOf(m.unknownBranch("merge", "x", "middle")).toEqualTypeOf<
      "artiflow: join 'merge': take 'x' names branch 'middle', which this split does not have"
    >()
  })

  test("subflows", () => {
    expectTypeOf(m.subflowNeeds("xs")).toEqualTypeOf<
      "artiflow: use of a subflow: artifact 'xs' it needs is not available here (or has another type)"
    >()
    expectTypeOf(m.subflowOpen("split")).toEqualTypeOf<
      "artiflow: use of a subflow: it ends with an open split: close it with join(name) inside the subflow"
    >()
  })
})

describe("choose and loop", () => {
  test("choose", () => {
    expectTypeOf(m.chooseMissing("size")).toEqualTypeOf<"artiflow: choose on 'size': no artifact named 'size' is available here">()
    expectTypeOf(m.chooseWide("size")).toEqualTypeOf<
      "artiflow: choose on 'size': artifact 'size' must be a union of string, number or boolean literals: give it literal values ('as const') or add a step that maps it to one"
    >()
    expectTypeOf(m.caseMissing("size", "medium")).toEqualTypeOf<
      "artiflow: choose on 'size': value 'medium' has no case: add a case 'medium'"
    >()
    expectTypeOf(m.caseImpossible("size", "huge")).toEqualTypeOf<
      "artiflow: choose on 'size': case 'huge' can never be taken: 'size' cannot hold that value (remove the case)"
    >()
    expectTypeOf(m.caseOpen("size", "big", "split")).toEqualTypeOf<
      "artiflow: choose on 'size': case 'big' ends with an open split: close it with join(name) inside the case"
    >()
    expectTypeOf(m.emptyChoose("size")).toEqualTypeOf<"artiflow: choose on 'size' needs at least one case">()
    expectTypeOf(m.joinAfterChoose("merge", "size")).toEqualTypeOf<
      "artiflow: join 'merge' directly after choose on 'size': a choose needs no join (exactly one case runs, and the record after it holds what that case wrote)"
    >()
    expectTypeOf(m.chooseUnchecked("size")).toEqualTypeOf<
      "artiflow: choose on 'size' has errors (see its selector): fix them before running the flow"
    >()
  })

  test("a union of missing values gives one message per value", () => {
    expectTypeOf<m.CaseMissing<"c", "a" | "b">>().toEqualTypeOf<
      "artiflow: choose on 'c': value 'a' has no case: add a case 'a'" | "artiflow: choose on 'c': value 'b' has no case: add a case 'b'"
    >()
  })

  test("loop", () => {
    expectTypeOf(m.loopBodyOpen("fit", "foreach")).toEqualTypeOf<
      "artiflow: loop 'fit': its body ends with an open foreach: close it with join(name) inside the body"
    >()
    expectTypeOf(m.loopTypeChangedText("fit", "w")).toEqualTypeOf<
      "artiflow: loop 'fit': artifact 'w' must keep a type assignable to its type before the loop (the next iteration reads it with that type)"
    >()
    expectTypeOf(m.loopRemoves("fit", "loss")).toEqualTypeOf<
      "artiflow: loop 'fit': artifact 'loss' exists before the loop but not at the end of its body, so the next iteration could not read it (keep it in the body)"
    >()
  })
})

test("the template types and the writers agree", () => {
  expectTypeOf<m.DuplicateStep<"a">>().toEqualTypeOf(m.duplicateStep("a"))
  expectTypeOf<m.ConflictUnhandled<"j", "k">>().toEqualTypeOf(m.conflictUnhandled("j", "k"))
  expectTypeOf<m.NotStorable<"s", "k", "a symbol">>().toEqualTypeOf(m.notStorable("s", "k", "a symbol"))
  expectTypeOf<m.SubflowNeeds<"k">>().toEqualTypeOf(m.subflowNeeds("k"))
  expectTypeOf<m.CaseMissing<"s", "v">>().toEqualTypeOf(m.caseMissing("s", "v"))
  expectTypeOf<m.ChooseWide<"s">>().toEqualTypeOf(m.chooseWide("s"))
  expectTypeOf<m.LoopBodyOpen<"l", "split">>().toEqualTypeOf(m.loopBodyOpen("l", "split"))
})

test("every message starts with the ASCII prefix 'artiflow: '", () => {
  type Messages =
    | m.DuplicateStep<string>
    | m.InvalidName<string, string>
    | m.StageAfterOpen<string, string>
    | m.RunOpen<string, string>
    | m.ParamWrite<string, string>
    | m.NotStorable<string, string, m.NotStorableWhat>
    | m.ForeachMissing<string>
    | m.ForeachNotArray<string>
    | m.BodyOpen<string, string>
    | m.BranchOpen<string, string>
    | m.EmptySplit
    | m.JoinWithoutOpen<string>
    | m.ConflictUnhandled<string, string>
    | m.NotAConflict<string, string, string>
    | m.EqualNotWritten<string, string>
    | m.SplitOptionInForeachJoin<string, string>
    | m.UnknownBranch<string, string, string>
    | m.SubflowNeeds<string>
    | m.SubflowOpen<string>
    | m.ChooseMissing<string>
    | m.ChooseWide<string>
    | m.CaseMissing<string, string>
    | m.CaseImpossible<string, string>
    | m.CaseOpen<string, string, string>
    | m.EmptyChoose<string>
    | m.ChooseUnchecked<string>
    | m.JoinAfterChoose<string, string>
    | m.LoopBodyOpen<string, string>
    | m.LoopTypeChangedText<string, string>
    | m.LoopRemoves<string, string>
  expectTypeOf<Messages>().toExtend<`artiflow: ${string}`>()
})
