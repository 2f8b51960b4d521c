/**
 * Bad input, end to end (issue 5, item 6): wrong parameters, unreadable included files, artifact names that
 * are empty, `__proto__` or Object.prototype's own names, values that cannot be stored, a store that cannot
 * be written, a full disk, a cancelled run. Each must end in a typed error whose message says what was wrong
 * (parameter, file, step, artifact, path) and what to do, and leave the store consistent: everything
 * committed before still reads back through the client, nothing of the failed attempt is visible, and
 * `resume` finishes the run once the cause is gone.
 *
 * Already covered elsewhere (not repeated here): plain wrong-type / unknown / missing parameters and a
 * missing file with no run created (interpreter/params.spec.ts), a step writing a parameter
 * (interpreter/records.spec.ts), functions, methods and WeakMaps at run time and the basic abort cases
 * (interpreter/stopping.spec.ts), a store under a regular file at the Datastore level (datastore/local.spec.ts).
 */
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { promises as fs } from "node:fs"
import { tmpdir } from "node:os"
import { join as joinPath } from "node:path"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { afterEach, describe, expect, test, vi } from "vitest"
import { storeValue } from "../../lib/datastore/artifacts.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import {
  FlowDefinitionError,
  NotFoundError,
  NotStorableError,
  ParamError,
  RunAbortedError,
  RunFailedError,
  StorageError
} from "../../lib/errors.js"
import {
  Client,
  flow,
  foreach,
  includeFile,
  join,
  localStore,
  memoryStore,
  param,
  resume,
  run,
  split,
  step
} from "../../lib/index.js"
import { invalidArtifactName, notStorable } from "../../lib/types/messages.js"
import { expectCause, runFailure } from "../interpreter/failure.js"
import { js } from "../interpreter/untyped.js"
import { forEachStore, quiet, tempDir } from "../stores.js"
import {
  faultyDisk,
  immutableUnavailable,
  leftoverTemps,
  mountTmpfs,
  readBack,
  remount,
  setImmutable,
  tmpfsUnavailable,
  unmount
} from "./badInputStore.js"

afterEach(() => {
  vi.restoreAllMocks()
})

/** What a promise rejects with (fails the test if it resolves). */
const rejection = async (running: Promise<unknown>): Promise<unknown> => {
  const outcome = await running.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error })
  )
  expect(outcome.resolved, "the promise should have rejected").toBe(false)
  return outcome.resolved ? undefined : outcome.error
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Rejects with the signal's reason once it aborts (or after 2 s, so that a broken run cannot hang the test). */
const aborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the signal was never aborted")), 2_000)
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true })
  })

/** The hash `value` is stored under (computed in a scratch memory store). */
const blobHash = async (value: unknown): Promise<string> => {
  const stored = await storeValue(memoryStore(), value)
  if (stored._tag === "Left") throw new Error("expected a storable value")
  return stored.right.hash
}

const prototypeIntact = (): void => {
  expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
  expect(Object.getPrototypeOf({})).toBe(Object.prototype)
}

// What this machine allows, found out once: tmpfs mounts and immutable directories need root and Linux.
const probeDir = await fs.mkdtemp(joinPath(tmpdir(), "artiflow-bad-input-probe-"))
const noTmpfs = tmpfsUnavailable(probeDir)
const noImmutable = immutableUnavailable(probeDir)
await fs.rm(probeDir, { recursive: true, force: true })
if (noTmpfs !== undefined) console.warn(`bad-input.spec: skipping the tmpfs tests: ${noTmpfs}`)
if (noImmutable !== undefined) console.warn(`bad-input.spec: skipping the chattr tests: ${noImmutable}`)

const mounted: Array<string> = []
afterEach(() => {
  for (const dir of mounted.splice(0)) unmount(dir)
})

/** A fresh tmpfs of `size` in a temp directory (unmounted after the test); returns the store root in it. */
const tmpfsStore = async (size: string, extra: ReadonlyArray<string> = []): Promise<{ mount: string; root: string }> => {
  const mount = await tempDir("artiflow-tmpfs-")
  mountTmpfs(mount, size, extra)
  mounted.push(mount)
  return { mount, root: joinPath(mount, "store") }
}

