/**
 * Running the server scripts of this folder. Each script runs its servers as its own children, prints one line
 * once they answer, and when it ends (SIGTERM, its owner gone, a server exited) kills and reaps them and cleans
 * up; see lib.sh. A run keeps all its servers in one temp directory: their PID files, logs and data are there and
 * their command lines name a file there, which is how stop-servers.sh finds every one of them, also those a test
 * file started, when the run ends or is interrupted.
 */
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import type { Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const folder = fileURLToPath(new URL(".", import.meta.url))

/** A fresh temp directory for one run's servers. */
export const serverDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix))

/** A server script that printed its ready line and runs, as our child. */
export interface ServerScript {
  /** The line the script printed once its servers answered. */
  readonly ready: string
  /** Settles when the script has exited (after stopping its servers). */
  readonly exited: Promise<void>
  /** Ends the script (SIGTERM): it SIGKILLs its servers, reaps them and cleans up; resolves once it has exited. */
  readonly stop: () => Promise<void>
}

const tail = (text: string, lines = 30): string => text.trim().split("\n").slice(-lines).join("\n")

/** What starting a server script takes. */
export interface ScriptOptions {
  /** The line the script prints once its servers answer. */
  readonly ready: RegExp
  readonly timeoutMs: number
  /**
   * The process whose end, however it comes (SIGKILL too), ends the script within a second: the test run's main
   * process (`testRunPid`), also for servers a test file starts in a worker (a worker may outlive the run).
   */
  readonly owner: number
}

/**
 * Starts `script` (with bash: a checkout may lose the execute bits). Resolves once the script prints its ready
 * line; rejects with the script's error output when it exits first or the time is up.
 */
export const startScript = (script: string, args: ReadonlyArray<string>, options: ScriptOptions): Promise<ServerScript> =>
  new Promise((resolve, reject) => {
    const command = `spec/support/servers/${script} ${args.join(" ")}`
    const child = spawn("bash", [join(folder, script), ...args], {
      // its own process group: a Ctrl-C reaches vitest, whose exit hook stops the servers, not the script mid-way
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, OWNER_PID: String(options.owner) }
    })
    let stdout = ""
    let stderr = ""
    let started = false
    const exited = new Promise<void>((settle) => child.once("exit", () => settle()))
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return
      // referenced again: else, with nothing else to do, this process would exit before the script has
      child.ref()
      child.kill("SIGTERM")
      await exited
    }
    const timer = setTimeout(() => {
      child.kill("SIGTERM")
      reject(new Error(`${command} did not get ready within ${options.timeoutMs / 1000} s:\n${tail(stderr)}`))
    }, options.timeoutMs)
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (started) return
      stdout += chunk
      const line = stdout.split("\n").find((candidate) => options.ready.test(candidate))
      if (line === undefined) return
      started = true
      clearTimeout(timer)
      // A test that forgets to stop its server must not keep its worker alive: the run's end stops it anyway.
      child.unref()
      // with stdio "pipe" they are sockets (typed as plain streams)
      ;(child.stdout as Socket).unref()
      ;(child.stderr as Socket).unref()
      resolve({ ready: line, exited, stop })
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-16_384)
    })
    child.once("error", (error) => {
      clearTimeout(timer)
      reject(new Error(`${command} could not start: ${error.message}`, { cause: error }))
    })
    child.once("exit", (code, signal) => {
      if (started) return
      clearTimeout(timer)
      reject(new Error(`${command} failed (${signal ?? `exit code ${code}`}):\n${tail(stderr)}`))
    })
  })

/** SIGKILLs every server under `dir` and removes it; synchronous, so that it also works in an exit hook. */
export const stopServers = (dir: string): void => {
  execFileSync("bash", [join(folder, "stop-servers.sh"), dir], { stdio: ["ignore", "ignore", "inherit"], timeout: 30_000 })
}

/**
 * Stops the servers under `dir` when this process exits before `release()`: vitest ends an interrupted run
 * (SIGINT, SIGTERM) with process.exit, which runs exit hooks but no global teardown. `release()` takes the hook
 * away and stops whatever still runs under `dir` (servers that test files started and left), removing `dir`.
 */
export const stopOnExit = (dir: string): { readonly release: () => void } => {
  const onExit = (): void => {
    try {
      stopServers(dir)
    } catch (error) {
      // Too late to fail the run; the scripts still stop their servers once they see this process gone.
      process.stderr.write(`stopping the test servers in ${dir} failed: ${String(error)}\n`)
    }
  }
  process.on("exit", onExit)
  return {
    release: () => {
      process.off("exit", onExit)
      stopServers(dir)
    }
  }
}

/** A server a test started and can stop and start again (on the same port). */
export interface Restartable {
  /**
   * Stops the server at once (SIGKILL: like a crash or a cut network; an orderly radosgw shutdown waits up to two
   * minutes for idle client connections). Resolves once the process is gone and its port closed.
   */
  readonly stop: () => Promise<void>
  /** Starts the stopped server again; resolves once it answers. */
  readonly start: () => Promise<void>
  /** Stops it for good (the run's end stops it too, should a test not get there). */
  readonly close: () => Promise<void>
  /** Whether it runs. */
  readonly running: () => boolean
}

/** Starts a server with `start` (which resolves once it answers) and returns its controls. */
export const restartable = async (what: string, start: () => Promise<ServerScript>): Promise<Restartable> => {
  let script: ServerScript | undefined = await start()
  const stop = async (): Promise<void> => {
    const running = script
    script = undefined
    await running?.stop()
  }
  return {
    stop,
    start: async () => {
      if (script !== undefined) throw new Error(`${what} already runs: stop() it first`)
      script = await start()
    },
    close: stop,
    running: () => script !== undefined
  }
}
