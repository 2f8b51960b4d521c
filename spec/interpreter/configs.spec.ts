/**
 * Configs at run start (DESIGN.md §11): files read (the default path relative to the working directory, or
 * the path given to run), parsed (JSON, or the config's own parser) and decoded with the codec, or values
 * given to run; read-only artifacts from the first step on; recorded with the run (value and source path);
 * reused by resume without reading the files again. Every problem is a ParamError naming the config, the
 * file and the problem, and no run is created.
 */
import { rm, writeFile } from "node:fs/promises"
import { join as joinPath, relative } from "node:path"
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expect, test } from "vitest"
import { loadValue } from "../../lib/datastore/load.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import { FlowDefinitionError, ParamError } from "../../lib/errors.js"
import { Client, config, flow, param, resume, run, step } from "../../lib/index.js"
import { configWrite } from "../../lib/types/messages.js"
import { expectCause, runFailure } from "./failure.js"
import { readMeta } from "./manifests.js"
import { forEachStore, quiet, tempDir } from "../stores.js"
import { chain, js } from "./untyped.js"

const Model = t.type({ layers: t.number, activation: t.union([t.literal("relu"), t.literal("tanh")]) })

/** A flow whose config has a default file, written by each test. */
const trainFlow = (defaultPath: string) =>
  pipe(
    flow("Train", {
      params: { lr: param(t.number, { default: 0.1 }) },
      configs: { model: config(Model, { default: defaultPath, help: "network shape" }) }
    }),
    step("start", (a) => ({ width: a.model.layers * 64, seen: a.model, lr2: a.lr * 2 }))
  )

const Required = pipe(
  flow("Required", { configs: { model: config(Model) } }),
  step("start", (a) => ({ layers: a.model.layers }))
)

/** A JSON file in a fresh temp directory. */
const jsonFile = async (name: string, value: unknown): Promise<string> => {
  const path = joinPath(await tempDir(), name)
  await writeFile(path, JSON.stringify(value))
  return path
}

/** Awaits a run that must be refused for its configs, and checks that no run was created. */
const configFailure = async (store: Datastore, running: Promise<unknown>): Promise<ParamError> => {
  const error = await running.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ParamError)
  expect(await store.listFlows()).toEqual([])
  return error as ParamError
}

