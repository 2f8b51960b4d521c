/**
 * `artiflow spin` of one small foreach task of a 10,000-task run, timed from process start to printed output
 * (the edit-and-spin loop of debugging a step), next to Node's own start-up (`node -e 0`) measured alternately
 * in the same run. The CLI is the built one (dist/, made by `npm run build` when missing), the flow file a
 * TypeScript file loaded as users' are. Target: at most 3x Node's start-up.
 */
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { localStore, run } from "artiflow"
import { Spun } from "./fixtures/spun.js"
import type { Figure } from "./measure.js"
import { bytesUnder, megabytes, ms, ratio, sideBySide, withTempDir } from "./measure.js"

const exec = promisify(execFile)
const root = fileURLToPath(new URL("../..", import.meta.url))
const cli = join(root, "dist/cli/main.js")
const flowFile = fileURLToPath(new URL("./fixtures/spun.ts", import.meta.url))

/** How many times Node's start-up the spin may take. */
const TARGET_RATIO = 3

export const measureSpin = async (repetitions: number): Promise<ReadonlyArray<Figure>> => {
  if (!existsSync(join(root, "dist/cli/commands/spin.js"))) await exec("npm", ["run", "build"], { cwd: root })
  return withTempDir(async (dir) => {
    const store = join(dir, "store")
    const origin = await run(Spun, { store: localStore(store), log: () => {} })
    const tasks = (await localStore(store).readManifests("Spun", origin.runId)).length
    const task = "5000"
    const spinning = async (): Promise<void> => {
      const { stdout } = await exec(process.execPath, [cli, "spin", flowFile, "work", "--task", task, "--store", store], { cwd: root })
      if (!stdout.includes(`spin of work/${task} `) || !/^ {2}square +25000001 +25000001$/m.test(stdout)) {
        throw new Error(`artiflow spin printed something else:\n${stdout}`)
      }
    }
    const bare = async (): Promise<void> => void (await exec(process.execPath, ["-e", "0"]))
    // Once each, unmeasured: the TypeScript loader compiles the flow file into its cache on first use.
    await spinning()
    await bare()
    const times = await sideBySide(repetitions, spinning, bare)
    const measured = times.ours / times.baseline
    const stored = await bytesUnder(store)
    return [
      {
        name: `artiflow spin of one task (fresh process), run of ${tasks.toLocaleString("en-US")} tasks`,
        ours: ms(times.ours),
        baseline: `${ms(times.baseline)} node -e 0`,
        ratio: ratio(measured),
        target: `<= ${TARGET_RATIO}x node -e 0`,
        stored: megabytes(stored),
        met: measured <= TARGET_RATIO,
        measured: { ms: times.ours, nodeStartMs: times.baseline, ratio: measured, tasks, storedBytes: stored }
      }
    ]
  })
}
