/**
 * The stored records: what a run and each task attempt leave in a datastore. These shapes are a storage
 * format (versioned by {@link STORE_FORMAT}); every field is plain JSON.
 */

/** Version of the stored format; readers refuse documents of a newer format with a clear error. */
export const STORE_FORMAT = 1

/** How an artifact's bytes are encoded; the codec picks it per value. */
export type Encoding =
  /** Canonical JSON (sorted object keys) of plain data: the fast path. */
  | "json"
  /** seroval's JSON node tree (canonicalized) for values JSON cannot carry: Map, Set, Date, bigint, cycles... */
  | "seroval"
  /** The raw bytes of a typed array, DataView, ArrayBuffer or Buffer (`type` says which). */
  | "raw"

/** How a stored blob's bytes were compressed: "br" is brotli (RFC 7932). */
export type Compression = "br"

/**
 * The blob that holds an artifact's encoded bytes in compressed form. Its hash addresses the compressed
 * bytes, so it may differ between two stores of equal values (another brotli, another Node); the entry's own
 * `hash` never does.
 */
export interface StoredBlob {
  /** sha256 (hex) of the stored (compressed) bytes: the blob's address, as `Datastore.writeBlob` returned it. */
  readonly hash: string
  /** Size of the stored (compressed) bytes. */
  readonly size: number
  readonly compression: Compression
}

/** Where an artifact's value is: a blob (or inline text for small values) plus what it is. */
export interface ArtifactEntry {
  /**
   * sha256 (hex) of the encoded bytes, before any compression. Equal values have equal hashes, whether and
   * however they are stored: this is what resume and a join's `equal` compare. Without `stored` and `inline`,
   * it is also the address of the blob that holds the bytes.
   */
  readonly hash: string
  /** Size of the encoded bytes, before any compression. */
  readonly size: number
  /** The value's runtime type as users know it: "number", "string", "object", "Array", "Map", "Float64Array"... */
  readonly type: string
  readonly encoding: Encoding
  /** The encoded bytes as UTF-8 text when they are small and textual; otherwise the blob `hash` holds them. */
  readonly inline?: string
  /**
   * Set when the blob holds the encoded bytes compressed (large text encodings that shrink well; never "raw"
   * nor attachments): the blob to read, and how to expand it back into the `size` bytes that hash to `hash`.
   * Entries written before compression existed have no such field and name their blob by `hash`.
   */
  readonly stored?: StoredBlob
  /**
   * Large binary values nested inside a structured value (e.g. `{ weights: Float64Array }`) are stored as
   * blobs of their own; the encoded value refers to them by position in this list.
   */
  readonly attachments?: ReadonlyArray<{ readonly hash: string; readonly size: number }>
}

/** One frame of a task's foreach stack, outermost first (the element itself is not repeated here). */
export interface StoredFrame {
  /** The node the fan-out happens after (see `ForeachFrame.step`). */
  readonly step: string
  readonly artifact: string
  readonly index: number
  readonly count: number
}

/** Identifies one committed attempt of one task, possibly in another run (resume clones by reference). */
export interface SnapshotRef {
  readonly runId: string
  readonly step: string
  readonly taskId: string
  readonly attempt: number
}

/** A serialized error: what a failed attempt or a `catch` artifact records. */
export interface StoredError {
  readonly name: string
  readonly message: string
  readonly stack?: string
}

/**
 * One task attempt. A manifest is a delta: the task's snapshot is the snapshot of `base` (or, without a
 * base, the run's parameters) with `removed` names taken out and `artifacts` put in. Inherited artifacts are
 * therefore never re-listed, re-encoded or re-hashed.
 */
export interface TaskManifest {
  readonly step: string
  /** The foreach index path joined with "." ("3", "3.1"), or "0" for a task outside any foreach. */
  readonly taskId: string
  /** 0 for the first try; each retry commits the next attempt. */
  readonly attempt: number
  readonly foreachStack: ReadonlyArray<StoredFrame>
  readonly status: "succeeded" | "failed"
  /** Epoch milliseconds. */
  readonly startedAt: number
  readonly finishedAt: number
  readonly error?: StoredError
  readonly base?: SnapshotRef
  /** Artifacts this task wrote or changed, by name. A failed attempt writes none. */
  readonly artifacts: Readonly<Record<string, ArtifactEntry>>
  /** Names of the base snapshot that are not part of this task's snapshot (ephemeral or excluded). */
  readonly removed?: ReadonlyArray<string>
  /**
   * Names the task wrote without changing them (it returned the very value it was given, so nothing was
   * stored again). With the keys of `artifacts`, they are everything the task wrote, which the merge rules
   * of the joins around it depend on, also when a resumed run reuses the task.
   */
  readonly rewritten?: ReadonlyArray<string>
  /** Set on a task a resumed run cloned from its origin run (the origin's task id). */
  readonly originTaskId?: string
  /** Lines the attempt wrote with `ctx.log` (the first 1,000). */
  readonly logs?: ReadonlyArray<string>
  /**
   * The process that ran the attempt: the calling process in process, a worker's with `workerThreads` (the
   * process that owns the threads) or `bullmqExecutor`. Absent on reused tasks and in runs stored before it
   * was recorded.
   */
  readonly worker?: { readonly host: string; readonly pid: number }
  /**
   * Lineage: the artifacts the task's function read from its record, name -> hash (sorted by name). Absent on
   * failed attempts, and in runs stored before reads were recorded.
   */
  readonly reads?: Readonly<Record<string, string>>
  /**
   * A join's: the artifacts its function (or its `resolve` functions) read from each input, with the snapshot
   * the input is (`from`: the branch's or foreach task's last task). Only inputs it read from are listed.
   */
  readonly inputReads?: ReadonlyArray<StoredInputReads>
  /**
   * A foreach join's reads of its inputs, compactly (a join of 100,000 tasks would otherwise store 100,000
   * refs and hashes): see {@link StoredForeachReads}. Inputs it cannot describe so are in `inputReads`.
   */
  readonly foreachReads?: StoredForeachReads
  /**
   * Set when the step cache answered the task: the run and task that computed the outputs (through any chain
   * of cache hits, the one whose function ran). The function did not run in this attempt.
   */
  readonly cachedFrom?: CachedFrom
}

