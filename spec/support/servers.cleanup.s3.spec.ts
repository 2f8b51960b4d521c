/**
 * However a test run ends, none of its servers is left running: a vitest run of its own
 * (servers/fixture/vitest.config.ts: the S3 and Redis global setups, and a test file that starts a gateway and a
 * redis-server of its own) is ended by a failing test, by SIGINT (Ctrl-C), by SIGTERM and by SIGKILL. Then no
 * server answers on any of the run's ports, no process is left that names the run's directories, those are
 * removed, and the servers' PIDs are gone (not zombies either: the scripts that started them reaped them).
 */
import { spawn, type ChildProcess } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { fileURLToPath } from "node:url"
import { describe, expect, it, onTestFinished } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))

interface Report {
  readonly dirs: ReadonlyArray<string>
  readonly ports: ReadonlyArray<number>
  readonly serverPids: ReadonlyArray<number>
  readonly workerPid: number
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("error", () => resolve(false))
  })

/** PIDs of processes whose command line names a file under one of `dirs`. */
const processesNaming = (dirs: ReadonlyArray<string>): ReadonlyArray<string> =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")
        return dirs.some((dir) => command.includes(`${dir}/`)) ? [`${pid}: ${command}`] : []
      } catch {
        return []
      }
    })

/** Starts the fixture run; `end` is what its test does once told to go on: fail, or wait to be interrupted. */
const startRun = (report: string, end: "fail" | "wait"): { readonly run: ChildProcess; readonly output: () => string } => {
  // a vitest run of its own: none of the variables vitest sets for its workers
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST")))
  const run = spawn(
    process.execPath,
    [join(root, "node_modules/vitest/vitest.mjs"), "run", "--config", "spec/support/servers/fixture/vitest.config.ts"],
    { cwd: root, env: { ...env, FIXTURE_REPORT: report, FIXTURE_END: end }, stdio: ["ignore", "pipe", "pipe"] }
  )
  let output = ""
  run.stdout?.on("data", (chunk) => (output += String(chunk)))
  run.stderr?.on("data", (chunk) => (output += String(chunk)))
  return { run, output: () => output }
}

const exitOf = (run: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  run.exitCode !== null || run.signalCode !== null
    ? Promise.resolve({ code: run.exitCode, signal: run.signalCode })
    : new Promise((resolve) => run.once("exit", (code, signal) => resolve({ code, signal })))

const waitFor = async <T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, output: () => string): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s; the run said:\n${output()}`)
    await sleep(50)
  }
}

const killQuietly = (pid: number): void => {
  try {
    process.kill(pid, "SIGKILL")
  } catch {
    // gone already
  }
}

const ends = [
  { end: "a failing test", signal: undefined },
  { end: "SIGINT (Ctrl-C)", signal: "SIGINT" },
  { end: "SIGTERM", signal: "SIGTERM" },
  { end: "SIGKILL (nothing in the run can clean up: the server scripts see it gone)", signal: "SIGKILL" }
] as const

describe("a test run's servers", () => {
  it.each(ends)("are all gone after the run ends with $end", async ({ signal }) => {
    const scratch = mkdtempSync(join(tmpdir(), "artiflow-cleanup-"))
    onTestFinished(() => rmSync(scratch, { recursive: true, force: true }))
    const reportFile = join(scratch, "report.json")
    const { run, output } = startRun(reportFile, signal === undefined ? "fail" : "wait")
    onTestFinished(() => killQuietly(run.pid ?? 0))

    const report = await waitFor<Report>(
      "the fixture run reporting its servers",
      () => {
        if (run.exitCode !== null) throw new Error(`the fixture run ended early (${run.exitCode}):\n${output()}`)
        return existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, "utf8")) as Report) : undefined
      },
      90_000,
      output
    )
    // vitest's workers are not ours to wait for: one whose main process was killed lingers until its test ends
    onTestFinished(() => killQuietly(report.workerPid))
    expect(report.ports).toHaveLength(4)
    expect(report.serverPids.length).toBeGreaterThanOrEqual(5) // monitor, OSD, 2 gateways, 2 redis-servers
    for (const port of report.ports) expect(await listening(port)).toBe(true)

    writeFileSync(`${reportFile}.go`, "")
    if (signal !== undefined) run.kill(signal)
    const exit = await exitOf(run)
    if (signal === undefined) expect(exit, output()).toEqual({ code: 1, signal: null })

    const left = async (): Promise<{ ports: Array<number>; dirs: Array<string>; pids: Array<number> }> => {
      const opened = await Promise.all(report.ports.map(listening))
      return {
        ports: report.ports.filter((_, index) => opened[index]),
        dirs: report.dirs.filter(existsSync),
        pids: report.serverPids.filter((pid) => existsSync(`/proc/${pid}`))
      }
    }
    // After a teardown or the exit hook, the ports are closed and the directories removed before the run exits
    // (the servers' PIDs may be zombies for a moment more, until their scripts reap them). After SIGKILL the
    // scripts see the run gone within a second.
    if (signal !== "SIGKILL") expect({ ...(await left()), pids: [] }, output()).toEqual({ ports: [], dirs: [], pids: [] })
    let stillThere = {}
    // The server scripts (bash) exit once they have reaped their servers: on a loaded machine, a moment after.
    const gone = async () => {
      stillThere = { ...(await left()), processes: processesNaming(report.dirs) }
      return Object.values(stillThere).every((values) => (values as Array<unknown>).length === 0) ? true : undefined
    }
    await waitFor("the servers stopping", gone, 30_000, () => `${output()}\nleft: ${JSON.stringify(stillThere)}`)
  }, 180_000)
})