describe("parameters that are wrong", () => {
  const Exploding = new t.Type<number, number, unknown>(
    "Exploding",
    (u): u is number => typeof u === "number",
    () => {
      throw new RangeError("codec bug")
    },
    (n) => n
  )
  const Config = t.type({ lr: t.number, tags: t.array(t.string) })
  const Both = t.intersection([t.type({ a: t.number }), t.partial({ b: t.string })])
  const Params = pipe(
    flow("BadParams", {
      params: {
        n: param(t.number),
        cfg: param(Config, { default: { lr: 0.1, tags: [] } }),
        both: param(Both, { default: { a: 1 } }),
        odd: param(Exploding, { default: 1 }),
        any: param(t.unknown, { default: null })
      }
    }),
    step("start", (a) => ({ seen: a.n }))
  )
  const flowName = "artiflow: flow 'BadParams'"

  test.each([
    ["a wrong type", { n: "3" }, "n", `${flowName}: parameter 'n' expects number, received "3"`],
    ["a missing required one", {}, "n", `${flowName}: parameter 'n' is required (number): pass it in params`],
    [
      "an unknown name",
      { n: 1, rate: 2 },
      "rate",
      "artiflow: flow 'BadParams' has no parameter 'rate' (parameters: n, cfg, both, odd, any)"
    ],
    [
      "a hostile '__proto__' key",
      JSON.parse('{"n": 1, "__proto__": {"polluted": true}}') as object,
      "__proto__",
      "artiflow: flow 'BadParams' has no parameter '__proto__' (parameters: n, cfg, both, odd, any)"
    ],
    [
      "Object.prototype's 'constructor'",
      { n: 1, constructor: 1 },
      "constructor",
      "artiflow: flow 'BadParams' has no parameter 'constructor' (parameters: n, cfg, both, odd, any)"
    ],
    [
      "a wrong element deep inside",
      { n: 1, cfg: { lr: 0.1, tags: ["a", 3] } },
      "cfg",
      `${flowName}: parameter 'cfg' expects { lr: number, tags: Array<string> }, received an object (at tags.1: expected string, received 3)`
    ],
    [
      "a missing field deep inside",
      { n: 1, cfg: { tags: [] } },
      "cfg",
      `${flowName}: parameter 'cfg' expects { lr: number, tags: Array<string> }, received an object (at lr: expected number, received undefined)`
    ],
    [
      "a wrong field of an intersection",
      { n: 1, both: { a: 1, b: 2 } },
      "both",
      `${flowName}: parameter 'both' expects ({ a: number } & Partial<{ b: string }>), received an object (at b: expected string, received 2)`
    ],
    [
      "a codec that throws",
      { n: 1, odd: 5 },
      "odd",
      `${flowName}: parameter 'odd': its codec Exploding threw while decoding 5 (codec bug): fix the codec`
    ],
    [
      "a value that decodes to something not storable",
      { n: 1, any: () => 1 },
      "any",
      "artiflow: parameter 'any' decodes to a value that cannot be stored (a function)"
    ]
  ])("%s: ParamError naming the parameter; no run is created, earlier runs read back", async (_case, params, name, message) => {
    const store = localStore(joinPath(await tempDir(), "store"))
    await run(Params, { params: { n: 1 }, store, log: quiet, runId: "good" })
    const error = await rejection(js.run(Params, { params, store, log: quiet, runId: "bad" }))
    expect(error).toBeInstanceOf(ParamError)
    expect((error as ParamError).param).toBe(name)
    expect((error as ParamError).message).toBe(message)
    expect(await store.readRun("BadParams", "bad")).toBeUndefined()
    expect(await readBack(store, "BadParams")).toEqual({ good: { status: "succeeded", tasks: { "start/0": "succeeded" } } })
    prototypeIntact()
  })
})

describe("included files that cannot be read", () => {
  const Files = pipe(
    flow("BadFiles", { params: { data: includeFile(), raw: includeFile({ encoding: "binary", required: false }) } }),
    step("start", (a) => ({ size: a.data.length + (a.raw?.byteLength ?? 0) }))
  )

  const fixture = async (): Promise<{ dir: string; file: string; store: Datastore }> => {
    const dir = await tempDir()
    const file = joinPath(dir, "data.csv")
    await fs.writeFile(file, "a,b\n1,2\n")
    const store = localStore(joinPath(dir, "store"))
    await run(Files, { params: { data: file }, store, log: quiet, runId: "good" })
    return { dir, file, store }
  }

  /** Runs with `params`, expects a ParamError for `name` with `message`, and checks that no run was added. */
  const expectRefused = async (store: Datastore, params: object, name: string, message: string): Promise<void> => {
    const error = await rejection(js.run(Files, { params, store, log: quiet, runId: "bad" }))
    expect(error).toBeInstanceOf(ParamError)
    expect([(error as ParamError).param, (error as ParamError).message]).toEqual([name, message])
    expect(await readBack(store, "BadFiles")).toEqual({ good: { status: "succeeded", tasks: { "start/0": "succeeded" } } })
  }

  const cannotRead = (name: string, path: string, why: string): string =>
    `artiflow: flow 'BadFiles': file parameter '${name}' cannot read '${path}' (${why}): pass a readable file`

  test("a missing file, a directory, a path through a file: the message names parameter, path and problem", async () => {
    const { dir, file, store } = await fixture()
    const missing = joinPath(dir, "nope.csv")
    await expectRefused(store, { data: missing }, "data", cannotRead("data", missing, "ENOENT"))
    await expectRefused(store, { data: dir }, "data", cannotRead("data", dir, "EISDIR: it is a directory"))
    const through = joinPath(file, "x")
    const notDir = "ENOTDIR: a part of the path is a file, not a directory"
    await expectRefused(store, { data: through }, "data", cannotRead("data", through, notDir))
    // The binary variant is checked the same way, after the text one was read.
    await expectRefused(store, { data: file, raw: dir }, "raw", cannotRead("raw", dir, "EISDIR: it is a directory"))
  })

  test("a dangling symbolic link and a loop of links", async () => {
    const { dir, store } = await fixture()
    const dangling = joinPath(dir, "dangling")
    await fs.symlink(joinPath(dir, "gone"), dangling)
    await expectRefused(store, { data: dangling }, "data", cannotRead("data", dangling, "ENOENT"))
    const [a, b] = [joinPath(dir, "loop-a"), joinPath(dir, "loop-b")]
    await fs.symlink(b, a)
    await fs.symlink(a, b)
    await expectRefused(store, { data: a }, "data", cannotRead("data", a, "ELOOP: too many symbolic links (a loop?)"))
  })

  test("a path that is not a string", async () => {
    const { store } = await fixture()
    const message = "artiflow: flow 'BadFiles': file parameter 'data' expects a path, received 42"
    await expectRefused(store, { data: 42 }, "data", message)
  })

  test.skipIf(process.platform === "win32")("a named pipe is read to its end (so `--data <(command)` works)", async () => {
    const { dir, store } = await fixture()
    const pipePath = joinPath(dir, "pipe")
    execFileSync("mkfifo", [pipePath])
    let written = false
    const writing = fs.writeFile(pipePath, "x,y\n").then(() => (written = true))
    try {
      const result = await run(Files, { params: { data: pipePath }, store, log: quiet, runId: "piped" })
      expect(result.artifacts.data).toBe("x,y\n")
    } finally {
      // Opening the pipe for reading releases a writer still blocked in open() (when the run did not read it).
      if (!written) await (await fs.open(pipePath, "r")).close()
      await writing.catch(() => undefined)
    }
  })
})

