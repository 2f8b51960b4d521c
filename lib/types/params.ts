/**
 * Types of parameters, included files and configs: what each adds to the first record, and what `run`
 * accepts.
 */
import type * as t from "io-ts"
import type { ConfigDef, IncludeFileDef, ParamDef } from "../dsl/ast.js"
import type { Entry } from "./state.js"
import type { Simplify } from "./util.js"

declare const paramTypes: unique symbol

/** A parameter declared with `param(codec, ...)`; `Required` is false when it has a default. */
export interface Param<Codec extends t.Mixed = t.Mixed, Required extends boolean = boolean>
  extends ParamDef<t.TypeOf<Codec>> {
  readonly [paramTypes]?: { readonly value: t.TypeOf<Codec>; readonly input: t.OutputOf<Codec>; readonly required: Required }
}

/** A parameter declared with `includeFile(...)`: the run takes a path, the record holds the file's content. */
export interface IncludeFile<Content = string | Uint8Array, Required extends boolean = boolean> extends IncludeFileDef {
  readonly [paramTypes]?: { readonly value: Content; readonly input: string; readonly required: Required }
}

export type AnyParam = Param | IncludeFile<unknown>

/** The `params` object given to `flow(...)`. */
export type ParamDefs = { readonly [name: string]: AnyParam }

type PhantomOf<P> = P extends { readonly [paramTypes]?: infer Phantom } ? Exclude<Phantom, undefined> : never
type ValueOf<P> = PhantomOf<P> extends { readonly value: infer Value } ? Value : never
type InputOf<P> = PhantomOf<P> extends { readonly input: infer Input } ? Input : never
type RequiredKeys<Defs> = { [K in keyof Defs]: PhantomOf<Defs[K]> extends { readonly required: true } ? K : never }[keyof Defs]

/** The first artifacts of a flow: every parameter's value (an included file's content), read-only. */
export type ParamEntries<Defs> = { [K in keyof Defs & string]: Entry<K, ValueOf<Defs[K]>> }[keyof Defs & string]

/** What `run(flow, { params })` accepts: required parameters must be given, the others may be. */
export type ParamInputs<Defs> = Simplify<
  { readonly [K in RequiredKeys<Defs>]: InputOf<Defs[K]> } & {
    readonly [K in Exclude<keyof Defs, RequiredKeys<Defs>>]?: InputOf<Defs[K]>
  }
>

/** A config declared with `config(codec, ...)`; `Required` is false when it has a default path. */
export interface Config<Codec extends t.Mixed = t.Mixed, Required extends boolean = boolean> extends ConfigDef<t.TypeOf<Codec>> {
  readonly [paramTypes]?: { readonly value: t.TypeOf<Codec>; readonly input: t.OutputOf<Codec>; readonly required: Required }
}

/**
 * The `configs` object given to `flow(...)`. `Config<any>`, not `Config`: a config's codec is invariant (a
 * codec both decodes and encodes its type), so `Config<SomeCodec>` is not a `Config<t.Mixed>`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ConfigDefs = { readonly [name: string]: Config<any> }

/**
 * Where `run` takes one config's value from: a file (`{ path }`, read and parsed like the default) or the
 * value itself (`{ value }`, what the file would parse to; it is decoded with the codec all the same).
 */
export type ConfigSource<Input = unknown> =
  | { readonly path: string; readonly value?: never }
  | { readonly value: Input; readonly path?: never }

/** The first artifacts a flow's configs add: every config's decoded value, read-only. */
export type ConfigEntries<Defs> = ParamEntries<Defs>

/** What `run(flow, { configs })` accepts: configs without a default path must be given, the others may be. */
export type ConfigInputs<Defs> = Simplify<
  { readonly [K in RequiredKeys<Defs>]: ConfigSource<InputOf<Defs[K]>> } & {
    readonly [K in Exclude<keyof Defs, RequiredKeys<Defs>>]?: ConfigSource<InputOf<Defs[K]>>
  }
>
