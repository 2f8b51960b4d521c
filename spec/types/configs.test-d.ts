/**
 * Configs (DESIGN.md §11): a config's artifact is typed by its codec, it is read-only like a parameter (the
 * same message as at run time), its name cannot be a parameter's, and `run`'s `configs` option takes `{ path }`
 * or a `{ value }` of the codec's input type, and is required when a config has no default path.
 */
import { pipe } from "fp-ts/lib/function.js"
import * as t from "io-ts"
import { describe, expectTypeOf, test } from "vitest"
import { config, flow, join, param, resume, run, split, step, subflow, use } from "../../lib/index.js"
import type { ArtifactsOf, Config, ConfigSource, FlowOptions, Param, RunResult, StateOf } from "../../lib/index.js"
import type { ConfigClash, ConfigWrite, ParamWrite } from "../../lib/types/messages.js"
import type { NameParam, UseParam } from "./helpers.js"

const Model = t.type({ layers: t.number, activation: t.union([t.literal("relu"), t.literal("tanh")]) })

/** A codec whose input (a string in the file) differs from its value (a Date). */
const DateFromString = new t.Type<Date, string, unknown>(
  "DateFromString",
  (u): u is Date => u instanceof Date,
  (u, c) => (typeof u === "string" ? t.success(new Date(u)) : t.failure(u, c)),
  (d) => d.toISOString()
)

const Train = pipe(
  flow("Train", {
    params: { lr: param(t.number, { default: 0.1 }) },
    configs: {
      model: config(Model, { default: "model.json", help: "network shape" }),
      since: config(DateFromString, { default: "since.json", parse: (text) => text.trim() })
    }
  }),
  step("start", (a) => ({ width: a.model.layers * 64, year: a.since.getFullYear() }))
)

const Required = pipe(
  flow("Required", { configs: { model: config(Model) } }),
  step("start", (a) => ({ layers: a.model.layers }))
)

describe("a config's value in the record", () => {
  test("is the codec's type, from the first step on, next to the parameters", () => {
    expectTypeOf<ArtifactsOf<typeof Train>>().toEqualTypeOf<{
      readonly lr: number
      readonly model: { layers: number; activation: "relu" | "tanh" }
      readonly since: Date
      readonly width: number
      readonly year: number
    }>()
    pipe(
      Required,
      step("next", (a) => {
        expectTypeOf(a.model.activation).toEqualTypeOf<"relu" | "tanh">()
        return {}
      })
    )
  })

  test("config says whether it is required", () => {
    expectTypeOf(config(Model)).toEqualTypeOf<Config<typeof Model, true>>()
    expectTypeOf(config(Model, { help: "no default" })).toEqualTypeOf<Config<typeof Model, true>>()
    expectTypeOf(config(Model, { default: "m.json" })).toEqualTypeOf<Config<typeof Model, false>>()
  })

  test("config's options are typed", () => {
    // @ts-expect-error: the default is a path, not a value of the codec's type
    config(t.number, { default: 3 })
    // @ts-expect-error: parse takes the file's text, not a Buffer
    config(t.number, { parse: (bytes: Buffer) => bytes.length })
    // @ts-expect-error: a bare codec is not a config declaration
    flow("Bad", { configs: { model: Model } })
  })
})

describe("configs are read-only", () => {
  test("a step writing a config: the message on the step's name", () => {
    pipe(
      Train,
      // @ts-expect-error: 'model' is a config
      step("tune", () => ({ model: { layers: 3, activation: "relu" as const } }))
    )
    type Output = { readonly model: { layers: number; activation: "relu" } }
    expectTypeOf<NameParam<typeof step<StateOf<typeof Train>, "tune", Output>>>().toEqualTypeOf<
      ConfigWrite<"tune", "model">
    >()
    expectTypeOf<ConfigWrite<"tune", "model">>().toEqualTypeOf<"artiflow: step 'tune' writes config 'model': configs are read-only (return a new artifact name instead)">()
  })

  test("parameters keep their own message next to configs", () => {
    type Output = { readonly lr: number }
    expectTypeOf<NameParam<typeof step<StateOf<typeof Train>, "tune", Output>>>().toEqualTypeOf<ParamWrite<"tune", "lr">>()
  })

  test("a join writing a config, a catch naming one, a subflow writing one", () => {
    const Split = pipe(Train, split({ a: step("a", () => ({ x: 1 })), b: step("b", () => ({ y: 2 })) }))
    // @ts-expect-error: a join function cannot write the config 'model'
    pipe(Split, join("merge", () => ({ model: { layers: 1, activation: "tanh" as const } })))
    // @ts-expect-error: catch would write the error into the config 'since'
    pipe(Train, step("risky", () => ({ z: 1 }), { catch: "since" }))
    const Writes = subflow({}, (f) => pipe(f, step("inner", () => ({ z: 1 }), { catch: "model" })))
    // @ts-expect-error: the fragment's catch writes the config 'model'
    pipe(Train, use(Writes))
    expectTypeOf<UseParam<typeof Train, typeof Writes>>().toEqualTypeOf<ConfigWrite<"(in a subflow)", "model">>()
  })

  test("a new artifact name is fine", () => {
    const F = pipe(Train, step("tune", (a) => ({ tuned: { ...a.model, layers: a.model.layers + 1 } })))
    expectTypeOf<ArtifactsOf<typeof F>["tuned"]>().toEqualTypeOf<{ layers: number; activation: "relu" | "tanh" }>()
  })
})

