/**
 * Child processes for the crash and concurrency harnesses.
 *
 * A child under tsx costs about 0.5 s of start-up (0.7 s of CPU) before it runs a line of the flow, and the
 * crash test starts hundreds of them. So each child script is bundled once per test file with esbuild (which
 * tsx itself runs on), from the library's sources (the `artiflow-source` condition), into node_modules/.cache:
 * a child then starts in about 0.15 s. Without esbuild, children run under tsx, as spec/bench/child.ts does.
 */
import { spawn } from "node:child_process"
import { promises as fs } from "node:fs"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository: children resolve `tsx` and the library from here. */
const root = fileURLToPath(new URL("../..", import.meta.url))

/** Where the child bundles go (removed by `dispose`). */
const cacheDir = join(root, "node_modules", ".cache")

/** How a child ended. */
export interface ChildExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A running child: wait for a line it prints, write to its stdin, kill it, wait for its end. */
export interface Child {
  /** Resolves when the child has printed `line` (a whole line); rejects if it exits first. */
  waitForLine(line: string): Promise<void>
  /** Writes a line to the child's stdin. */
  send(line: string): void
  /** Sends SIGKILL (nothing happens if it has already exited). */
  kill(): void
  readonly exited: Promise<ChildExit>
}

/** Starts child scripts (paths relative to the repository) in fresh Node processes. */
export class ChildLauncher {
  private readonly commands = new Map<string, Promise<ReadonlyArray<string>>>()
  // Inside the repository's node_modules, not the system temp directory: the library `require`s the AWS SDK at
  // run time (lib/datastore/s3Api.ts), which a bundle resolves from its own location, as a user's program would.
  private readonly outDir = fs
    .mkdir(cacheDir, { recursive: true })
    .then(() => fs.mkdtemp(join(cacheDir, "artiflow-children-")))

  /** The arguments that run `script` with Node: its bundle, or tsx on the source. */
  private command(script: string): Promise<ReadonlyArray<string>> {
    let command = this.commands.get(script)
    if (command === undefined) {
      command = this.bundle(script)
      this.commands.set(script, command)
    }
    return command
  }

  private async bundle(script: string): Promise<ReadonlyArray<string>> {
    let esbuild: typeof import("esbuild")
    try {
      esbuild = await import("esbuild")
    } catch {
      return ["--conditions", "artiflow-source", "--import", "tsx", join(root, script)]
    }
    const outfile = join(await this.outDir, basename(script).replace(/\.ts$/, ".mjs"))
    await esbuild.build({
      entryPoints: [join(root, script)],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      conditions: ["artiflow-source"],
      // CommonJS packages bundled into an ES module (the AWS SDK) require Node's built-in modules at run time:
      // give the bundle the `require` an ES module lacks.
      banner: { js: 'import { createRequire as createRequireOfBundle } from "node:module"; const require = createRequireOfBundle(import.meta.url);' },
      logLevel: "silent"
    })
    return [outfile]
  }

  /** Bundles the scripts ahead of time, so that the first child's start-up is not counted as run time. */
  async prepare(...scripts: ReadonlyArray<string>): Promise<void> {
    await Promise.all(scripts.map((script) => this.command(script)))
  }

  /** Starts `script` with `args`; `env` adds to (or overrides) this process's environment. */
  async start(script: string, args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): Promise<Child> {
    const command = await this.command(script)
    const child = spawn(process.execPath, [...command, ...args], {
      cwd: root,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...env }
    })
    let stdout = ""
    let stderr = ""
    const waiters: Array<{ readonly line: string; readonly resolve: () => void }> = []
    const printed = new Set<string>()
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const before = stdout.lastIndexOf("\n") + 1
      stdout += chunk
      for (const line of stdout.slice(before).split("\n").slice(0, -1)) {
        printed.add(line)
        for (const waiter of waiters.filter((w) => w.line === line)) waiter.resolve()
      }
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    // A child killed before it reads its stdin makes writes fail with EPIPE: that is not the test's failure.
    child.stdin.on("error", () => {})
    const exited = new Promise<ChildExit>((resolve, reject) => {
      child.on("error", reject)
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    })
    return {
      waitForLine: (line) =>
        printed.has(line)
          ? Promise.resolve()
          : new Promise<void>((resolve, reject) => {
              waiters.push({ line, resolve })
              void exited.then(
                (exit) => reject(new Error(`child ${script} exited (${exit.signal ?? exit.code}) before '${line}':\n${exit.stderr}`)),
                reject
              )
            }),
      send: (line) => {
        child.stdin.write(`${line}\n`)
      },
      kill: () => {
        child.kill("SIGKILL")
      },
      exited
    }
  }

  /** Removes the bundles. */
  async dispose(): Promise<void> {
    await fs.rm(await this.outDir, { recursive: true, force: true })
  }
}

/** The JSON object a child printed as its last line. */
export const lastJson = <T>(exit: ChildExit): T => {
  const last = exit.stdout.trim().split("\n").at(-1) ?? ""
  try {
    return JSON.parse(last) as T
  } catch {
    const output = `${exit.stdout}\n${exit.stderr}`
    throw new Error(`the child printed no JSON result (exit ${exit.signal ?? exit.code}):\n${output}`)
  }
}
