/**
 * Consumer projects for the install tests: the package packed once with `npm pack`, then installed into fresh
 * temp directories the way a user installs it (`npm install`, from the npm cache or registry), with commands run
 * there in child processes under a minimal environment (nothing of this repository's npm scripts leaks in).
 */
import { execFile } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../..", import.meta.url))

/** What a command did. */
export interface Outcome {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A temp directory holding projects, and the packed tarball they install. */
export interface Workspace {
  readonly dir: string
  readonly tarball: string
  remove(): Promise<void>
}

const environment = (home: string): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "",
  HOME: process.env["HOME"] ?? "",
  TMPDIR: tmpdir(),
  NO_COLOR: "1",
  ARTIFLOW_HOME: home,
  // The same npm cache a user of this machine has; installs prefer it and go to the registry for the rest.
  ...(process.env["npm_config_cache"] !== undefined && { npm_config_cache: process.env["npm_config_cache"] })
})

/** Runs `command args...` in `cwd` through a shell-free exec, with artifacts stored under `cwd/.store`. */
export const exec = (cwd: string, command: string, args: ReadonlyArray<string>, timeout = 180_000): Promise<Outcome> =>
  new Promise((resolve) => {
    execFile(command, args, { cwd, env: environment(join(cwd, ".store")), timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })

/** Runs one shell command line in `cwd` (for commands copied from the README). */
export const shell = (cwd: string, line: string): Promise<Outcome> => exec(cwd, "bash", ["-c", line])

const checked = async (what: string, outcome: Promise<Outcome>): Promise<Outcome> => {
  const result = await outcome
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  return result
}

/** Packs this repository (dist/ is built by spec/globalSetup.ts) into a fresh temp directory. */
export const packWorkspace = async (): Promise<Workspace> => {
  const dir = await mkdtemp(join(tmpdir(), "artiflow-consumer-"))
  const packed = await checked("npm pack", exec(root, "npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir]))
  const name = packed.stdout.trim().split("\n").pop() ?? ""
  return { dir, tarball: join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) }
}

/** How a consumer project is set up. */
export interface ProjectSpec {
  readonly name: string
  readonly type: "module" | "commonjs"
  /** The TypeScript version it installs. */
  readonly typescript: string
  /** Its tsconfig.json compiler options. */
  readonly compilerOptions: Readonly<Record<string, unknown>>
  /** Its source files: name → text. */
  readonly files: Readonly<Record<string, string>>
  /** What its tsconfig.json includes. */
  readonly include: ReadonlyArray<string>
}

/** `npm init -y`, the package type, `npm install <tarball> fp-ts io-ts tsx typescript@<v>`, then the files. */
export const createProject = async (workspace: Workspace, spec: ProjectSpec): Promise<string> => {
  const dir = join(workspace.dir, spec.name)
  await mkdir(dir)
  await checked("npm init", exec(dir, "npm", ["init", "-y"]))
  const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Record<string, unknown>
  await writeFile(join(dir, "package.json"), JSON.stringify({ ...manifest, type: spec.type }, null, 2))
  const packages = [workspace.tarball, "fp-ts", "io-ts", "tsx", `typescript@${spec.typescript}`]
  await checked(`npm install in ${spec.name}`, exec(dir, "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...packages]))
  await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: spec.compilerOptions, include: spec.include }, null, 2))
  for (const [file, text] of Object.entries(spec.files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true })
    await writeFile(join(dir, file), text)
  }
  return dir
}
