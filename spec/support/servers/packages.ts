/**
 * The Debian packages a test server needs: found by their binaries on PATH (as `command -v` would, without
 * starting anything), installed with apt-get when missing and we are root, otherwise a failure that gives the one
 * command to run.
 */
import { execFile } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { delimiter, join } from "node:path"
import { promisify } from "node:util"

/** A server's binaries, each with the Debian package that ships it. */
export interface ServerPackages {
  /** Who needs them, for messages: "the S3 tests (Ceph radosgw)". */
  readonly neededBy: string
  readonly binaries: Readonly<Record<string, string>>
}

/** Ceph: one monitor, one OSD, the gateway, and the `ceph`/`radosgw-admin`/`monmaptool` tools. */
export const cephPackages: ServerPackages = {
  neededBy: "the S3 tests (Ceph radosgw)",
  binaries: {
    "ceph-mon": "ceph-mon",
    monmaptool: "ceph-mon", // in ceph-base, which ceph-mon depends on
    "ceph-osd": "ceph-osd",
    radosgw: "radosgw",
    ceph: "ceph-common",
    "radosgw-admin": "ceph-common"
  }
}

/** redis-server (its readiness is probed with bash's /dev/tcp: no redis-cli needed). */
export const redisPackages: ServerPackages = {
  neededBy: "the Redis tests (redis-server)",
  binaries: { "redis-server": "redis-server" }
}

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Whether `binary` is an executable file in a directory of `path` (a PATH value). */
export const onPath = (binary: string, path: string): boolean =>
  path.split(delimiter).some((dir) => dir !== "" && isExecutable(join(dir, binary)))

/** The install command, as one line a person can paste. */
export const installCommand = (packages: ReadonlyArray<string>): string =>
  `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(" ")}`

// Waits for the dpkg lock instead of failing when another install (another test run, unattended upgrades) holds it.
const lockTimeout = ["-o", "DPkg::Lock::Timeout=600"]

const aptGetInstall = async (packages: ReadonlyArray<string>): Promise<void> => {
  const run = promisify(execFile)
  const options = { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, maxBuffer: 64 * 1024 * 1024 }
  try {
    await run("apt-get", [...lockTimeout, "update"], options)
    await run("apt-get", [...lockTimeout, "install", "-y", "--no-install-recommends", ...packages], options)
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string }
    const tail = `${stdout}${stderr}`.trim().split("\n").slice(-20).join("\n")
    throw new Error(`${installCommand(packages)} failed:\n${tail}`, { cause: error })
  }
}

/** What ensurePackages looks at and does: this machine's, unless a test says otherwise. */
export interface PackageSystem {
  readonly path: string
  readonly root: boolean
  readonly install: (packages: ReadonlyArray<string>) => Promise<void>
  readonly log: (line: string) => void
}

const thisMachine = (): PackageSystem => ({
  path: process.env["PATH"] ?? "",
  root: process.getuid?.() === 0,
  install: aptGetInstall,
  log: (line) => process.stderr.write(`${line}\n`)
})

/**
 * Makes sure every binary of `needs` is on PATH: installs the packages of the missing ones when we are root,
 * otherwise throws an error naming them and the one command to run.
 */
export const ensurePackages = async (needs: ServerPackages, system: PackageSystem = thisMachine()): Promise<void> => {
  const missingOf = () => Object.keys(needs.binaries).filter((binary) => !onPath(binary, system.path))
  const missing = missingOf()
  if (missing.length === 0) return
  const packages = [...new Set(missing.map((binary) => needs.binaries[binary] as string))]
  const what = `${needs.neededBy} need ${missing.join(", ")}, not installed`
  if (!onPath("apt-get", system.path)) {
    throw new Error(`${what}, and this machine has no apt-get: install the Debian packages ${packages.join(", ")} or their equivalents`)
  }
  if (!system.root) {
    throw new Error(`${what}. Install them once, as root:\n  sudo sh -c '${installCommand(packages)}'\n(npm test installs them itself when run as root.)`)
  }
  const started = Date.now()
  system.log(`${needs.neededBy}: installing ${packages.join(" ")} with apt-get...`)
  await system.install(packages)
  const stillMissing = missingOf()
  if (stillMissing.length > 0) {
    throw new Error(`${needs.neededBy}: ${installCommand(packages)} succeeded, but ${stillMissing.join(", ")} is still not on PATH (${system.path})`)
  }
  system.log(`${needs.neededBy}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
