/** Parameters and included files at run start: decoding, defaults, errors before any run exists, storage. */
import { writeFile } from "node:fs/promises"
import { join as joinPath } from "node:path"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { loadValue } from "../../lib/datastore/load.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import { ParamError } from "../../lib/errors.js"
import { flow, includeFile, param, run, step } from "../../lib/index.js"
import { readMeta } from "./manifests.js"
import { forEachStore, quiet, tempDir } from "../stores.js"
import { js } from "./untyped.js"

/** A codec that decodes numeric strings, to show that run uses the codec's output, not the raw value. */
const NumberFromString = new t.Type<number, string, unknown>(
  "NumberFromString",
  (u): u is number => typeof u === "number",
  (u, c) =>
    typeof u === "string" && u.trim() !== "" && !Number.isNaN(Number(u)) ? t.success(Number(u)) : t.failure(u, c),
  String
)

const Params = pipe(
  flow("Params", {
    params: {
      n: param(t.number, { default: 3, help: "how many" }),
      tag: param(t.string),
      count: param(NumberFromString, { default: 1 })
    }
  }),
  step("start", (a) => ({ seen: { n: a.n, tag: a.tag, count: a.count } }))
)

/** Awaits a run that must be refused for its parameters, and checks that no run was created. */
const paramFailure = async (store: Datastore, running: Promise<unknown>): Promise<ParamError> => {
  const error = await running.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ParamError)
  expect(await store.listFlows()).toEqual([])
  return error as ParamError
}

forEachStore((_name, makeStore) => {
  describe("parameters", () => {
    test("defaults are applied and codecs decode the given values", async () => {
      const params = { tag: "nightly", count: "7" as never }
      const result = await run(Params, { params, store: await makeStore(), log: quiet })
      expect(result.artifacts.seen).toEqual({ n: 3, tag: "nightly", count: 7 })
    })

    test("a value the codec rejects is a ParamError naming param, type and value; no run is created", async () => {
      const store = await makeStore()
      const error = await paramFailure(store, js.run(Params, { params: { tag: "x", n: "3" }, store, log: quiet }))
      expect(error.param).toBe("n")
      expect(error.message).toBe(`artiflow: flow 'Params': parameter 'n' expects number, received "3"`)
    })

    test("an unknown parameter is refused, listing the parameters", async () => {
      const store = await makeStore()
      const error = await paramFailure(store, js.run(Params, { params: { tag: "x", nn: 1 }, store, log: quiet }))
      expect(error.param).toBe("nn")
      expect(error.message).toBe("artiflow: flow 'Params' has no parameter 'nn' (parameters: n, tag, count)")
    })

    test("a missing required parameter is refused", async () => {
      const store = await makeStore()
      const error = await paramFailure(store, js.run(Params, { params: {}, store, log: quiet }))
      expect(error.param).toBe("tag")
      expect(error.message).toBe("artiflow: flow 'Params': parameter 'tag' is required (string): pass it in params")
    })

    test("params that are not an object are refused", async () => {
      const store = await makeStore()
      const error = await paramFailure(store, js.run(Params, { params: ["tag"], store, log: quiet }))
      expect(error.message).toBe("artiflow: flow 'Params': params must be an object of parameter values")
    })

    test("values and definitions are stored in RunMeta and load back with loadValue", async () => {
      const store = await makeStore()
      const result = await run(Params, { params: { tag: "nightly" }, store, log: quiet, runId: "r1" })
      const meta = await readMeta(store, "Params", "r1")
      expect(Object.keys(meta.params).sort()).toEqual(["count", "n", "tag"])
      const loaded: Record<string, unknown> = {}
      for (const [artifact, entry] of Object.entries(meta.params)) {
        const where = { flow: "Params", runId: "r1", step: "(params)", taskId: "-", artifact }
        loaded[artifact] = await loadValue(store, entry, where)
      }
      expect(loaded).toEqual({ n: 3, tag: "nightly", count: 1 })
      expect(result.artifacts.seen).toEqual(loaded)
      expect({ ...meta.paramDefs }).toEqual({
        n: { kind: "param", type: "number", required: false, help: "how many", default: "3" },
        tag: { kind: "param", type: "string", required: true },
        count: { kind: "param", type: "NumberFromString", required: false, default: "1" }
      })
      const [start] = await store.readManifests("Params", "r1")
      expect(start?.base).toBeUndefined()
      expect(Object.keys(start?.artifacts ?? {})).toEqual(["seen"])
    })
  })

  describe("included files", () => {
    const Files = pipe(
      flow("Files", {
        params: {
          text: includeFile(),
          bytes: includeFile({ encoding: "binary", required: false }),
          optional: includeFile({ required: false })
        }
      }),
      step("start", (a) => ({ text2: a.text, bytes2: a.bytes, optional2: a.optional ?? "absent" }))
    )

    test("utf8 files are strings, binary files Uint8Arrays, and an optional file left out is undefined", async () => {
      const store = await makeStore()
      const dir = await tempDir()
      await writeFile(joinPath(dir, "a.txt"), "héllo\n")
      await writeFile(joinPath(dir, "b.bin"), new Uint8Array([0, 255, 7]))
      const params = { text: joinPath(dir, "a.txt"), bytes: joinPath(dir, "b.bin") }
      const result = await run(Files, { params, store, log: quiet, runId: "r1" })
      expect(result.artifacts.text).toBe("héllo\n")
      expect(result.artifacts.bytes).toBeInstanceOf(Uint8Array)
      expect([...(result.artifacts.bytes ?? [])]).toEqual([0, 255, 7])
      expect(result.artifacts.optional).toBeUndefined()
      expect(result.artifacts.optional2).toBe("absent")
      const meta = await readMeta(store, "Files", "r1")
      const where = { flow: "Files", runId: "r1", step: "(params)", taskId: "-", artifact: "bytes" }
      expect(await loadValue(store, meta.params.bytes!, where)).toEqual(new Uint8Array([0, 255, 7]))
      expect(meta.paramDefs.text).toMatchObject({ kind: "file", type: "file (utf8)", required: true })
    })

    test("a missing file is a ParamError naming the path; no run is created", async () => {
      const store = await makeStore()
      const path = joinPath(await tempDir(), "nope.txt")
      const error = await paramFailure(store, run(Files, { params: { text: path }, store, log: quiet }))
      expect(error.param).toBe("text")
      expect(error.message).toBe(
        `artiflow: flow 'Files': file parameter 'text' cannot read '${path}' (ENOENT): pass a readable file`
      )
    })

    test("a required file without a path is refused", async () => {
      const store = await makeStore()
      const error = await paramFailure(store, js.run(Files, { params: {}, store, log: quiet }))
      expect(error.message).toBe("artiflow: flow 'Files': file parameter 'text' is required: pass a path")
    })

    test("a default path is read when none is given", async () => {
      const dir = await tempDir()
      await writeFile(joinPath(dir, "d.txt"), "default content")
      const F = pipe(
        flow("FileDefault", { params: { d: includeFile({ default: joinPath(dir, "d.txt") }) } }),
        step("start", (a) => ({ len: a.d.length }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts).toEqual({ d: "default content", len: 15 })
    })
  })
})
