/**
 * `artiflow/client`: the read side alone, for programs that only inspect past runs. It loads no interpreter,
 * no io-ts and no immer, and loads seroval only when a value needs it, so a short-lived process that reads
 * one artifact starts fast. `import { Client } from "artiflow"` works too.
 */
export { Client } from "./Client.js"
export type { RunHandle } from "./RunHandle.js"
export type { RunsOptions, RunStatus } from "./runsFilter.js"
export type { StepHandle } from "./StepHandle.js"
export type { ArtifactInfo, TaskHandle } from "./TaskHandle.js"
export type { ArtifactRead, LineageNode, LineageOptions, LineageRead, Producer } from "./lineage.js"
export { localStore } from "../datastore/local.js"
export type { LocalStoreOptions } from "../datastore/local.js"
export { memoryStore } from "../datastore/memory.js"
export { s3Store } from "../datastore/s3.js"
export type { S3ClientLike, S3StoreOptions } from "../datastore/s3.js"
export { defaultStore, storeAt } from "../datastore/storeAt.js"
export type { Datastore, RunSummary, TagChange } from "../datastore/Datastore.js"
export { ArtiflowError, IntegrityError, NotFoundError, StorageError } from "../errors.js"
