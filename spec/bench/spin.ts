/**
 * `artiflow spin` of one small foreach task of a 10,000-task run, timed from process start to printed output
 * (the edit-and-spin loop of debugging a step), next to Node's own start-up (`node -e 0`) measured alternately
 * in the same run. The flow file sits in a project laid out as `npm init -y` leaves it (a CommonJS package)
 * with artiflow in its node_modules (linked to this repository, so the built dist/ loads as an install's
 * would), and the CLI runs as its `bin` entry. Target, for the flow as a `.ts` file (what the README's quick
 * start writes): at most 3x Node's start-up. The same flow as an ES module `.mts` file is printed beside it,
 * without a target: ES module TypeScript needs Node's module hooks, which Node 20 runs on a thread of their own.
 */
import { execFile } from "node:child_process"
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { localStore, run } from "artiflow"
import { Spun } from "./fixtures/spun.js"
import type { Figure } from "./measure.js"
import { bytesUnder, megabytes, ms, ratio, sideBySide, withTempDir } from "./measure.js"

const exec = promisify(execFile)
const root = fileURLToPath(new URL("../..", import.meta.url))
const fixture = fileURLToPath(new URL("./fixtures/spun.ts", import.meta.url))

/** How many times Node's start-up the spin of the `.ts` file may take. */
const TARGET_RATIO = 3

const TASK = "5000"

/** A CommonJS project (`npm init -y`'s package.json) holding the flow as `spun.ts` and `spun.mts`. */
const createProject = async (dir: string): Promise<string> => {
  const project = join(dir, "project")
  await mkdir(join(project, "node_modules"), { recursive: true })
  await symlink(root, join(project, "node_modules", "artiflow"), "dir")
  const manifest = { name: "project", version: "1.0.0", main: "index.js", license: "ISC", type: "commonjs" }
  await writeFile(join(project, "package.json"), JSON.stringify(manifest, null, 2))
  const source = await readFile(fixture, "utf8")
  for (const name of ["spun.ts", "spun.mts"]) await writeFile(join(project, name), source)
  return project
}

/** One `artiflow spin <file> work --task 5000` in the project, checked for the comparison it must print. */
const spinner = (project: string, file: string, store: string) => async (): Promise<void> => {
  const bin = join(project, "node_modules/artiflow/dist/cli/main.js")
  const { stdout } = await exec(process.execPath, [bin, "spin", file, "work", "--task", TASK, "--store", store], { cwd: project })
  if (!stdout.includes(`spin of work/${TASK} `) || !/^ {2}square +25000001 +25000001$/m.test(stdout)) {
    throw new Error(`artiflow spin ${file} printed something else:\n${stdout}`)
  }
}

const bare = async (): Promise<void> => void (await exec(process.execPath, ["-e", "0"]))

export const measureSpin = async (repetitions: number): Promise<ReadonlyArray<Figure>> => {
  // Always from the current source: a stale dist/ would time other code than the tree's.
  await exec("npm", ["run", "build"], { cwd: root })
  return withTempDir(async (dir) => {
    const store = join(dir, "store")
    const origin = await run(Spun, { store: localStore(store), log: () => {} })
    const tasks = (await localStore(store).readManifests("Spun", origin.runId)).length
    const stored = await bytesUnder(store)
    const project = await createProject(dir)
    const figure = async (file: string, target: boolean): Promise<Figure> => {
      const spinning = spinner(project, file, store)
      // Once each, unmeasured: tsx compiles the flow file into its cache on first use.
      await spinning()
      await bare()
      const times = await sideBySide(repetitions, spinning, bare)
      const measured = times.ours / times.baseline
      return {
        name: `artiflow spin of one task, flow in ${file} (fresh process), run of ${tasks.toLocaleString("en-US")} tasks`,
        ours: ms(times.ours),
        baseline: `${ms(times.baseline)} node -e 0`,
        ratio: ratio(measured),
        target: target ? `<= ${TARGET_RATIO}x node -e 0` : "(reported)",
        stored: megabytes(stored),
        met: target ? measured <= TARGET_RATIO : undefined,
        measured: { ms: times.ours, nodeStartMs: times.baseline, ratio: measured, tasks, storedBytes: stored }
      }
    }
    return [await figure("spun.ts", true), await figure("spun.mts", false)]
  })
}