describe("config names", () => {
  test("a config cannot have a parameter's name: the message on that config", () => {
    flow("Clash", {
      params: { model: param(t.string) },
      // @ts-expect-error: 'model' is a parameter already
      configs: { model: config(Model), other: config(t.number) }
    })
    type Params = { readonly model: Param<t.StringC, true> }
    type Configs = { readonly model: Config<typeof Model, true>; readonly other: Config<t.NumberC, true> }
    type Checked = NonNullable<FlowOptions<Params, Configs>["configs"]>
    expectTypeOf<Checked["model"]>().toEqualTypeOf<Config<typeof Model, true> & ConfigClash<"model">>()
    expectTypeOf<Checked["other"]>().toEqualTypeOf<Config<t.NumberC, true>>()
    expectTypeOf<ConfigClash<"model">>().toEqualTypeOf<"artiflow: config 'model' has the name of a parameter: configs and parameters are artifacts of one record (rename one of them)">()
  })
})

describe("what run accepts", () => {
  test("configs with a default path are optional; each takes { path } or { value } of the codec's input type", () => {
    expectTypeOf<StateOf<typeof Train>["meta"]["configs"]>().toEqualTypeOf<{
      readonly model?: ConfigSource<{ layers: number; activation: "relu" | "tanh" }>
      readonly since?: ConfigSource<string>
    }>()
    expectTypeOf(run(Train)).toEqualTypeOf<Promise<RunResult<ArtifactsOf<typeof Train>>>>()
    void run(Train, { configs: { model: { path: "other.json" } } })
    void run(Train, { configs: { model: { value: { layers: 2, activation: "tanh" } }, since: { value: "2024-01-01" } } })
  })

  test("a config without a default makes configs required", () => {
    // @ts-expect-error: Required has a config without a default, so options with configs are required
    void run(Required)
    // @ts-expect-error: 'model' must be given
    void run(Required, { configs: {} })
    // @ts-expect-error: configs are required even when other options are given
    void run(Required, { maxWorkers: 2 })
    void run(Required, { configs: { model: { path: "model.json" } } })
  })

  test("a { value } of the wrong type, both path and value, neither, or an unknown config are compile errors", () => {
    // @ts-expect-error: layers is a number
    void run(Required, { configs: { model: { value: { layers: "2", activation: "relu" } } } })
    // @ts-expect-error: 'sigmoid' is not an activation the codec accepts
    void run(Required, { configs: { model: { value: { layers: 2, activation: "sigmoid" } } } })
    // @ts-expect-error: since's input is the string the file holds, not a Date
    void run(Train, { configs: { since: { value: new Date() } } })
    // @ts-expect-error: path and value together
    void run(Required, { configs: { model: { path: "m.json", value: { layers: 2, activation: "relu" } } } })
    // @ts-expect-error: neither path nor value
    void run(Required, { configs: { model: {} } })
    // @ts-expect-error: Train has no config 'data'
    void run(Train, { configs: { data: { path: "d.json" } } })
  })

  test("resume takes no configs: a resumed run reuses its origin's", () => {
    // @ts-expect-error: configs is not an option of resume
    void resume(Required, { configs: { model: { path: "m.json" } } })
    void resume(Required, { from: "start" })
  })

  test("required parameters and required configs are both needed", () => {
    const Both = pipe(
      flow("Both", { params: { tag: param(t.string) }, configs: { model: config(Model) } }),
      step("start", (a) => ({ label: `${a.tag}:${a.model.layers}` }))
    )
    // @ts-expect-error: configs are missing
    void run(Both, { params: { tag: "x" } })
    // @ts-expect-error: params are missing
    void run(Both, { configs: { model: { path: "m.json" } } })
    void run(Both, { params: { tag: "x" }, configs: { model: { path: "m.json" } } })
  })
})
