/**
 * The read side: opening the latest run of a flow with 10,000 tasks and reading one small artifact of one of
 * its foreach tasks in a fresh Node process (the way a script or a CLI command does), next to Node's own
 * start-up measured alternately in the same run; and listing a flow's runs on a store holding 1,000 runs.
 * The fresh process uses the built package (dist/, made by `npm run build`) through `artiflow/client`.
 */
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Client, flow, foreach, join as joinStep, localStore, run, step } from "artiflow"
import type { Figure } from "./measure.js"
import { bytesUnder, median, megabytes, ms, timed, withTempDir } from "./measure.js"

const exec = promisify(execFile)
const root = fileURLToPath(new URL("../..", import.meta.url))
const quiet = { log: () => {} }

const Small = flow("Small").pipe(
  step("start", () => ({ x: 1, label: "hello" })),
  step("end", (a) => ({ z: a.x + 1 }))
)

const Wide = (items: number) =>
  flow("Wide").pipe(
    step("start", () => ({ items: Array.from({ length: items }, (_, i) => i) })),
    foreach("items", step("work", (_a, ctx) => ({ square: ctx.input * ctx.input }))),
    joinStep("sum", (inputs) => ({ total: inputs.reduce((sum, input) => sum + input.square, 0) }))
  )

/** The fresh process: open the latest run, find one foreach task, read its artifact. */
const reader = (storeDir: string, taskIndex: number): string => `
const started = performance.now()
const { Client, localStore } = await import(${JSON.stringify(join(root, "dist/client/index.js"))})
const latest = await Client.open(localStore(${JSON.stringify(storeDir)})).run("Wide")
const task = (await latest.step("work").tasks())[${taskIndex}]
if ((await task.artifact("square")) !== ${taskIndex * taskIndex}) throw new Error("wrong artifact")
process.stdout.write(String(performance.now() - started))
`

const freshProcess = async (repetitions: number, items: number): Promise<ReadonlyArray<Figure>> => {
  if (!existsSync(join(root, "dist/client/index.js"))) await exec("npm", ["run", "build"], { cwd: root })
  return withTempDir(async (dir) => {
    const store = join(dir, "store")
    await run(Wide(items), { store: localStore(store), ...quiet })
    const script = join(dir, "read.mjs")
    await writeFile(script, reader(store, Math.floor(items / 2)))
    const inside: Array<number> = []
    const wall: Array<number> = []
    const bare: Array<number> = []
    for (let i = 0; i < repetitions; i++) {
      bare.push(await timed(() => exec(process.execPath, ["-e", "0"])))
      let printed = ""
      wall.push(await timed(async () => void ({ stdout: printed } = await exec(process.execPath, [script]))))
      inside.push(Number(printed))
    }
    const stored = await bytesUnder(store)
    return [
      {
        name: `fresh process: read one task's artifact, run of ${(items + 2).toLocaleString("en-US")} tasks`,
        ours: `${ms(median(inside))} in the process (${ms(median(wall))} with Node's start-up)`,
        baseline: `${ms(median(bare))} node -e 0`,
        ratio: `${(median(wall) / median(bare)).toFixed(2)}x`,
        target: "< 150 ms",
        stored: megabytes(stored),
        met: median(inside) < 150,
        measured: { ms: median(inside), wallMs: median(wall), nodeStartMs: median(bare), tasks: items + 2, storedBytes: stored }
      }
    ]
  })
}

const listRuns = async (runs: number, repetitions: number): Promise<ReadonlyArray<Figure>> =>
  withTempDir(async (dir) => {
    const store = localStore(dir)
    for (let i = 0; i < runs; i++) await run(Small, { store, ...quiet })
    const times: Array<number> = []
    for (let i = 0; i < repetitions; i++) {
      times.push(
        await timed(async () => {
          const listed = await Client.open(localStore(dir)).runs("Small")
          if (listed.length !== runs) throw new Error(`listed ${listed.length} runs`)
        })
      )
    }
    return [
      {
        name: `client.runs() on a store of ${runs} runs`,
        ours: ms(median(times)),
        baseline: "",
        ratio: "",
        target: "< 300 ms",
        stored: "",
        met: median(times) < 300,
        measured: { ms: median(times), runs }
      }
    ]
  })

export const measureClient = async (repetitions: number): Promise<ReadonlyArray<Figure>> => [
  ...(await freshProcess(repetitions + 2, 10_000)),
  ...(await listRuns(1000, repetitions))
]
