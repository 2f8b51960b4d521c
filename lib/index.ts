/**
 * artiflow: Metaflow-style data artifacts for TypeScript. Build a flow with `flow` and the combinators,
 * run it with `run`, inspect past runs with `Client`.
 */
export { flow } from "./dsl/flow.js"
export type { FlowOptions } from "./dsl/flow.js"
export { includeFile, param } from "./dsl/param.js"
export type { IncludeFileOptions, ParamOptions } from "./dsl/param.js"
export { config } from "./dsl/config.js"
export type { ConfigOptions } from "./dsl/config.js"
export { step } from "./dsl/step.js"
export { split } from "./dsl/split.js"
export { foreach } from "./dsl/foreach.js"
export type { ForeachOptions } from "./dsl/foreach.js"
export { join } from "./dsl/join.js"
export { choose } from "./dsl/choose.js"
export { loop } from "./dsl/loop.js"
export type { LoopOptions } from "./types/loop.js"
export { seq } from "./dsl/seq.js"
export { subflow, use } from "./dsl/subflow.js"
export { describeFlow } from "./dsl/graph.js"
export type { CacheOptions, StepOptions } from "./dsl/ast.js"
export type { CacheMode } from "./dsl/cacheMode.js"
export type { ArtifactsOf, Flow, Stage, StateOf } from "./types/flow.js"
export type {
  CaughtError,
  ContextOf,
  ForeachContext,
  ForeachFrame,
  ForeachLoopContext,
  Frame,
  LoopContext,
  LoopFrame,
  RunContext,
  StepContext
} from "./types/context.js"
export type { Config, ConfigSource, IncludeFile, Param } from "./types/params.js"
export type { Subflow } from "./types/subflow.js"
export type { ForeachJoinOptions, SplitJoinOptions } from "./types/join.js"
export {
  ArtiflowError,
  FlowDefinitionError,
  IntegrityError,
  NotFoundError,
  NotStorableError,
  ParamError,
  StorageError
} from "./errors.js"
export { run, runTaskEither } from "./interpreter/run.js"
export type { CheckRunnable, LogLine, RunArguments, RunError, RunOptions, RunResult } from "./interpreter/run.js"
export { localStore } from "./datastore/local.js"
export type { LocalStoreOptions } from "./datastore/local.js"
export { memoryStore } from "./datastore/memory.js"
export type { MemoryStore } from "./datastore/memory.js"
export { s3Store } from "./datastore/s3.js"
export type { S3ClientLike, S3StoreOptions } from "./datastore/s3.js"
export { defaultStore, storeAt } from "./datastore/storeAt.js"
export type { Datastore, BlobInfo, RunSummary, StoredBlobInfo, TagChange } from "./datastore/Datastore.js"
export type { CacheEntry, CacheShape } from "./datastore/CacheEntry.js"
export type {
  ArtifactEntry,
  ChooseDecision,
  Compression,
  Encoding,
  FlowGraph,
  GraphNode,
  LoopDecision,
  RunMeta,
  SnapshotRef,
  StoredBlob,
  StoredConfigSource,
  StoredError,
  StoredFrame,
  StoredInputReads,
  CachedFrom,
  StoredLoopFrame,
  TaskManifest
} from "./datastore/Manifest.js"
export {
  ExecutorError,
  MutatedArtifactError,
  ResourceLimitError,
  RunAbortedError,
  RunFailedError,
  StepTimeoutError,
  UntilError
} from "./errors.js"
export { inProcess } from "./executor/inProcess.js"
export { workerThreads } from "./executor/workerThreads.js"
export type { WorkerThreadsExecutor, WorkerThreadsOptions } from "./executor/workerThreads.js"
export { bullmqExecutor } from "./executor/bullmq.js"
export type { BullmqExecutorOptions } from "./executor/bullmq.js"
export { startWorker } from "./executor/worker.js"
export type { StartWorkerOptions, WorkerHandle } from "./executor/worker.js"
export type { RedisConnection } from "./executor/redis.js"
export type { Executor, WorkerIdentity } from "./executor/Executor.js"
export { Client } from "./client/Client.js"
export type { RunHandle } from "./client/RunHandle.js"
export type { RunsOptions, RunStatus } from "./client/runsFilter.js"
export type { StepHandle } from "./client/StepHandle.js"
export type { StepState } from "./client/stepState.js"
export type { Choices } from "./client/choices.js"
export type { ArtifactInfo, TaskHandle } from "./client/TaskHandle.js"
export type { ArtifactRead, LineageNode, LineageOptions, LineageRead, Producer } from "./client/lineage.js"
export { resume } from "./interpreter/resume.js"
export type { ResumeOptions } from "./interpreter/resume.js"
export { spin } from "./interpreter/spin.js"
export type { SpinOptions, SpinResult, SpunTask } from "./interpreter/spin.js"
export { SpinFailedError } from "./errors.js"
export type { ExecutionOptions } from "./interpreter/execute.js"
export type { ForeachProgress, RunEvent, RunFinished, RunStarted, TaskFinished } from "./interpreter/events.js"
export { gc } from "./gc/gc.js"
export type { GcOptions, GcResult, Keep, KeepCriteria } from "./gc/gc.js"
