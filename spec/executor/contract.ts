/**
 * The Executor conformance suite: every adapter runs it, through one call. Each flow of flows.ts and every
 * example runs on the executor and in process, on fresh stores, and must leave the same tasks, attempts,
 * statuses and artifact hashes, and the same final artifacts; retries, timeouts, catch, rule violations,
 * resume, logs, events and the worker each attempt records are checked on the executor itself. Later
 * capabilities (choose, loop) add their flows here, to prove they run on every executor.
 *
 * @example
 * executorContract("workerThreads", async () => ({ executor: workerThreads({ threads: 2 }), ... }))
 */
import { writeFile, rm } from "node:fs/promises"
import { join as joinPath } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { Client, localStore, NotStorableError, resume, run, RunFailedError, step } from "artiflow"
import type { Datastore, Executor, Flow, LogLine, RunEvent } from "artiflow"
import { Forecast } from "../../examples/config.js"
import { Etl } from "../../examples/etl.js"
import { Flaky } from "../../examples/flaky.js"
import { LargeArray } from "../../examples/large-array.js"
import { Sweep } from "../../examples/sweep.js"
import { tempDir } from "../stores.js"
import { Cached, Fragments, Grid, Resumable, Retries, Shapes, Unstorable } from "./flows.js"

/** An executor under test, and what its attempts record as their worker. */
export interface ExecutorHarness {
  readonly executor: Executor
  /** The pids that may run attempts (the test process for in-process and threads; the workers' otherwise). */
  readonly workerPids: () => ReadonlyArray<number>
  /** Whether a flow that no module exports runs (only in process). */
  readonly runsUnexported: boolean
  /** A store the scheduler and the workers share (default: a fresh local store in a temp directory per test). */
  readonly store?: () => Promise<Datastore>
  readonly close?: () => Promise<void>
}

const localTempStore = async (): Promise<Datastore> => localStore(joinPath(await tempDir("artiflow-exec-"), "store"))

/** Every attempt of every task, with its status, error class and artifact hashes, in a stable order. */
const fingerprint = async (store: Datastore, flow: string, runId: string): Promise<ReadonlyArray<string>> => {
  const handle = await Client.open(store).run(flow, runId)
  const lines: Array<string> = []
  for (const stepHandle of await handle.steps()) {
    for (const task of await stepHandle.tasks()) {
      for (const attempt of task.attempts()) {
        const names = await attempt.artifactNames()
        const hashes = await Promise.all(names.map(async (name) => `${name}=${(await attempt.info(name)).hash.slice(0, 16)}`))
        lines.push(`${attempt.step}/${attempt.id}#${attempt.attempt} ${attempt.status} ${attempt.error?.name ?? "-"} ${hashes.join(" ")}`)
      }
    }
  }
  return lines.sort()
}

/** What every task read (lineage), with the producing task, and where the cache answered it, in a stable order. */
const lineagePrint = async (store: Datastore, flow: string, runId: string): Promise<ReadonlyArray<string>> => {
  const handle = await Client.open(store).run(flow, runId)
  const lines: Array<string> = []
  for (const stepHandle of await handle.steps()) {
    for (const task of await stepHandle.tasks()) {
      const reads = await task.reads()
      const producers = reads.map((read) => {
        const run = read.producer.runId === runId ? "" : "(other run)"
        return `${read.input ?? ""}:${read.name}=${read.hash.slice(0, 12)}<-${read.producer.step}/${read.producer.taskId}${run}`
      })
      lines.push(`${task.step}/${task.id} ${producers.join(" ")}`)
    }
  }
  return lines.sort()
}

type AnyRun = (flow: unknown, options: Readonly<Record<string, unknown>>) => Promise<{ readonly runId: string; readonly artifacts: object }>
const runAny = run as unknown as AnyRun
const resumeAny = resume as unknown as AnyRun

const quiet = { log: () => {} }

/**
 * Final artifacts compared by value; binary ones byte for byte (a deep equality over a 100 MB Float64Array
 * enumerates 13 million keys).
 */
const expectSameArtifacts = (actual: object, expected: object): void => {
  const plain = (record: object) => Object.fromEntries(Object.entries(record).filter(([, value]) => !ArrayBuffer.isView(value)))
  expect(plain(actual)).toEqual(plain(expected))
  for (const [name, value] of Object.entries(expected)) {
    if (!ArrayBuffer.isView(value)) continue
    const other = (actual as Record<string, unknown>)[name]
    expect(other?.constructor, `artifact '${name}'`).toBe(value.constructor)
    const bytes = (view: ArrayBufferView) => Buffer.from(view.buffer, view.byteOffset, view.byteLength)
    expect(bytes(other as ArrayBufferView).equals(bytes(value)), `artifact '${name}'`).toBe(true)
  }
}

