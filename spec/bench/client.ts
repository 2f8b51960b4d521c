/**
 * The read side: opening the latest run of a flow and reading one small artifact in a fresh Node process
 * (the way a script or a CLI command does), next to Node's own start-up measured alternately in the same
 * run; and listing a flow's runs on a store holding 1,000 runs. The fresh process uses the built package
 * (dist/, made by `npm run build`) through `artiflow/client`.
 */
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Client, flow, localStore, run, step } from "artiflow"
import type { Figure } from "./measure.js"
import { median, ms, timed, withTempDir } from "./measure.js"

const exec = promisify(execFile)
const root = fileURLToPath(new URL("../..", import.meta.url))
const quiet = { log: () => {} }

const Small = flow("Small").pipe(
  step("start", () => ({ x: 1, label: "hello" })),
  step("end", (a) => ({ z: a.x + 1 }))
)

const reader = (storeDir: string): string => `
const started = performance.now()
const { Client, localStore } = await import(${JSON.stringify(join(root, "dist/client/index.js"))})
const latest = await Client.open(localStore(${JSON.stringify(storeDir)})).run("Small")
if ((await latest.artifact("z")) !== 2) throw new Error("wrong artifact")
process.stdout.write(String(performance.now() - started))
`

const freshProcess = async (repetitions: number): Promise<ReadonlyArray<Figure>> => {
  if (!existsSync(join(root, "dist/client/index.js"))) await exec("npm", ["run", "build"], { cwd: root })
  return withTempDir(async (dir) => {
    const store = join(dir, "store")
    await run(Small, { store: localStore(store), ...quiet })
    const script = join(dir, "read.mjs")
    await writeFile(script, reader(store))
    const inside: Array<number> = []
    const wall: Array<number> = []
    const bare: Array<number> = []
    for (let i = 0; i < repetitions; i++) {
      bare.push(await timed(() => exec(process.execPath, ["-e", "0"])))
      let printed = ""
      wall.push(await timed(async () => void ({ stdout: printed } = await exec(process.execPath, [script]))))
      inside.push(Number(printed))
    }
    return [
      {
        name: "fresh process: open latest run, read a small artifact",
        ours: `${ms(median(inside))} in the process (${ms(median(wall))} with Node's start-up)`,
        baseline: `${ms(median(bare))} node -e 0`,
        ratio: `${(median(wall) / median(bare)).toFixed(2)}x`,
        target: "< 150 ms",
        met: median(inside) < 150
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
        met: median(times) < 300
      }
    ]
  })

export const measureClient = async (repetitions: number): Promise<ReadonlyArray<Figure>> => [
  ...(await freshProcess(repetitions + 2)),
  ...(await listRuns(1000, repetitions))
]