/** Where a cached task's outputs were computed. */
export interface CachedFrom {
  readonly runId: string
  readonly taskId: string
}

/**
 * What a foreach join read from its inputs. Input `i` is the snapshot of run `runId`, step `step`, task
 * `${prefix}${i}` at the attempt listed; what it read there has the hashes that snapshot holds (snapshots never
 * change), so only the names are stored, once per group of inputs that read the same names.
 */
export interface StoredForeachReads {
  readonly runId: string
  /** The last step (or join) of the foreach body: where every input's snapshot is. */
  readonly step: string
  /** "" for a foreach at the top level, else the enclosing task's id and a dot ("3."). */
  readonly prefix: string
  readonly groups: ReadonlyArray<{
    /** The names read, sorted. */
    readonly names: ReadonlyArray<string>
    /** [index, attempt] of each input that read exactly these names. */
    readonly inputs: ReadonlyArray<readonly [number, number]>
  }>
}

/** What a join read from one of its inputs (see `TaskManifest.inputReads`). */
export interface StoredInputReads {
  /** The split branch's name, or the foreach task's index as a string. */
  readonly input: string
  /** The input's snapshot (the last task of the branch or foreach body); absent when the input is the join's base. */
  readonly from?: SnapshotRef
  readonly reads: Readonly<Record<string, string>>
}

/** How a parameter (or a config) was declared, as stored with the run. */
export interface StoredParamDef {
  readonly kind: "param" | "file" | "config"
  /** The io-ts codec's name, e.g. "number" or "Array<string>". */
  readonly type: string
  readonly required: boolean
  readonly help?: string
  /** The default, as JSON text when it has one (for files and configs: the default path). */
  readonly default?: string
  /** For included files: how the content is read. */
  readonly encoding?: "utf8" | "binary"
}

/** Where a run's config value came from: a file (its absolute path), or a value given to `run` directly. */
export type StoredConfigSource = { readonly from: "file"; readonly path: string } | { readonly from: "value" }

/** A node of a flow's graph as stored with the run (the flow's AST without its functions). */
export type GraphNode =
  | {
      readonly kind: "step"
      readonly name: string
      readonly options: {
        readonly retry?: number
        readonly catch?: string
        readonly timeout?: number
        /** The step cache: `true`, or the object with its version (absent: not cached). */
        readonly cache?: boolean | { readonly version?: string }
      }
    }
  | {
      readonly kind: "split"
      readonly branches: ReadonlyArray<{ readonly name: string; readonly nodes: ReadonlyArray<GraphNode> }>
      readonly join: GraphJoin
    }
  | {
      readonly kind: "foreach"
      readonly artifact: string
      readonly concurrency?: number
      readonly body: ReadonlyArray<GraphNode>
      readonly join: GraphJoin
    }

export interface GraphJoin {
  readonly name: string
  readonly retry?: number
  readonly catch?: string
  readonly timeout?: number
  readonly resolve?: ReadonlyArray<string>
  readonly take?: Readonly<Record<string, string>>
  readonly exclude?: ReadonlyArray<string>
  readonly equal?: ReadonlyArray<string>
  readonly hasFunction: boolean
}

export interface FlowGraph {
  readonly nodes: ReadonlyArray<GraphNode>
}

export interface RunMeta {
  readonly format: number
  readonly flow: string
  readonly runId: string
  readonly status: "running" | "succeeded" | "failed"
  /** Epoch milliseconds. */
  readonly startedAt: number
  readonly finishedAt?: number
  /**
   * Parameter and config values, encoded like artifacts: the snapshot every task without a base starts from.
   * (Which of them are configs: `paramDefs` kind "config", and `configs`.)
   */
  readonly params: Readonly<Record<string, ArtifactEntry>>
  readonly paramDefs: Readonly<Record<string, StoredParamDef>>
  /** Where each config's value came from; absent in runs of flows without configs (and in older stores). */
  readonly configs?: Readonly<Record<string, StoredConfigSource>>
  readonly description?: string
  readonly graph: FlowGraph
  readonly sourceFile?: string
  readonly versions: { readonly artiflow: string; readonly node: string }
  /** Who started the run: `$USER`, else the OS account name. */
  readonly user: string
  /** The machine the run was started on (`os.hostname()`); runs stored before it was recorded have none. */
  readonly host?: string
  /**
   * The run's tags. `createRun` stores the tags the run starts with; `readRun` gives the tags now, with the
   * changes made by `Datastore.updateTags` applied (see `updateRun` for what it stores). Sorted, no repeats.
   * Runs stored before tags existed read as `[]`.
   */
  readonly tags: ReadonlyArray<string>
  readonly originRunId?: string
  /** How many tasks the step cache answered, once the run ended (absent when none). */
  readonly cachedTasks?: number
  /** Where a failed run failed. */
  readonly failure?: { readonly step: string; readonly taskId: string; readonly message: string }
}
