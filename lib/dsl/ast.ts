/**
 * The flow AST: what the combinators build and the interpreter, the graph renderer and the validators walk.
 * Nodes are frozen plain objects tagged with `_tag`. Functions are stored untyped here; the public `Flow`
 * interface (lib/types/flow.ts) carries the types and the combinators cast once.
 */
import type * as t from "io-ts"

/** A step or join function as the interpreter calls it. */
export type AnyStepFunction = (record: never, context: never) => unknown
export type AnyJoinFunction = (inputs: never, record: never, context: never) => unknown

/** `retry`, `catch` and `timeout`: the decorator-free form of Metaflow's @retry, @catch and @timeout. */
export interface StepOptions {
  /** Extra attempts after a failure (0 by default). Each attempt is committed; readers see the latest. */
  readonly retry?: number
  /** When the last attempt fails, store the error as this artifact (`{ name, message, stack }`) and go on. */
  readonly catch?: string
  /** Milliseconds before an attempt fails with a timeout error (its `ctx.signal` is aborted). */
  readonly timeout?: number
  /**
   * The step cache (DESIGN.md §9, docs/caching.md): `true`, or `{ version: "2" }` to invalidate entries when
   * something the key cannot see changed (a helper the step calls, a file, the network). A task whose
   * function, version and every artifact it read (and, in a foreach, its element) match a past task of the
   * same flow and step reuses that task's outputs without running. Steps only: joins are never cached.
   */
  readonly cache?: boolean | CacheOptions
}

/** The object form of a step's `cache` option. */
export interface CacheOptions {
  /** Part of the cache key: change it to make the step's past entries miss. */
  readonly version?: string
}

/** The options a join takes besides its merge rules: a step's, without `cache` (joins are never cached). */
export type TaskOptions = Omit<StepOptions, "cache">

export interface StepNode {
  readonly _tag: "Step"
  readonly name: string
  readonly fn: AnyStepFunction
  readonly options: StepOptions
}

/** How a join merges: the split rules (resolve, take, exclude, equal) or a foreach's `equal`. */
export interface JoinOptions extends TaskOptions {
  readonly resolve?: Readonly<Record<string, (values: never) => unknown>>
  readonly take?: Readonly<Record<string, string>>
  readonly exclude?: ReadonlyArray<string>
  readonly equal?: ReadonlyArray<string>
}

export interface JoinSpec {
  readonly name: string
  readonly options: JoinOptions
  readonly fn: AnyJoinFunction | undefined
}

export interface Branch {
  readonly name: string
  readonly nodes: ReadonlyArray<FlowNode>
}

export interface SplitNode {
  readonly _tag: "Split"
  readonly branches: ReadonlyArray<Branch>
  /** `undefined` until `join` closes the split. */
  readonly join: JoinSpec | undefined
}

export interface ForeachNode {
  readonly _tag: "Foreach"
  readonly artifact: string
  readonly body: ReadonlyArray<FlowNode>
  readonly concurrency: number | undefined
  /** `undefined` until `join` closes the foreach. */
  readonly join: JoinSpec | undefined
}

/** A fragment inserted with `use`: its nodes, and the artifacts it needs when they were declared with codecs. */
export interface UseNode {
  readonly _tag: "Use"
  readonly needs: Readonly<Record<string, t.Mixed>> | undefined
  readonly nodes: ReadonlyArray<FlowNode>
}

export type FlowNode = StepNode | SplitNode | ForeachNode | UseNode

/** A parameter: an io-ts codec, an optional default and help text. */
export interface ParamDef<Value = unknown> {
  readonly _tag: "Param"
  readonly codec: t.Type<Value, unknown, unknown>
  readonly hasDefault: boolean
  readonly default: Value | undefined
  readonly help: string | undefined
}

/** A parameter whose value is a local path; the file's content becomes the artifact. */
export interface IncludeFileDef {
  readonly _tag: "IncludeFile"
  readonly default: string | undefined
  readonly encoding: "utf8" | "binary"
  readonly required: boolean
  readonly help: string | undefined
}

export type ParamSpec = ParamDef | IncludeFileDef

/**
 * A config: a file read at run start, turned into a value by `parse` (JSON when absent) and decoded with the
 * codec. Its value is a read-only artifact, like a parameter's.
 */
export interface ConfigDef<Value = unknown> {
  readonly _tag: "Config"
  readonly codec: t.Type<Value, unknown, unknown>
  /** The path read when the run gives none, relative to the working directory of the run. */
  readonly default: string | undefined
  /** Turns the file's text into the value the codec decodes; `undefined` means `JSON.parse`. */
  readonly parse: ((text: string) => unknown) | undefined
  readonly help: string | undefined
}

/** Where a stage is being built: branches and bodies must know the step names taken outside them. */
export interface Scope {
  readonly kind: "flow" | "branch" | "body" | "subflow"
  /** Step names taken by enclosing scopes (before the split or foreach this scope belongs to). */
  readonly outerSteps: ReadonlyArray<string>
  /** Number of enclosing foreach bodies. */
  readonly foreachDepth: number
}

/** The runtime value of a flow: a frozen description. */
export interface FlowDefinition {
  readonly _tag: "Flow"
  readonly name: string
  readonly description: string | undefined
  readonly params: Readonly<Record<string, ParamSpec>>
  /** Configs by name; their names never clash with the parameters'. */
  readonly configs: Readonly<Record<string, ConfigDef>>
  readonly nodes: ReadonlyArray<FlowNode>
  readonly scope: Scope
  /** The file that called `flow(...)`, when it could be determined. */
  readonly sourceFile: string | undefined
}
