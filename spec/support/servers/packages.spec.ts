/**
 * The S3 and Redis test setups find their Debian packages by the binaries on PATH, install the missing ones as
 * root, and otherwise fail with the one command to run. Here PATH is a temp directory of fake executables and
 * the install is a fake that puts binaries there (the real apt-get path was tried by hand: see README "Tests").
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { cephPackages, ensurePackages, onPath, redisPackages, type PackageSystem } from "./packages.js"

const dirs: Array<string> = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** A PATH directory holding executables named `binaries`. */
const pathWith = (...binaries: ReadonlyArray<string>): string => {
  const dir = mkdtempSync(join(tmpdir(), "artiflow-path-"))
  dirs.push(dir)
  for (const binary of binaries) addBinary(dir, binary)
  return dir
}

const addBinary = (dir: string, binary: string): void => {
  writeFileSync(join(dir, binary), "#!/bin/sh\n")
  chmodSync(join(dir, binary), 0o755)
}

const system = (path: string, root: boolean, install: PackageSystem["install"] = async () => {}) => {
  const log: Array<string> = []
  const installs: Array<ReadonlyArray<string>> = []
  const value: PackageSystem = {
    path,
    root,
    install: async (packages) => {
      installs.push(packages)
      await install(packages)
    },
    log: (line) => log.push(line)
  }
  return { value, log, installs }
}

const allCeph = Object.keys(cephPackages.binaries)

describe("ensurePackages", () => {
  it("does nothing when every binary is on PATH", async () => {
    const { value, installs } = system(pathWith(...allCeph, "apt-get"), false)
    await ensurePackages(cephPackages, value)
    expect(installs).toEqual([])
  })

  it("as root, installs the packages of the missing binaries, once each, and says so", async () => {
    const path = pathWith("ceph-mon", "ceph-osd", "apt-get")
    const { value, installs, log } = system(path, true, async () => {
      for (const binary of allCeph) addBinary(path, binary)
    })
    await ensurePackages(cephPackages, value)
    expect(installs).toEqual([["ceph-mon", "radosgw", "ceph-common"]])
    expect(log[0]).toBe("the S3 tests (Ceph radosgw): installing ceph-mon radosgw ceph-common with apt-get...")
    expect(log[1]).toMatch(/^the S3 tests \(Ceph radosgw\): installed in \d+\.\d s$/)
  })

  it("not as root, fails with the one command to run", async () => {
    const { value, installs } = system(pathWith("apt-get"), false)
    await expect(ensurePackages(redisPackages, value)).rejects.toThrow(
      "the Redis tests (redis-server) need redis-server, not installed. Install them once, as root:\n" +
        "  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server'\n" +
        "(npm test installs them itself when run as root.)"
    )
    expect(installs).toEqual([])
  })

  it("without apt-get, names the Debian packages", async () => {
    const { value } = system(pathWith(), true)
    await expect(ensurePackages(cephPackages, value)).rejects.toThrow(
      "the S3 tests (Ceph radosgw) need ceph-mon, monmaptool, ceph-osd, radosgw, ceph, radosgw-admin, not installed, and this machine has no apt-get: install the Debian packages ceph-mon, ceph-osd, radosgw, ceph-common or their equivalents"
    )
  })

  it("fails, naming them, when binaries are still missing after the install", async () => {
    const path = pathWith("apt-get")
    const { value } = system(path, true)
    await expect(ensurePackages(redisPackages, value)).rejects.toThrow(
      `the Redis tests (redis-server): apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server succeeded, but redis-server is still not on PATH (${path})`
    )
  })

  it("looks for executables only, in every directory of PATH", () => {
    const [first, second] = [pathWith(), pathWith("redis-server")]
    writeFileSync(join(first as string, "not-executable"), "")
    expect(onPath("redis-server", `${first}:${second}`)).toBe(true)
    expect(onPath("not-executable", `${first}:${second}`)).toBe(false)
    expect(onPath("redis-server", "")).toBe(false)
  })
})