/** A flow's run in process: the reference every executor must match. */
const reference = async (flow: Flow, options: Readonly<Record<string, unknown>> = {}) => {
  const store = await localTempStore()
  const result = await runAny(flow, { store, ...quiet, ...options })
  return { artifacts: result.artifacts, tasks: await fingerprint(store, flow.name, result.runId) }
}

/** Declares the conformance tests of the executor the harness makes (once for the file). */
export const executorContract = (name: string, makeHarness: () => Promise<ExecutorHarness>): void => {
  describe(`Executor contract: ${name}`, () => {
    let harness: ExecutorHarness
    beforeAll(async () => {
      harness = await makeHarness()
    }, 120_000)
    afterAll(async () => {
      await harness?.close?.()
    })
    const freshStore = (): Promise<Datastore> => (harness.store ?? localTempStore)()

    /** Runs `flow` on the executor and checks it against the in-process reference. */
    const sameAsInProcess = async (flow: Flow, options: Readonly<Record<string, unknown>> = {}) => {
      const expected = await reference(flow, options)
      const store = await freshStore()
      const result = await runAny(flow, { store, executor: harness.executor, ...quiet, ...options })
      expect(await fingerprint(store, flow.name, result.runId)).toEqual(expected.tasks)
      expectSameArtifacts(result.artifacts, expected.artifacts)
      return { store, result }
    }

    test.each([
      ["a split joined with resolve, take, exclude, equal and a function; blobs and compressed JSON", Shapes],
      ["nested foreaches, a foreach concurrency, a join with equal", Grid],
      ["retry, timeout and catch: the same attempts, statuses and errors", Retries],
      ["a subflow whose codec needs the scheduler checks", Fragments]
    ] as const)("%s", async (_what, flow) => {
      await sameAsInProcess(flow as Flow)
    })

    test.each([
      ["sweep", Sweep],
      ["etl", Etl],
      ["config (forecast)", Forecast],
      ["flaky", Flaky],
      ["large-array (100 MB Float64Array)", LargeArray]
    ] as const)("the %s example leaves the same artifacts as in process", async (_name, flow) => {
      await sameAsInProcess(flow as Flow)
    })

    test("every task records what it read, as in process; a rerun on the executor is answered by the cache", async () => {
      const expectedStore = await localTempStore()
      const inProcess = await runAny(Cached, { store: expectedStore, ...quiet })
      const { store, result } = await sameAsInProcess(Cached as Flow)
      expect(await lineagePrint(store, "Cached", result.runId)).toEqual(await lineagePrint(expectedStore, "Cached", inProcess.runId))
      const again = await runAny(Cached, { store, executor: harness.executor, ...quiet })
      expect((again as { cachedTasks?: number }).cachedTasks).toBe(7)
      expect(await fingerprint(store, "Cached", again.runId)).toEqual(await fingerprint(store, "Cached", result.runId))
      const handle = await Client.open(store).run("Cached", again.runId)
      const cachedFrom = []
      for (const name of ["big", "times", "label"]) for (const task of await handle.step(name).tasks()) cachedFrom.push(task.cachedFrom)
      expect(cachedFrom).toEqual([
        { runId: result.runId, taskId: "0" },
        ...["0", "1", "2"].map((taskId) => ({ runId: result.runId, taskId })),
        ...["0", "1", "2"].map((taskId) => ({ runId: result.runId, taskId }))
      ])
      for (const task of await handle.step("gather").tasks()) expect(task.cachedFrom).toBeUndefined()
      // Reads of the hits are the computing tasks' reads, produced in this run.
      expect(await lineagePrint(store, "Cached", again.runId)).toEqual(await lineagePrint(store, "Cached", result.runId))
    })

    test("every attempt records the worker that ran it", async () => {
      const { store, result } = await sameAsInProcess(Grid as Flow)
      const handle = await Client.open(store).run("Grid", result.runId)
      const workers = []
      for (const stepHandle of await handle.steps()) for (const task of await stepHandle.tasks()) workers.push(task.worker)
      expect(workers.length).toBeGreaterThan(8)
      for (const worker of workers) {
        expect(worker?.host).toMatch(/.+/)
        expect(harness.workerPids()).toContain(worker?.pid)
      }
    })

    test("ctx.log lines reach the run's log, and the events tell every attempt and the foreach progress", async () => {
      const lines: Array<LogLine> = []
      const events: Array<RunEvent> = []
      const store = await freshStore()
      const result = await runAny(Retries, { store, executor: harness.executor, log: (line: LogLine) => lines.push(line), onEvent: (event: RunEvent) => events.push(event) })
      expect(lines.map((line) => `${line.step}/${line.taskId}#${line.attempt}: ${line.text}`).sort()).toEqual([
        "flaky/0#0: attempt 0",
        "flaky/0#1: attempt 1",
        "flaky/0#2: attempt 2",
        "start/0#0: starting"
      ])
      expect(lines.every((line) => line.flow === "Retries" && line.runId === result.runId)).toBe(true)
      const finished = events.flatMap((event) => (event.type === "task-finished" ? [`${event.step}#${event.attempt} ${event.status}`] : []))
      expect(finished.sort()).toEqual(
        ["start#0 succeeded", "flaky#0 failed", "flaky#1 failed", "flaky#2 succeeded", "slow#0 failed", "slow#1 succeeded", "doomed#0 failed", "doomed#1 succeeded", "end#0 succeeded"].sort()
      )
      expect(events[0]).toEqual({ type: "run-started", flow: "Retries", runId: result.runId, originRunId: undefined })
      expect(events.at(-1)).toEqual({ type: "run-finished", flow: "Retries", runId: result.runId, status: "succeeded" })
      const progress: Array<RunEvent> = []
      await runAny(Grid, { store, executor: harness.executor, ...quiet, onEvent: (event: RunEvent) => event.type === "foreach-progress" && progress.push(event) })
      expect(progress.filter((event) => event.type === "foreach-progress" && event.artifact === "rows").map((event) => event.type === "foreach-progress" && event.done)).toEqual([0, 1, 2, 3])
    })

    test("a value that cannot be stored fails the run at once, not retried, naming the step and artifact", async () => {
      const store = await freshStore()
      const failure = await runAny(Unstorable, { store, executor: harness.executor, ...quiet }).then(
        () => expect.fail("the run succeeded"),
        (error: unknown) => error
      )
      expect(failure).toBeInstanceOf(RunFailedError)
      const { step: failed, cause } = failure as RunFailedError
      expect(failed).toBe("bad")
      expect(cause).toBeInstanceOf(NotStorableError)
      expect((cause as NotStorableError).artifact).toBe("fn")
      expect((cause as Error).message).toMatch(/^artiflow: step 'bad'.*'fn'/)
      const runId = (failure as RunFailedError).runId
      const bad = await (await Client.open(store).run("Unstorable", runId)).step("bad").tasks()
      expect(bad.map((task) => task.attempts().length)).toEqual([1])
    })

    test("a failed run resumes on the executor, reusing what succeeded, and ends as in process", async () => {
      const failFile = joinPath(await tempDir("artiflow-exec-fail-"), "fail")
      const params = { failFile }
      const expected = await reference(Resumable as Flow, { params })
      await writeFile(failFile, "3")
      const store = await freshStore()
      const failure = await runAny(Resumable, { store, executor: harness.executor, params, ...quiet }).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(RunFailedError)
      expect((failure as RunFailedError).step).toBe("work")
      expect((failure as RunFailedError).taskId).toBe("3")
      // Tasks running elsewhere when work/3 failed were interrupted: the ones that succeeded are reused.
      const origin = await (await Client.open(store).run("Resumable", (failure as RunFailedError).runId)).step("work").tasks()
      const succeeded = origin.filter((task) => task.status === "succeeded").map((task) => task.id)
      expect(succeeded).not.toContain("3")
      await rm(failFile)
      const resumed = await resumeAny(Resumable, { store, executor: harness.executor, ...quiet })
      expectSameArtifacts(resumed.artifacts, expected.artifacts)
      const work = await (await Client.open(store).run("Resumable", resumed.runId)).step("work").tasks()
      expect(work.filter((task) => task.originTaskId !== undefined).map((task) => task.id)).toEqual(succeeded)
      expect(work.map((task) => task.status)).toEqual(Array(8).fill("succeeded"))
    })

    test("a flow no module exports runs only where the scheduler runs (else an error before anything is stored)", async () => {
      const store = await freshStore()
      const before = await store.listRuns("Grid")
      const unexported = Grid.pipe(step("extra", () => ({ extra: true })))
      const running = runAny(unexported, { store, executor: harness.executor, ...quiet })
      if (harness.runsUnexported) {
        await expect(running).resolves.toMatchObject({ artifacts: { extra: true, grand: 150 } })
        return
      }
      await expect(running).rejects.toThrow(/^artiflow: flow 'Grid' is not exported from .*flows\.ts, the module that builds it: .* export it .*\(flows exported there: .*Grid/)
      expect(await store.listRuns("Grid")).toEqual(before)
    })
  })
}
