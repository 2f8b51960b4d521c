/**
 * The step cache as a property (DESIGN.md §9): random flows (a chain of steps reading random artifacts, some
 * cached, and a foreach with a cached body) run with random parameters. A run that the cache answers, after
 * runs that filled it with other parameters, leaves the same artifact hashes in every task as a run of the
 * same parameters with the cache off; and a task is answered only when everything it read is unchanged.
 * Flows are built from plain JavaScript shapes (see merge-properties.spec.ts for the pattern).
 */
import fc from "fast-check"
import { describe, expect } from "vitest"
import { Client, flow, foreach, join, memoryStore, param, run, step } from "../../lib/index.js"
import type { Datastore } from "../../lib/index.js"
import * as t from "io-ts"
import { property } from "./runs.js"

type Rec = Readonly<Record<string, unknown>>
type Stage = (flow: unknown) => unknown
type Ctx = { readonly index: number; readonly input: unknown }
type AnyRun = (flow: unknown, options: Rec) => Promise<{ readonly runId: string; readonly cachedTasks?: number }>

const js = {
  flow: flow as unknown as (name: string, options: Rec) => unknown,
  step: step as unknown as (name: string, fn: (a: Rec, ctx: Ctx) => unknown, options?: Rec) => Stage,
  foreach: foreach as unknown as (artifact: string, body: Stage) => Stage,
  join: join as unknown as (name: string, fn: (inputs: ReadonlyArray<Rec>) => unknown) => Stage,
  run: run as unknown as AnyRun
}

const NAMES = ["a", "b", "c", "d"] as const

/** One step of the chain: what it reads, what it writes, and whether it is cached. */
interface StepShape {
  readonly reads: ReadonlyArray<string>
  readonly writes: ReadonlyArray<string>
  readonly cached: boolean
}

interface FlowShape {
  readonly steps: ReadonlyArray<StepShape>
  /** The foreach body reads its element and, maybe, one artifact. */
  readonly bodyReads: ReadonlyArray<string>
  readonly bodyCached: boolean
}

const stepShape: fc.Arbitrary<StepShape> = fc.record({
  reads: fc.subarray(["p", "q", ...NAMES]),
  writes: fc.subarray([...NAMES], { minLength: 1, maxLength: 2 }),
  cached: fc.boolean()
})

const flowShape: fc.Arbitrary<FlowShape> = fc.record({
  steps: fc.array(stepShape, { minLength: 1, maxLength: 5 }),
  bodyReads: fc.subarray(["p", "q", ...NAMES], { maxLength: 2 }),
  bodyCached: fc.boolean()
})

/** The params of one run: p and q, and the foreach's items (shared elements, reordered, with duplicates). */
const runParams = fc.record({
  p: fc.integer({ min: 0, max: 2 }),
  q: fc.integer({ min: 0, max: 2 }),
  items: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 5 })
})

/** What a step writes: a function of its name and everything it read, so reads decide the outputs. */
const valueOf = (step: string, name: string, read: ReadonlyArray<unknown>): string => JSON.stringify([step, name, read])

const buildFlow = (shape: FlowShape): unknown => {
  const stages: Array<Stage> = [
    js.step("start", () => Object.fromEntries(NAMES.map((name) => [name, `${name}0`])))
  ]
  shape.steps.forEach((s, i) => {
    const name = `s${i}`
    const fn = (a: Rec): Rec => {
      const read = s.reads.map((key) => a[key])
      return Object.fromEntries(s.writes.map((w) => [w, valueOf(name, w, read)]))
    }
    stages.push(js.step(name, fn, s.cached ? { cache: true } : {}))
  })
  const body = (a: Rec, ctx: Ctx): Rec => ({ out: valueOf("body", "out", [ctx.input, ...shape.bodyReads.map((key) => a[key])]) })
  stages.push(js.foreach("items", js.step("body", body, shape.bodyCached ? { cache: true } : {})))
  stages.push(js.join("gather", (inputs) => ({ outs: inputs.map((input) => input.out) })))
  const start = js.flow("CacheProperty", {
    params: { p: param(t.number, { default: 0 }), q: param(t.number, { default: 0 }), items: param(t.array(t.number), { default: [] }) }
  })
  return stages.reduce<unknown>((acc, stage) => stage(acc), start)
}

/** Every task's artifact hashes, by "step/task". */
const hashesOf = async (store: Datastore, runId: string): Promise<Readonly<Record<string, string>>> => {
  const handle = await Client.open(store).run("CacheProperty", runId)
  const out: Record<string, string> = {}
  for (const stepHandle of handle.steps()) {
    for (const task of await stepHandle.tasks()) {
      const names = await task.artifactNames()
      const hashes = await Promise.all(names.map(async (name) => `${name}=${(await task.info(name)).hash}`))
      out[`${task.step}/${task.id}`] = hashes.join(" ")
    }
  }
  return out
}

const quiet = { log: () => {} }

describe("the step cache", () => {
  property("a cached rerun gives the same artifact hashes as an uncached run", 40, () =>
    fc.asyncProperty(flowShape, fc.array(runParams, { minLength: 1, maxLength: 4 }), fc.nat(), async (shape, paramSets, pick) => {
      const flowValue = buildFlow(shape)
      // The closures of random shapes share their source text: each case gets its own store (see docs/caching.md).
      const cachedStore = memoryStore()
      for (const params of paramSets) await js.run(flowValue, { store: cachedStore, params, ...quiet })
      // Any of the parameter sets seen: the cache then holds entries of the others too, newer or older.
      const target = paramSets[pick % paramSets.length] as Rec
      const rerun = await js.run(flowValue, { store: cachedStore, params: target, ...quiet })
      const uncachedStore = memoryStore()
      const uncached = await js.run(flowValue, { store: uncachedStore, params: target, cache: "off", ...quiet })
      expect(await hashesOf(cachedStore, rerun.runId)).toEqual(await hashesOf(uncachedStore, uncached.runId))
      // Everything cached was computed with these very parameters before: every cached task is answered.
      const cachedSteps = shape.steps.filter((s) => s.cached).length
      const items = (target.items as ReadonlyArray<number>).length
      expect(rerun.cachedTasks ?? 0).toBe(cachedSteps + (shape.bodyCached ? items : 0))
      expect(uncached.cachedTasks).toBeUndefined()
    })
  )
})