forEachStore((_name, makeStore) => {
  describe("reading configs", () => {
    test("the default path, relative to the working directory, is read, parsed as JSON and decoded", async () => {
      const path = await jsonFile("model.json", { layers: 2, activation: "relu" })
      const F = trainFlow(relative(process.cwd(), path))
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts.model).toEqual({ layers: 2, activation: "relu" })
      expect(result.artifacts.width).toBe(128)
      expect(result.artifacts.seen).toEqual({ layers: 2, activation: "relu" })
      expect(result.artifacts.lr2).toBe(0.2)
    })

    test("{ path } replaces the default, { value } is decoded without any file", async () => {
      const other = await jsonFile("other.json", { layers: 5, activation: "tanh" })
      const F = trainFlow(joinPath(await tempDir(), "absent.json"))
      const fromPath = await run(F, { configs: { model: { path: other } }, store: await makeStore(), log: quiet })
      expect(fromPath.artifacts.model).toEqual({ layers: 5, activation: "tanh" })
      const fromValue = await run(F, { configs: { model: { value: { layers: 1, activation: "relu" } } }, store: await makeStore(), log: quiet })
      expect(fromValue.artifacts.width).toBe(64)
    })

    test("the value a step sees is deeply frozen", async () => {
      const path = await jsonFile("model.json", { layers: 2, activation: "relu" })
      let frozen: boolean | undefined
      const F = pipe(
        flow("Frozen", { configs: { model: config(t.type({ sizes: t.array(t.number) }), { default: path }) } }),
        step("start", (a) => {
          frozen = Object.isFrozen(a.model) && Object.isFrozen(a.model.sizes)
          return {}
        })
      )
      await writeFile(path, JSON.stringify({ sizes: [1, 2] }))
      await run(F, { store: await makeStore(), log: quiet })
      expect(frozen).toBe(true)
    })

    test("a config's own parse reads other formats; its output is decoded by the codec", async () => {
      const dir = await tempDir()
      const path = joinPath(dir, "model.conf")
      await writeFile(path, "layers = 3\nactivation = tanh\n")
      const parseConf = (text: string): unknown =>
        Object.fromEntries(
          text
            .trim()
            .split("\n")
            .map((line) => line.split("=").map((part) => part.trim()))
            .map(([key, value]) => [key, key === "layers" ? Number(value) : value])
        )
      const F = pipe(
        flow("Conf", { configs: { model: config(Model, { default: path, parse: parseConf }) } }),
        step("start", (a) => ({ layers: a.model.layers }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts).toEqual({ model: { layers: 3, activation: "tanh" }, layers: 3 })
    })

    test("a UTF-8 byte order mark at the start of a JSON file is ignored", async () => {
      const path = joinPath(await tempDir(), "bom.json")
      await writeFile(path, `\uFEFF${JSON.stringify({ layers: 4, activation: "relu" })}`)
      const result = await run(Required, { configs: { model: { path } }, store: await makeStore(), log: quiet })
      expect(result.artifacts.layers).toBe(4)
    })

    test("a codec's decoded type, not the file's, is the artifact (a date from a string)", async () => {
      const DateFromString = new t.Type<Date, string, unknown>(
        "DateFromString",
        (u): u is Date => u instanceof Date,
        (u, c) => (typeof u === "string" && !Number.isNaN(Date.parse(u)) ? t.success(new Date(u)) : t.failure(u, c)),
        (d) => d.toISOString()
      )
      const path = await jsonFile("since.json", "2024-03-01T00:00:00.000Z")
      const F = pipe(
        flow("Since", { configs: { since: config(DateFromString, { default: path }) } }),
        step("start", (a) => ({ year: a.since.getUTCFullYear() }))
      )
      const result = await run(F, { store: await makeStore(), log: quiet })
      expect(result.artifacts.since).toBeInstanceOf(Date)
      expect(result.artifacts.year).toBe(2024)
    })
  })

  describe("recorded with the run", () => {
    test("the value in the run's first record, the definition (kind config) and the absolute source path", async () => {
      const store = await makeStore()
      const path = await jsonFile("model.json", { layers: 2, activation: "relu" })
      await run(trainFlow(relative(process.cwd(), path)), { store, log: quiet, runId: "r1" })
      const meta = await readMeta(store, "Train", "r1")
      expect(Object.keys(meta.params).sort()).toEqual(["lr", "model"])
      const where = { flow: "Train", runId: "r1", step: "(params)", taskId: "-", artifact: "model" }
      expect(await loadValue(store, meta.params["model"]!, where)).toEqual({ layers: 2, activation: "relu" })
      expect(meta.paramDefs["model"]).toEqual({
        kind: "config",
        type: Model.name,
        required: false,
        help: "network shape",
        default: JSON.stringify(relative(process.cwd(), path))
      })
      expect(meta.paramDefs["lr"]).toMatchObject({ kind: "param" })
      expect(meta.configs).toEqual({ model: { from: "file", path } })
    })

    test("a value given to run is recorded as such", async () => {
      const store = await makeStore()
      await run(Required, { configs: { model: { value: { layers: 1, activation: "tanh" } } }, store, log: quiet, runId: "r1" })
      const meta = await readMeta(store, "Required", "r1")
      expect(meta.configs).toEqual({ model: { from: "value" } })
      expect(meta.paramDefs["model"]).toEqual({ kind: "config", type: Model.name, required: true })
    })

    test("a flow without configs records none (its metadata is as before configs)", async () => {
      const store = await makeStore()
      await run(pipe(flow("Plain"), step("start", () => ({ n: 1 }))), { store, log: quiet, runId: "r1" })
      expect(Object.keys(await readMeta(store, "Plain", "r1"))).not.toContain("configs")
    })

    test("the client shows configs apart from parameters; artifact(name) reads them too", async () => {
      const store = await makeStore()
      const path = await jsonFile("model.json", { layers: 2, activation: "relu" })
      const { runId } = await run(trainFlow(path), { store, log: quiet })
      const handle = await Client.open(store).run("Train", runId)
      expect(handle.params).toEqual({ lr: 0.1 })
      expect(handle.configs).toEqual({ model: { layers: 2, activation: "relu" } })
      expect(handle.configSources).toEqual({ model: { from: "file", path } })
      expect(await handle.artifact("model")).toEqual({ layers: 2, activation: "relu" })
      expect(await handle.artifactNames()).toEqual(["lr", "lr2", "model", "seen", "width"])
      const [start] = await handle.step("start").tasks()
      expect(await start?.artifact("model")).toEqual({ layers: 2, activation: "relu" })
    })

    test("a flow without steps ends with its configs: the client reads them as its final record", async () => {
      const store = await makeStore()
      const { runId } = await run(flow("Bare", { configs: { model: config(Model) } }), {
        configs: { model: { value: { layers: 7, activation: "relu" } } },
        store,
        log: quiet
      })
      const handle = await Client.open(store).run("Bare", runId)
      expect(await handle.artifactNames()).toEqual(["model"])
      expect(await handle.artifact("model")).toEqual({ layers: 7, activation: "relu" })
      await expect(handle.artifact("nope" as never)).rejects.toThrow(`artiflow: run '${runId}' has no artifact 'nope' (artifacts: 'model')`)
    })
  })

  describe("resume reuses the origin's configs", () => {
    test("without reading the file again: a changed or deleted file does not matter", async () => {
      const store = await makeStore()
      const path = await jsonFile("model.json", { layers: 2, activation: "relu" })
      let failOnce = true
      const F = pipe(
        flow("Flaky", { configs: { model: config(Model, { default: path }) } }),
        step("start", (a) => ({ layers: a.model.layers })),
        step("end", (a) => {
          if (failOnce) throw new Error("not yet")
          return { out: a.layers + a.model.layers }
        })
      )
      const failure = await runFailure(run(F, { store, log: quiet, runId: "origin" }))
      expect(failure.step).toBe("end")
      await writeFile(path, JSON.stringify({ layers: 99, activation: "tanh" }))
      failOnce = false
      const resumed = await resume(F, { store, log: quiet, runId: "again" })
      expect(resumed.artifacts).toEqual({ model: { layers: 2, activation: "relu" }, layers: 2, out: 4 })
      const meta = await readMeta(store, "Flaky", "again")
      expect(meta.configs).toEqual({ model: { from: "file", path } })
      expect(meta.params["model"]).toEqual((await readMeta(store, "Flaky", "origin")).params["model"])

      await rm(path)
      const again = await resume(F, { store, log: quiet, origin: "again", from: "start" })
      expect(again.artifacts.out).toBe(4)
      expect((await Client.open(store).run("Flaky", again.runId)).configs).toEqual({ model: { layers: 2, activation: "relu" } })
    })

    test("resume takes no configs (plain JavaScript could pass them)", async () => {
      const resumeUntyped = resume as unknown as (flow: unknown, options: unknown) => Promise<unknown>
      await expect(resumeUntyped(Required, { configs: { model: { path: "m.json" } }, store: await makeStore() })).rejects.toThrow(
        new FlowDefinitionError(
          "artiflow: resume of flow 'Required' takes no configs: a resumed run reuses its origin's (start a new run with run(flow, { configs }) to use others)"
        )
      )
    })

    test("a config that was a parameter in the origin run (or is new) cannot be resumed", async () => {
      const store = await makeStore()
      const Before = pipe(flow("Moved", { params: { model: param(Model) } }), step("start", () => ({ n: 1 })))
      await run(Before, { params: { model: { layers: 1, activation: "relu" } }, store, log: quiet, runId: "origin" })
      const After = pipe(flow("Moved", { configs: { model: config(Model) } }), step("start", () => ({ n: 1 })))
      await expect(resume(After, { store, log: quiet })).rejects.toThrow(
        new FlowDefinitionError(
          "artiflow: cannot resume run 'origin' of flow 'Moved': 'model' is a config of the flow but was a parameter in that run: start a new run"
        )
      )
      const Added = pipe(
        flow("Moved", { params: { model: param(Model) }, configs: { extra: config(t.number) } }),
        step("start", () => ({ n: 1 }))
      )
      await expect(resume(Added, { store, log: quiet })).rejects.toThrow(
        "artiflow: cannot resume run 'origin' of flow 'Moved': its parameters and configs ('model') differ from the flow's ('extra', 'model'): start a new run"
      )
    })
  })

  describe("configs are read-only at run time", () => {
    test("a step writing a config (plain JavaScript) fails with the compiler's message, without retry", async () => {
      const store = await makeStore()
      const F = chain(
        js.flow("WriteConfig", { configs: { model: config(Model) } }),
        js.step("bad", () => ({ model: { layers: 0, activation: "relu" } }), { retry: 2 })
      )
      const configs = { model: { value: { layers: 1, activation: "relu" } } }
      const failure = await runFailure(js.run(F, { configs, store, log: quiet, runId: "r1" }))
      expectCause(failure, FlowDefinitionError, configWrite("bad", "model"))
      const manifests = await store.readManifests("WriteConfig", "r1")
      expect(manifests.map((m) => [m.step, m.attempt, m.status])).toEqual([["bad", 0, "failed"]])
    })
  })

  describe("bad configs are ParamErrors naming the config, the file and the problem; no run is created", () => {
    test("a missing default file", async () => {
      const store = await makeStore()
      const path = joinPath(await tempDir(), "absent.json")
      const error = await configFailure(store, run(trainFlow(path), { store, log: quiet }))
      expect(error.param).toBe("model")
      expect(error.message).toBe(`artiflow: flow 'Train': config 'model' cannot read '${path}' (ENOENT): pass a readable file`)
    })

    test("a directory instead of a file", async () => {
      const store = await makeStore()
      const dir = await tempDir()
      const error = await configFailure(store, run(Required, { configs: { model: { path: dir } }, store, log: quiet }))
      expect(error.message).toBe(`artiflow: flow 'Required': config 'model' cannot read '${dir}' (EISDIR: it is a directory): pass a readable file`)
    })

    test("a file that is not JSON, with JSON.parse's reason", async () => {
      const store = await makeStore()
      const path = joinPath(await tempDir(), "bad.json")
      await writeFile(path, "{ layers: 2 }")
      const error = await configFailure(store, run(Required, { configs: { model: { path } }, store, log: quiet }))
      expect(error.param).toBe("model")
      expect(error.message).toMatch(
        new RegExp(
          `^artiflow: flow 'Required': config 'model': '${path}' is not valid JSON \\(.*property name.*\\): fix the file, or give the config a parse function for its format$`
        )
      )
    })

    test("a parse function that throws: its message, the config and the file", async () => {
      const store = await makeStore()
      const path = joinPath(await tempDir(), "model.yaml")
      await writeFile(path, "layers: [")
      const F = pipe(
        flow("Yaml", {
          configs: {
            model: config(Model, {
              default: path,
              parse: () => {
                throw new Error("unexpected end of the stream within a flow collection (1:10)")
              }
            })
          }
        }),
        step("start", () => ({}))
      )
      const error = await configFailure(store, run(F, { store, log: quiet }))
      expect(error.message).toBe(
        `artiflow: flow 'Yaml': config 'model': its parse function failed on '${path}' (unexpected end of the stream within a flow collection (1:10)): fix the file or the parse function`
      )
    })

    test("a parse function that returns a promise", async () => {
      const store = await makeStore()
      const path = await jsonFile("model.json", {})
      const F = pipe(
        flow("Async", { configs: { model: config(Model, { default: path, parse: async (text) => JSON.parse(text) }) } }),
        step("start", () => ({}))
      )
      const error = await configFailure(store, run(F, { store, log: quiet }))
      expect(error.message).toBe(
        `artiflow: flow 'Async': config 'model': its parse function returned a Promise for '${path}': parse must return the value itself`
      )
    })

    test("a file whose value the codec rejects: the field, the type expected and the value found", async () => {
      const store = await makeStore()
      const path = await jsonFile("model.json", { layers: "2", activation: "relu" })
      const error = await configFailure(store, run(trainFlow(path), { store, log: quiet }))
      expect(error.param).toBe("model")
      expect(error.message).toBe(
        `artiflow: flow 'Train': config 'model' in '${path}' expects ${Model.name}, received an object (at layers: expected number, received "2")`
      )
    })

    test("a value given to run that the codec rejects", async () => {
      const store = await makeStore()
      const error = await configFailure(
        store,
        js.run(Required, { configs: { model: { value: { layers: 2, activation: "sigmoid" } } }, store, log: quiet })
      )
      expect(error.message).toBe(
        `artiflow: flow 'Required': config 'model' (given as a value) expects ${Model.name}, received an object`
      )
    })

    test("a required config that is not given", async () => {
      const store = await makeStore()
      for (const options of [{}, { configs: {} }, { configs: { model: undefined } }]) {
        const error = await configFailure(store, js.run(Required, { ...options, store, log: quiet }))
        expect(error.message).toBe(
          `artiflow: flow 'Required': config 'model' is required (${Model.name}): pass configs: { model: { path } } or { value } (CLI: --config model <path>)`
        )
      }
    })

    test("both path and value, neither, or something else", async () => {
      const store = await makeStore()
      const both = { model: { path: "m.json", value: { layers: 1, activation: "relu" } } }
      expect((await configFailure(store, js.run(Required, { configs: both, store, log: quiet }))).message).toBe(
        "artiflow: flow 'Required': config 'model' takes either { path } or { value }, but was given both"
      )
      expect((await configFailure(store, js.run(Required, { configs: { model: {} }, store, log: quiet }))).message).toBe(
        "artiflow: flow 'Required': config 'model' takes either { path } or { value }, but was given neither"
      )
      expect((await configFailure(store, js.run(Required, { configs: { model: "m.json" }, store, log: quiet }))).message).toBe(
        `artiflow: flow 'Required': config 'model' takes { path } or { value }, received "m.json"`
      )
      expect((await configFailure(store, js.run(Required, { configs: { model: { path: 3 } }, store, log: quiet }))).message).toBe(
        "artiflow: flow 'Required': config 'model' expects a path (a non-empty string), received 3"
      )
    })

    test("an unknown config name lists the configs; configs that are not an object", async () => {
      const store = await makeStore()
      const unknown = await configFailure(store, js.run(Required, { configs: { modle: { path: "m.json" } }, store, log: quiet }))
      expect(unknown.param).toBe("modle")
      expect(unknown.message).toBe("artiflow: flow 'Required' has no config 'modle' (configs: 'model')")
      const none = await configFailure(store, js.run(flow("None"), { configs: { x: { value: 1 } }, store, log: quiet }))
      expect(none.message).toBe("artiflow: flow 'None' has no config 'x' (configs: none)")
      const proto = await configFailure(store, js.run(Required, { configs: JSON.parse('{"__proto__": {"value": 1}}'), store, log: quiet }))
      expect(proto.message).toBe("artiflow: flow 'Required' has no config '__proto__' (configs: 'model')")
      const array = await configFailure(store, js.run(Required, { configs: [], store, log: quiet }))
      expect(array.message).toBe("artiflow: flow 'Required': configs must be an object: { <config>: { path } or { value } }")
    })

    test("a codec that throws is reported naming the config", async () => {
      const store = await makeStore()
      const Throwing = new t.Type<number, number, unknown>(
        "Throwing",
        (u): u is number => typeof u === "number",
        () => {
          throw new Error("boom")
        },
        (n) => n
      )
      const F = pipe(flow("Throws", { configs: { n: config(Throwing) } }), step("start", () => ({})))
      const error = await configFailure(store, run(F, { configs: { n: { value: 1 } }, store, log: quiet }))
      expect(error.message).toBe("artiflow: flow 'Throws': config 'n' (given as a value): its codec Throwing threw while decoding (boom): fix the codec")
    })

    test("parameters are checked before configs", async () => {
      const store = await makeStore()
      const F = pipe(flow("Both", { params: { n: param(t.number) }, configs: { model: config(Model) } }), step("start", () => ({})))
      const error = await configFailure(store, js.run(F, { params: { n: "x" }, store, log: quiet }))
      expect(error.param).toBe("n")
    })
  })
})