/** start -> bad (returns `output()`) -> end; `bad` has retry and catch, which rule violations must ignore. */
const namesFlow = (output: () => object, calls = { n: 0 }): unknown =>
  pipe(
    js.flow("BadNames"),
    js.step("start", () => ({ x: 1 })),
    js.step(
      "bad",
      () => {
        calls.n++
        return output()
      },
      { retry: 2, catch: "err" }
    ),
    js.step("end", (a: Record<string, unknown>) => ({ names: Object.keys(a).sort() }))
  )

forEachStore((_name, makeStore) => {
  describe("artifact names", () => {
    test.each([
      ["empty", ""],
      ["over 1024 characters", "n".repeat(1025)]
    ])("%s: the run fails naming step and artifact, without retry; resume with a fixed step finishes", async (_case, name) => {
      const store = await makeStore()
      const calls = { n: 0 }
      const failure = await runFailure(js.run(namesFlow(() => ({ [name]: 1, y: 2 }), calls), { store, log: quiet, runId: "r1" }))
      const cause = expectCause(failure, FlowDefinitionError, invalidArtifactName("bad", name))
      expect(cause.message).toMatch(/^artiflow: step 'bad' returned an invalid artifact name ".*": artifact names are 1 to 1024 characters \(rename it\)$/)
      expect(cause.message.length).toBeLessThan(200)
      expect([failure.step, failure.taskId, calls.n]).toEqual(["bad", "0", 1])
      expect(await readBack(store, "BadNames")).toEqual({
        r1: { status: "failed", tasks: { "start/0": "succeeded", "bad/0": "failed" } }
      })
      const resumed = await resume(namesFlow(() => ({ y: 2 })) as never, { store, log: quiet, origin: "r1", runId: "r2" } as never)
      expect(resumed.artifacts).toEqual({ x: 1, y: 2, names: ["x", "y"] })
      const start = (await (await Client.open(store).run("BadNames", "r2")).step("start").tasks())[0]
      expect(start?.originTaskId).toBe("0")
    })

    test("an own '__proto__' key starts with '_': it is ephemeral, never stored, and changes no prototype", async () => {
      const store = await makeStore()
      const seen: Array<unknown> = []
      const hostile = (): object => JSON.parse('{"__proto__": {"polluted": true}, "y": 2}') as object
      const F = pipe(
        js.flow("ProtoKey"),
        js.step("start", () => ({ x: 1, ...hostile(), ["__proto__"]: { polluted: true } })),
        js.step("end", (a: Record<string, unknown>) => {
          seen.push(Object.getPrototypeOf(a), Object.hasOwn(a, "__proto__"), a["polluted"])
          return { names: Object.keys(a).sort() }
        })
      )
      const result = await js.run(F, { store, log: quiet, runId: "r1" })
      expect(result.artifacts).toEqual({ x: 1, y: 2, names: ["x", "y"] })
      expect(seen).toEqual([Object.prototype, false, undefined])
      const start = (await (await Client.open(store).run("ProtoKey", "r1")).step("start").tasks())[0]
      expect(await start?.artifactNames()).toEqual(["x", "y"])
      const missing = await rejection(start!.artifact("__proto__"))
      expect(missing).toBeInstanceOf(NotFoundError)
      expect((missing as Error).message).toBe("artiflow: task 'start/0' of run 'r1' has no artifact '__proto__' (artifacts: 'x', 'y')")
      prototypeIntact()
    })

    test("a '__proto__:' key in an object literal (which sets the prototype) fails the step saying so", async () => {
      const store = await makeStore()
      const failure = await runFailure(
        js.run(namesFlow(() => ({ __proto__: { polluted: true }, y: 2 })), { store, log: quiet, runId: "r1" })
      )
      expectCause(
        failure,
        FlowDefinitionError,
        "artiflow: step 'bad' must return an object of artifacts (or nothing), not an object with another prototype (a '__proto__:' key in an object literal sets the prototype: remove it)"
      )
      expect(await readBack(store, "BadNames")).toEqual({
        r1: { status: "failed", tasks: { "start/0": "succeeded", "bad/0": "failed" } }
      })
      prototypeIntact()
    })

    test("Object.prototype's names ('constructor', 'toString', ...) and 'then' are ordinary artifacts", async () => {
      const store = await makeStore()
      const own = { constructor: "c", toString: "t", hasOwnProperty: 1, valueOf: [1], then: 2 }
      const F = pipe(
        flow("ProtoNames"),
        step("start", () => own),
        step("end", (a) => ({ echo: [a.constructor, a.toString, a.hasOwnProperty, a.valueOf, a.then] }))
      )
      const result = await run(F, { store, log: quiet, runId: "r1" })
      expect(result.artifacts.echo).toEqual(["c", "t", 1, [1], 2])
      const stored = await Client.open(store).run("ProtoNames", "r1")
      expect(await stored.artifacts()).toEqual({ ...own, echo: ["c", "t", 1, [1], 2] })
      expect(await stored.artifact("constructor")).toBe("c")
      const again = await resume(F, { store, log: quiet, origin: "r1", from: "end", runId: "r2" })
      expect(again.artifacts).toEqual(result.artifacts)
      prototypeIntact()
    })

    // Built untyped: the compiler refuses `resolve: { x }` when another conflict is named "constructor" (the
    // literal's inherited Object#constructor is checked against that key's resolver type; reported).
    test("joins look names up in resolve and take as own keys only: 'constructor' and 'toString' merge by equal", async () => {
      const store = await makeStore()
      type Values = { readonly [name: string]: unknown }
      const F = pipe(
        js.flow("ProtoJoin"),
        js.step("start", () => ({ x: 0, items: [1, 2] })),
        js.split({
          left: js.step("left", () => ({ x: 1, constructor: "same", toString: "same" })),
          right: js.step("right", () => ({ x: 2, constructor: "same", toString: "same" }))
        }),
        js.join("byTake", { take: { x: "left" }, equal: ["constructor", "toString"] }),
        js.split({
          a: js.step("a", (a: Values) => ({ x: (a["x"] as number) + 1, constructor: a["constructor"] })),
          b: js.step("b", (a: Values) => ({ x: (a["x"] as number) + 2, constructor: a["constructor"] }))
        }),
        js.join("byResolve", { resolve: { x: (xs: { a: number; b: number }) => xs.a + xs.b }, equal: ["constructor"] }),
        js.foreach("items", js.step("body", () => ({ valueOf: "v" }))),
        js.join("gather", { equal: ["valueOf"] }),
        js.step("end", (a: Values) => ({ merged: [a["x"], a["constructor"], a["toString"], a["valueOf"]] }))
      )
      const result = await js.run(F, { store, log: quiet, runId: "r1" })
      // Before the fix, `resolve.constructor` was Object (called as the resolver, storing { a, b }) and
      // `take.toString` a function (matching no branch, so 'toString' was dropped from the merge).
      expect(result.artifacts.merged).toEqual([5, "same", "same", "v"])
      expect(await readBack(store, "ProtoJoin")).toMatchObject({ r1: { status: "succeeded" } })
    })
  })

  describe("values that cannot be stored, found at run time", () => {
    class Box {
      constructor(readonly v: unknown) {}
    }
    test.each([
      ["a symbol", () => Symbol("s"), "a symbol", ""],
      ["a Promise", () => Promise.resolve(1), "a Promise", ""],
      ["a WeakSet", () => new WeakSet(), "a WeakMap or WeakSet", ""],
      ["a generator", () => (function* () {})(), "an object with methods", ""],
      ["a function in an array", () => [1, 2, () => 3], "a function", "[2]"],
      ["a symbol deep in a Map", () => new Map([["k", { inner: [{ deep: Symbol.iterator }] }]]), "a symbol", "<Map value>.inner[0].deep"],
      ["a Promise in a Set", () => new Set([Promise.resolve(1)]), "a Promise", "<Set member>"],
      ["a data class holding a function", () => new Box(() => 1), "an object with methods", "v"]
    ])("%s: NotStorableError with step, artifact and path; nothing of the attempt is stored; resume finishes", async (
      _case,
      bad,
      what,
      path
    ) => {
      const store = await makeStore()
      const early = `early-${randomBytes(8).toString("hex")}-${"e".repeat(20_000)}`
      const calls = { n: 0 }
      const failure = await runFailure(js.run(namesFlow(() => ({ early, art: bad() }), calls), { store, log: quiet, runId: "r1" }))
      const cause = expectCause(failure, NotStorableError, notStorable("bad", "art", what))
      expect([cause.step, cause.artifact, cause.path]).toEqual(["bad", "art", path])
      expect([failure.step, failure.taskId, calls.n]).toEqual(["bad", "0", 1])
      expect(await readBack(store, "BadNames")).toEqual({
        r1: { status: "failed", tasks: { "start/0": "succeeded", "bad/0": "failed" } }
      })
      const failed = (await (await Client.open(store).run("BadNames", "r1")).step("bad").tasks())[0]
      expect([failed?.error?.name, await failed?.artifactNames()]).toEqual(["NotStorableError", ["x"]])
      // The storable sibling was encoded but never written: nothing of the attempt reached the store.
      expect(await store.hasBlob(await blobHash(early))).toBe(false)
      const manifests = await store.readManifests("BadNames", "r1")
      expect(manifests.map((m) => [m.step, m.status, Object.keys(m.artifacts)])).toEqual([
        ["start", "succeeded", ["x"]],
        ["bad", "failed", []]
      ])
      const resumed = await resume(namesFlow(() => ({ early: "fixed", art: [1] })) as never, {
        store,
        log: quiet,
        origin: "r1",
        runId: "r2"
      } as never)
      expect(resumed.artifacts).toEqual({ x: 1, early: "fixed", art: [1], names: ["art", "early", "x"] })
      // Control: `early` is stored as a blob of its own when it is stored at all (not inline in a manifest).
      await storeValue(store, early)
      expect(await store.hasBlob(await blobHash(early))).toBe(true)
    })

    test("in a foreach body: the other tasks stay committed and readable, and resume reuses them", async () => {
      const store = await makeStore()
      let poisoned = true
      const F = pipe(
        flow("BadForeach"),
        step("start", () => ({ items: [0, 1, 2, 3] })),
        foreach(
          "items",
          step("body", (_a, ctx) => ({ y: poisoned && ctx.input === 2 ? (Symbol("bad") as never as number) : ctx.input * 10 })),
          { concurrency: 1 }
        ),
        join("gather", (inputs) => ({ ys: inputs.map((i) => i.y) }))
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
      expect([failure.step, failure.taskId]).toEqual(["body", "2"])
      expectCause(failure, NotStorableError, notStorable("body", "y", "a symbol"))
      expect(await readBack(store, "BadForeach")).toEqual({
        r1: { status: "failed", tasks: { "start/0": "succeeded", "body/0": "succeeded", "body/1": "succeeded", "body/2": "failed" } }
      })
      poisoned = false
      const resumed = await resume(F, { store, log: quiet, origin: "r1", runId: "r2" })
      expect(resumed.artifacts.ys).toEqual([0, 10, 20, 30])
      const body = await (await Client.open(store).run("BadForeach", "r2")).step("body").tasks()
      expect(body.map((task) => task.originTaskId)).toEqual(["0", "1", undefined, undefined])
    })
  })
})

/** start -> next (returns `next()`) -> end, with the big artifact written by `next`. */
const diskFlow = (next: () => { readonly big: Uint8Array }) =>
  pipe(
    flow("Disk"),
    step("start", () => ({ x: 1 })),
    step("next", () => next()),
    step("end", (a) => ({ size: a.big.byteLength }))
  )

const ENOSPC_ADVICE = "(ENOSPC): no space left on the device: free some space, or set ARTIFLOW_HOME to another disk"

describe("a store that cannot be written", () => {
  const Small = pipe(flow("Small"), step("start", () => ({ x: 1 })))

  test("under a regular file (ENOTDIR): StorageError naming the path and what to do; nothing is created", async () => {
    const dir = await tempDir()
    await fs.writeFile(joinPath(dir, "file"), "not a directory")
    const root = joinPath(dir, "file", "store")
    const error = await rejection(run(Small, { store: localStore(root), log: quiet, runId: "r1" }))
    expect(error).toBeInstanceOf(StorageError)
    expect((error as Error).message).toBe(
      `artiflow: could not create directory ${root}/runs/Small/r1 (ENOTDIR): a part of the path is a file, not a directory: move that file away, or set ARTIFLOW_HOME elsewhere`
    )
    expect(await fs.readFile(joinPath(dir, "file"), "utf8")).toBe("not a directory")
  })

  test.skipIf(noImmutable !== undefined)("an immutable directory (chattr +i, which stops root too): EPERM and what to do", async () => {
    const root = joinPath(await tempDir(), "store")
    await fs.mkdir(root)
    setImmutable(root, true)
    try {
      const error = await rejection(run(Small, { store: localStore(root), log: quiet, runId: "r1" }))
      expect(error).toBeInstanceOf(StorageError)
      expect((error as Error).message).toBe(
        `artiflow: could not create directory ${root}/runs/Small/r1 (EPERM): operation not permitted: give this user write access there, or set ARTIFLOW_HOME to a directory it can write`
      )
      expect(await fs.readdir(root)).toEqual([])
    } finally {
      setImmutable(root, false)
    }
    // Once writable, the same store works: the refused run left nothing in the way.
    await run(Small, { store: localStore(root), log: quiet, runId: "r1" })
    expect(await readBack(localStore(root), "Small")).toEqual({ r1: { status: "succeeded", tasks: { "start/0": "succeeded" } } })
  })

  test.skipIf(noTmpfs !== undefined)("a read-only file system holding past runs: they read back, a new run is EROFS", async () => {
    const { mount, root } = await tmpfsStore("1m")
    const store = localStore(root)
    await run(Small, { store, log: quiet, runId: "r1" })
    remount(mount, "ro")
    expect(await readBack(store, "Small")).toEqual({ r1: { status: "succeeded", tasks: { "start/0": "succeeded" } } })
    const error = await rejection(run(Small, { store, log: quiet, runId: "r2" }))
    expect(error).toBeInstanceOf(StorageError)
    // The code and advice are wrong for now (ENOENT, see the known bug below); the path is right.
    expect((error as Error).message).toMatch(new RegExp(`^artiflow: could not create directory ${escape(root)}/runs/Small/r2 \\(`))
    const resumeError = await rejection(resume(Small, { store, log: quiet, runId: "r3" }))
    expect(resumeError).toBeInstanceOf(StorageError)
    expect(await readBack(store, "Small")).toEqual({ r1: { status: "succeeded", tasks: { "start/0": "succeeded" } } })
  })

  test.skipIf(noTmpfs !== undefined)("tagging a run on a read-only file system: EROFS naming the tag log's place; tags unchanged", async () => {
    const { mount, root } = await tmpfsStore("1m")
    await run(Small, { store: localStore(root), log: quiet, runId: "r1", tags: ["before"] })
    remount(mount, "ro")
    const handle = await Client.open(localStore(root)).run("Small", "r1")
    const error = await rejection(handle.addTags("after"))
    expect(error).toBeInstanceOf(StorageError)
    expect((error as Error).message).toBe(
      `artiflow: could not create directory ${root}/runs/Small/.tags (EROFS): the file system is read-only: set ARTIFLOW_HOME to a writable directory`
    )
    expect(handle.tags).toEqual(["before"])
    expect((await Client.open(localStore(root)).runs("Small")).map((r) => r.tags)).toEqual([["before"]])
    remount(mount, "rw")
    await handle.addTags("after")
    expect((await Client.open(localStore(root)).run("Small", "r1")).tags).toEqual(["after", "before"])
  })

  test.skipIf(noTmpfs !== undefined)("an empty read-only file system: StorageError naming the path", async () => {
    const { root } = await tmpfsStore("1m", ["ro"])
    const error = await rejection(run(Small, { store: localStore(root), log: quiet, runId: "r1" }))
    expect(error).toBeInstanceOf(StorageError)
    expect((error as Error).message).toContain(`artiflow: could not create directory ${root}`)
  })

  // Node's recursive mkdir reports ENOENT on a read-only file system; Directories.ensure finds the real cause.
  test.skipIf(noTmpfs !== undefined)("a read-only file system: the message says read-only (EROFS)", async () => {
    const { root } = await tmpfsStore("1m", ["ro"])
    const error = await rejection(run(Small, { store: localStore(root), log: quiet, runId: "r1" }))
    expect((error as Error).message).toBe(
      `artiflow: could not create directory ${root}/runs/Small/r1 (EROFS): the file system is read-only: set ARTIFLOW_HOME to a writable directory`
    )
  })

  test.skipIf(noTmpfs !== undefined)("turning read-only during a run: a typed error, earlier tasks readable, resume finishes", async () => {
    const { mount, root } = await tmpfsStore("4m")
    const store = localStore(root)
    let readOnly = true
    const F = diskFlow(() => {
      if (readOnly) remount(mount, "ro")
      return { big: new Uint8Array(randomBytes(200_000)) }
    })
    const error = await rejection(run(F, { store, log: quiet, runId: "r1" }))
    const message = error instanceof RunFailedError ? messageOfCause(error) : (error as Error).message
    expect(error instanceof RunFailedError || error instanceof StorageError).toBe(true)
    expect(message).toMatch(/\(EROFS\): the file system is read-only: set ARTIFLOW_HOME to a writable directory$/)
    const views = await readBack(store, "Disk")
    expect(views["r1"]?.tasks).toMatchObject({ "start/0": "succeeded" })
    expect(views["r1"]?.tasks["next/0"]).not.toBe("succeeded")
    remount(mount, "rw")
    readOnly = false
    const resumed = await resume(F, { store, log: quiet, origin: "r1", runId: "r2" })
    expect(resumed.artifacts.size).toBe(200_000)
    expect(await leftoverTemps(root)).toEqual([])
  })
})

const messageOfCause = (error: RunFailedError): string => (error.cause instanceof Error ? error.cause.message : String(error.cause))

describe("a full disk", () => {
  test.skipIf(noTmpfs !== undefined)("a 2 MiB tmpfs and a 3 MB artifact: RunFailedError caused by ENOSPC; resume after growing it", async () => {
    const { mount, root } = await tmpfsStore("2m")
    const store = localStore(root)
    const big = new Uint8Array(randomBytes(3_000_000))
    const F = diskFlow(() => ({ big }))
    const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
    expect([failure.step, failure.taskId]).toEqual(["next", "0"])
    expect(failure.cause).toBeInstanceOf(StorageError)
    expect(messageOfCause(failure)).toMatch(new RegExp(`^artiflow: could not write ${root}/tmp/[0-9a-f-]+ ${escape(ENOSPC_ADVICE)}$`))
    expect(await readBack(store, "Disk")).toEqual({
      r1: { status: "failed", tasks: { "start/0": "succeeded", "next/0": "failed" } }
    })
    expect(await leftoverTemps(root)).toEqual([])
    remount(mount, "size=8m")
    const resumed = await resume(F, { store, log: quiet, origin: "r1", runId: "r2" })
    expect(resumed.artifacts.size).toBe(3_000_000)
    const r2 = await Client.open(store).run("Disk", "r2")
    expect((await r2.step("start").tasks())[0]?.originTaskId).toBe("0")
    const loaded = (await (await r2.step("next").tasks())[0]?.artifact("big")) as Uint8Array
    expect(Buffer.compare(loaded, big)).toBe(0)
  })

  test("(fs layer) only small files fit: RunFailedError caused by ENOSPC; resume once there is space", async () => {
    const root = joinPath(await tempDir(), "store")
    const store = localStore(root)
    let full = true
    const refused = faultyDisk(root, (write) => (full && write.bytes > 64 * 1024 ? "torn" : "ok"))
    const F = diskFlow(() => ({ big: new Uint8Array(randomBytes(300_000)) }))
    const failure = await runFailure(run(F, { store, log: quiet, runId: "r1" }))
    expect(refused.map((write) => write.op)).toEqual(["writeFile"])
    expect([failure.step, failure.taskId]).toEqual(["next", "0"])
    expect(failure.cause).toBeInstanceOf(StorageError)
    expect(messageOfCause(failure)).toMatch(new RegExp(`^artiflow: could not write ${root}/tmp/[0-9a-f-]+ ${escape(ENOSPC_ADVICE)}$`))
    expect(failure.message).toContain("failed in step 'next' (task 0)")
    expect(await readBack(store, "Disk")).toEqual({
      r1: { status: "failed", tasks: { "start/0": "succeeded", "next/0": "failed" } }
    })
    expect(await leftoverTemps(root)).toEqual([])
    full = false
    const resumed = await resume(F, { store, log: quiet, origin: "r1", runId: "r2" })
    expect(resumed.artifacts.size).toBe(300_000)
  })

  // What happens today: the blob write fails, then so do the failed attempt's manifest (a torn append, cut
  // off on read) and run.json, so `run` rejects with the StorageError of that last write and the run stays
  // "running" in the store. Typed, with the right advice, and consistent: but see the known bug below.
  test("(fs layer) nothing fits any more: a typed ENOSPC error, the log stays intact, resume once there is space", async () => {
    const root = joinPath(await tempDir(), "store")
    const store = localStore(root)
    let full = false
    let filled = false
    const refused = faultyDisk(root, () => (full ? "torn" : "ok"))
    const F = diskFlow(() => {
      if (!filled) full = filled = true
      return { big: new Uint8Array(randomBytes(300_000)) }
    })
    const error = await rejection(run(F, { store, log: quiet, runId: "r1" }))
    expect(refused.length).toBeGreaterThan(0)
    expect(error instanceof RunFailedError || error instanceof StorageError).toBe(true)
    const message = error instanceof RunFailedError ? messageOfCause(error) : (error as Error).message
    expect(message).toMatch(new RegExp(`^artiflow: could not (write|append to|create directory) ${root}/.* ${escape(ENOSPC_ADVICE)}$`))
    full = false
    // Whatever was committed reads back; the torn writes left nothing visible.
    const views = await readBack(store, "Disk")
    expect(views["r1"]?.tasks["start/0"]).toBe("succeeded")
    expect(views["r1"]?.tasks["next/0"]).not.toBe("succeeded")
    expect(await leftoverTemps(root)).toEqual([])
    const resumed = await resume(F, { store, log: quiet, origin: "r1", runId: "r2" })
    expect(resumed.artifacts.size).toBe(300_000)
  })
})

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

describe("a full disk: what must not go wrong", () => {
  // When the failed attempt's manifest and run.json cannot be written either, the run still rejects with the
  // RunFailedError naming the step whose write failed (not a StorageError charged to no step).
  test("(fs layer) nothing fits any more: RunFailedError naming the step whose write failed", async () => {
    const root = joinPath(await tempDir(), "store")
    let full = false
    faultyDisk(root, () => (full ? "full" : "ok"))
    const F = diskFlow(() => {
      full = true
      return { big: new Uint8Array(randomBytes(300_000)) }
    })
    const failure = await runFailure(run(F, { store: localStore(root), log: quiet, runId: "r1" }))
    expect([failure.step, failure.taskId]).toEqual(["next", "0"])
    expect(messageOfCause(failure)).toContain(ENOSPC_ADVICE)
  })

  // A torn append (the disk filled up in the middle of a manifest record) must not stay in the log with the
  // next commits after it: that would make every read of the run fail, here a run that even succeeded.
  test("(fs layer) a torn manifest append in a foreach does not corrupt the run", async () => {
    const root = joinPath(await tempDir(), "store")
    const store = localStore(root)
    let tearNext = false
    faultyDisk(root, (write) => {
      if (!(tearNext && write.op === "appendFile")) return "ok"
      tearNext = false
      return "torn"
    })
    const F = pipe(
      flow("Torn"),
      step("start", () => ({ items: [0, 1, 2, 3] })),
      foreach(
        "items",
        step(
          "body",
          (_a, ctx) => {
            if (ctx.input === 1 && ctx.attempt === 0) tearNext = true
            return { y: ctx.input }
          },
          { retry: 1 }
        ),
        { concurrency: 1 }
      ),
      join("gather", (inputs) => ({ ys: inputs.map((i) => i.y) }))
    )
    // The torn commit fails attempt 0 of body/1 (its failed manifest lands after the torn bytes); attempt 1
    // succeeds, and so does the run.
    const result = await run(F, { store, log: quiet, runId: "r1" })
    expect(result.artifacts.ys).toEqual([0, 1, 2, 3])
    const tasks = { "start/0": "succeeded", "body/0": "succeeded", "body/1": "succeeded", "body/2": "succeeded" }
    expect(await readBack(store, "Torn")).toEqual({
      r1: { status: "succeeded", tasks: { ...tasks, "body/3": "succeeded", "gather/0": "succeeded" } }
    })
  })
})

describe("a run cancelled through its signal", () => {
  /** A cancellation is charged to the run as a whole: step "(run)", task "-". */
  const expectAborted = (failure: RunFailedError, flowName: string, runId: string): void => {
    expect(failure.cause).toBeInstanceOf(RunAbortedError)
    expect([failure.flow, failure.runId, failure.step, failure.taskId]).toEqual([flowName, runId, "(run)", "-"])
    expect(failure.message).toBe(
      `artiflow: run '${runId}' of flow '${flowName}' failed in step '(run)' (task -): artiflow: run '${runId}' was aborted`
    )
  }

  test("before it starts: no task runs, the run is recorded failed, and resume runs it all", async () => {
    const store = localStore(joinPath(await tempDir(), "store"))
    let calls = 0
    const F = pipe(flow("AbortEarly"), step("start", () => ({ x: ++calls })))
    const failure = await runFailure(run(F, { store, log: quiet, runId: "r1", signal: AbortSignal.abort() }))
    expectAborted(failure, "AbortEarly", "r1")
    expect(calls).toBe(0)
    expect(await readBack(store, "AbortEarly")).toEqual({ r1: { status: "failed", tasks: {} } })
    const resumed = await resume(F, { store, log: quiet, origin: "r1", runId: "r2" })
    expect(resumed.artifacts.x).toBe(1)
    expect((await readBack(store, "AbortEarly"))["r2"]).toEqual({ status: "succeeded", tasks: { "start/0": "succeeded" } })
  })

  test("during a foreach: finished tasks stay readable, and resume reuses them and runs the rest", async () => {
    const store = localStore(joinPath(await tempDir(), "store"))
    const controller = new AbortController()
    let abortAt: number | undefined = 2
    const F = pipe(
      flow("AbortForeach"),
      step("start", () => ({ items: [0, 1, 2, 3, 4, 5] })),
      foreach(
        "items",
        step("body", async (_a, ctx) => {
          if (ctx.input !== abortAt) return { y: ctx.input * 10 }
          setTimeout(() => controller.abort(), 10)
          return aborted(ctx.signal)
        }),
        { concurrency: 1 }
      ),
      join("gather", (inputs) => ({ ys: inputs.map((i) => i.y) }))
    )
    const failure = await runFailure(run(F, { store, log: quiet, runId: "r1", signal: controller.signal }))
    expectAborted(failure, "AbortForeach", "r1")
    expect(await readBack(store, "AbortForeach")).toEqual({
      r1: { status: "failed", tasks: { "start/0": "succeeded", "body/0": "succeeded", "body/1": "succeeded", "body/2": "failed" } }
    })
    abortAt = undefined
    const resumed = await resume(F, { store, log: quiet, origin: "r1", runId: "r2" })
    expect(resumed.artifacts.ys).toEqual([0, 10, 20, 30, 40, 50])
    const body = await (await Client.open(store).run("AbortForeach", "r2")).step("body").tasks()
    expect(body.map((task) => task.originTaskId)).toEqual(["0", "1", undefined, undefined, undefined, undefined])
  })

  test("during a long step that ignores its signal: the run stops at once and its late result is never committed", async () => {
    const store = localStore(joinPath(await tempDir(), "store"))
    const controller = new AbortController()
    let slow = true
    let lateResult: (() => void) | undefined
    const late = new Promise<void>((resolve) => (lateResult = resolve))
    const F = pipe(
      flow("AbortLong"),
      step("start", () => ({ x: 1 })),
      step("long", async (a) => {
        if (slow) {
          setTimeout(() => controller.abort(), 10)
          await delay(500)
          lateResult?.()
        }
        return { y: a.x + 1 }
      }),
      step("end", (a) => ({ z: a.y + 1 }))
    )
    const started = Date.now()
    const failure = await runFailure(run(F, { store, log: quiet, runId: "r1", signal: controller.signal }))
    // Cut off when the signal aborted, not when the step finally returned (500 ms).
    expect(Date.now() - started).toBeLessThan(400)
    expectAborted(failure, "AbortLong", "r1")
    await late
    await delay(20)
    expect(await readBack(store, "AbortLong")).toEqual({
      r1: { status: "failed", tasks: { "start/0": "succeeded", "long/0": "failed" } }
    })
    slow = false
    const resumed = await resume(F, { store, log: quiet, origin: "r1", runId: "r2" })
    expect(resumed.artifacts).toEqual({ x: 1, y: 2, z: 3 })
  })
})
