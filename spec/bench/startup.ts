/**
 * What a user waits for at the command line: `npx artiflow run` of a 3-step flow file in a project that
 * installed the packed package, from a fresh process, next to `npx tsx` running the same three steps as plain
 * functions without artiflow, alternating which goes first. Both pay for npx and for compiling TypeScript; the
 * difference is artiflow's own start-up, the run's bookkeeping and its writes to the local store.
 */
import { createProject, exec, packWorkspace } from "../consumer/project.js"
import type { Figure } from "./measure.js"
import { median, ms } from "./measure.js"

const FLOW = `import { pipe } from "fp-ts/lib/function.js"
import { flow, step } from "artiflow"

export const Three = pipe(
  flow("Three"),
  step("start", () => ({ x: 1 })),
  step("middle", (a) => ({ y: a.x + 1 })),
  step("end", (a) => ({ z: a.y * 2 }))
)
`

const PLAIN = `const start = () => ({ x: 1 })
const middle = (a: { readonly x: number }) => ({ y: a.x + 1 })
const end = (a: { readonly y: number }) => ({ z: a.y * 2 })

console.log(end(middle(start())))
`

const TARGET = 1.5

/** Wall time of one command in the project, failing loudly if it fails. */
const wallTime = async (dir: string, args: ReadonlyArray<string>): Promise<number> => {
  const started = performance.now()
  const result = await exec(dir, "npx", args)
  if (result.code !== 0) throw new Error(`npx ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`)
  return performance.now() - started
}

export const measureStartup = async (repetitions: number): Promise<ReadonlyArray<Figure>> => {
  const workspace = await packWorkspace()
  try {
    const dir = await createProject(workspace, {
      name: "startup",
      type: "commonjs",
      typescript: "7.0.2",
      compilerOptions: { strict: true, module: "nodenext", noEmit: true },
      files: { "three.ts": FLOW, "plain.ts": PLAIN },
      include: ["*.ts"]
    })
    // Warm both (npx's lookups, tsx's compile cache, the page cache) before timing.
    await wallTime(dir, ["artiflow", "run", "three.ts"])
    await wallTime(dir, ["tsx", "plain.ts"])
    const ours: Array<number> = []
    const baseline: Array<number> = []
    for (let rep = 0; rep < repetitions; rep++) {
      const pair = [() => wallTime(dir, ["artiflow", "run", "three.ts"]), () => wallTime(dir, ["tsx", "plain.ts"])] as const
      if (rep % 2 === 0) {
        ours.push(await pair[0]())
        baseline.push(await pair[1]())
      } else {
        baseline.push(await pair[1]())
        ours.push(await pair[0]())
      }
    }
    const ratio = median(ours) / median(baseline)
    const bare: Array<number> = []
    for (let rep = 0; rep < repetitions; rep++) bare.push(await wallTime(dir, ["--version"]))
    return [
      {
        name: "npx artiflow run of a 3-step flow, fresh process",
        ours: ms(median(ours)),
        baseline: `${ms(median(baseline))} npx tsx, same steps without artiflow (npx alone: ${ms(median(bare))})`,
        ratio: `${ratio.toFixed(2)}x`,
        target: `≤ ${TARGET}x`,
        stored: "",
        met: ratio <= TARGET,
        measured: { ms: median(ours), tsxMs: median(baseline), npxMs: median(bare), ratio }
      }
    ]
  } finally {
    await workspace.remove()
  }
}
