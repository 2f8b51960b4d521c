/**
 * How long both compilers take to check the generated 300-step flow (splits, foreaches, about two artifacts
 * per step), with instantiation counts so that regressions show. Medians of three runs each; the fixture is
 * written to spec/types/generated (ignored by git). `npm run bench:types` runs only this group.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { writeFixture } from "../types/fixture/write.js"
import type { Figure } from "./measure.js"
import { median } from "./measure.js"

const exec = promisify(execFile)
const root = fileURLToPath(new URL("../..", import.meta.url))

const compilers = [
  { name: "TypeScript 7", bin: `${root}node_modules/.bin/tsc`, targetSeconds: 5 },
  { name: "TypeScript 5.9", bin: `${root}spec/compilers/ts5.9/node_modules/.bin/tsc`, targetSeconds: 12 }
] as const

/** A number from tsc's `--extendedDiagnostics` output, e.g. "Check time: 1.84s". */
const diagnostic = (output: string, label: string): number => {
  const match = new RegExp(`^${label}:\\s+([\\d.]+)`, "m").exec(output)
  return Number(match?.[1] ?? Number.NaN)
}

export const measureTypeChecking = async (steps: number, runs: number): Promise<ReadonlyArray<Figure>> => {
  const project = await writeFixture(steps)
  const figures: Array<Figure> = []
  for (const compiler of compilers) {
    const checks: Array<number> = []
    const totals: Array<number> = []
    let instantiations = Number.NaN
    let errors = ""
    for (let i = 0; i < runs; i++) {
      const { stdout } = await exec(compiler.bin, ["-p", project, "--extendedDiagnostics", "--pretty", "false"], {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024
      }).catch((error: { stdout?: string }) => ({ stdout: String(error.stdout ?? "") }))
      errors = stdout.split("\n").filter((line) => line.includes("error TS")).slice(0, 3).join("\n")
      checks.push(diagnostic(stdout, "Check time"))
      totals.push(diagnostic(stdout, "Total time"))
      instantiations = diagnostic(stdout, "Instantiations")
    }
    if (errors !== "") console.log(`${compiler.name} reported errors on the ${steps}-step fixture:\n${errors}`)
    const check = median(checks)
    figures.push({
      name: `${compiler.name}: check ${steps}-step flow`,
      ours: `check ${check.toFixed(2)} s, total ${median(totals).toFixed(2)} s`,
      baseline: `${instantiations.toLocaleString("en-US")} instantiations`,
      ratio: "",
      target: `<= ${compiler.targetSeconds} s, no error`,
      stored: "",
      met: errors === "" && check <= compiler.targetSeconds,
      measured: { checkSeconds: check, totalSeconds: median(totals), instantiations }
    })
  }
  return figures
}
