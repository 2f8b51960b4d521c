/** DESIGN.md §9 at the type level: the step `cache` option, the run's cache mode, lineage and cachedFrom on tasks. */
import { pipe } from "fp-ts/lib/function.js"
import { describe, expectTypeOf, test } from "vitest"
import { Client, flow, foreach, join, resume, run, step } from "../../lib/index.js"
import type { ArtifactRead, LineageNode, Producer, RunResult, TaskHandle } from "../../lib/index.js"

const Cached = pipe(
  flow("Cached"),
  step("start", () => ({ xs: [1, 2], n: 1 }), { cache: true }),
  foreach("xs", step("body", (a, ctx) => ({ y: ctx.input + a.n }), { cache: { version: "2" }, retry: 1 })),
  join("gather", (inputs) => ({ ys: inputs.map((i) => i.y) }))
)

describe("the cache option", () => {
  test("steps take cache: true, false or { version: string }; the record's types do not change", async () => {
    const result = await run(Cached, { cache: "use" })
    expectTypeOf(result.artifacts.ys).toEqualTypeOf<Array<number>>()
    expectTypeOf(result.cachedTasks).toEqualTypeOf<number | undefined>()
    expectTypeOf(result).toMatchTypeOf<RunResult<unknown>>()
    void pipe(flow("Off"), step("start", () => ({ x: 1 }), { cache: false }))
    void pipe(flow("Empty"), step("start", () => ({ x: 1 }), { cache: {} }))
  })

  test("a version that is not a string, or another value, is a compile error", () => {
    // @ts-expect-error: cache.version must be a string
    void pipe(flow("Bad"), step("start", () => ({ x: 1 }), { cache: { version: 2 } }))
    // @ts-expect-error: cache is true, false or { version: string }
    void pipe(flow("Bad"), step("start", () => ({ x: 1 }), { cache: "yes" }))
  })

  test("a join takes no cache option", () => {
    void pipe(
      flow("J"),
      step("start", () => ({ xs: [1] })),
      foreach("xs", step("body", () => ({ y: 1 }))),
      // @ts-expect-error: joins are never cached
      join("gather", { cache: true }, () => ({}))
    )
  })

  test("run and resume take cache modes use, refresh and off, and nothing else", () => {
    void run(Cached, { cache: "refresh" })
    void resume(Cached, { cache: "off" })
    // @ts-expect-error: 'yes' is not a cache mode
    void run(Cached, { cache: "yes" })
    // @ts-expect-error: the mode is a string, not a boolean
    void resume(Cached, { cache: true })
  })
})

describe("lineage on task handles", () => {
  test("reads(), lineage(name, { depth }) and cachedFrom", async () => {
    const task: TaskHandle = await (await Client.open().run("Cached")).step("body").task("0")
    expectTypeOf(task.reads()).toEqualTypeOf<Promise<ReadonlyArray<ArtifactRead>>>()
    const [read] = await task.reads()
    expectTypeOf(read?.producer).toEqualTypeOf<Producer | undefined>()
    expectTypeOf<Producer>().toEqualTypeOf<{ readonly runId: string; readonly step: string; readonly taskId: string }>()
    expectTypeOf(task.lineage("y", { depth: 2 })).toEqualTypeOf<Promise<LineageNode>>()
    const tree = await task.lineage("y")
    expectTypeOf(tree.step).toEqualTypeOf<string>()
    expectTypeOf(tree.reads[0]?.lineage).toEqualTypeOf<LineageNode | undefined>()
    expectTypeOf(task.cachedFrom).toEqualTypeOf<{ readonly runId: string; readonly taskId: string } | undefined>()
    // @ts-expect-error: depth is a number
    void task.lineage("y", { depth: "2" })
  })
})
