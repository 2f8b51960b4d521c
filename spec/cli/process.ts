/**
 * Runs the compiled CLI (`dist/cli/main.js`, built by spec/globalSetup.ts) in a child process, as users run
 * it: with the repository as working directory (so fixture files import "artiflow" through the package's
 * exports map), a temp `ARTIFLOW_HOME`, and pipes (not a terminal) for stdout and stderr.
 */
import { execFile, spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../..", import.meta.url))

/** What a CLI invocation did. */
export interface Outcome {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const main = join(root, "dist/cli/main.js")

const environment = (env: Readonly<Record<string, string>>): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "",
  HOME: process.env["HOME"] ?? "",
  TMPDIR: tmpdir(),
  NO_COLOR: "1",
  ...env
})

/** Runs `artiflow ...args` with `env` added to a minimal environment, in `cwd` (default: the repository). */
export const artiflow = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
  cwd: string = root
): Promise<Outcome> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      { cwd, env: environment(env), maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      }
    )
  })

/**
 * Runs `artiflow ...args` and sends it SIGINT once its stderr contains `when` (e.g. a progress line, so the
 * flow is known to be running).
 */
export const interrupted = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>, when: string): Promise<Outcome> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { cwd: root, env: environment(env) })
    let stdout = ""
    let stderr = ""
    let sent = false
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      if (!sent && stderr.includes(when)) {
        sent = true
        child.kill("SIGINT")
      }
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })

/** A temp directory for a store or files; `remove()` deletes it. */
export const tempHome = async (): Promise<{ readonly dir: string; remove(): Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), "artiflow-cli-"))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** The run id the CLI printed: "run <id> of <Flow> started". */
export const startedRunId = (stdout: string): string => {
  const match = /^run (\S+) of \S+ started/m.exec(stdout)
  if (match?.[1] === undefined) throw new Error(`no run id in:\n${stdout}`)
  return match[1]
}

export const fixture = (name: string): string => `spec/cli/fixtures/${name}.ts`
