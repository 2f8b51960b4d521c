/** Graphs the renderer tests share: the README's Train flow, a two-step flow, and hand-written edge cases. */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describeFlow, flow, foreach, join, param, split, step } from "../../lib/index.js"
import type { FlowGraph } from "../../lib/index.js"
import type { StepStatus } from "../../lib/report/status.js"

/** The README's flow: a foreach, a split with a two-step branch, a join that resolves a conflict. */
export const Train = pipe(
  flow("Train", { params: { lr: param(t.number, { default: 0.1, help: "learning rate" }), tag: param(t.string) } }),
  step("start", (a) => ({ grid: [a.lr, a.lr / 10, a.lr / 100], seed: 42 })),
  foreach(
    "grid",
    step("fit", (a, ctx) => ({ score: ctx.input * a.seed, _scratch: 1 }))
  ),
  join("pick", (inputs) => ({ best: Math.max(...inputs.map((i) => i.score)) })),
  split({
    left: step("l", (a) => ({ x: a.best + 1, onlyLeft: "L" })),
    right: (f) =>
      pipe(
        f,
        step("r1", (a) => ({ x: a.best + 2 })),
        step("r2", (a) => ({ y: a.x }))
      )
  }),
  join("merge", { resolve: { x: (xs) => xs.left + xs.right } }),
  step("end", (a) => ({ done: a.x + a.y + a.onlyLeft.length }))
)

export const trainGraph: FlowGraph = describeFlow(Train)

/** A status for every step of Train, as a finished run would have it. */
export const trainStatus: ReadonlyMap<string, StepStatus> = new Map<string, StepStatus>([
  ["start", { state: "succeeded", tasks: 1, durationMs: 12 }],
  ["fit", { state: "succeeded", tasks: 3, durationMs: 1234 }],
  ["pick", { state: "succeeded", tasks: 1, durationMs: 5 }],
  ["l", { state: "failed", tasks: 1, durationMs: 800 }],
  ["r1", { state: "cloned", tasks: 1, durationMs: 61_000 }],
  ["r2", { state: "running", tasks: 1 }],
  ["merge", { state: "not run", tasks: 0 }],
  ["end", { state: "not run", tasks: 0 }]
])

/** Two steps in a row. */
export const twoSteps: FlowGraph = {
  nodes: [
    { kind: "step", name: "a", options: {} },
    { kind: "step", name: "b", options: { retry: 2 } }
  ]
}

/** Hostile user data where the graph can hold it: a foreach's artifact name is any string. */
export const HOSTILE = `<img src=x onerror="alert(1)">&'#`

/** A foreach over a hostile artifact name whose body holds a split with an empty branch; join rules of every kind. */
export const edgeGraph: FlowGraph = {
  nodes: [
    {
      kind: "foreach",
      artifact: HOSTILE,
      body: [
        {
          kind: "split",
          branches: [
            { name: "empty", nodes: [] },
            { name: "full", nodes: [{ kind: "step", name: "work", options: { catch: "err", timeout: 500 } }] }
          ],
          join: {
            name: "inner",
            resolve: ["a", "b"],
            take: { c: "full" },
            exclude: ["d"],
            equal: ["e"],
            hasFunction: false
          }
        }
      ],
      join: { name: "outer", retry: 1, hasFunction: true }
    }
  ]
}
