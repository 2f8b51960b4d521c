/**
 * `artiflow/client`: the read side alone, for programs that only inspect past runs. Its modules import no
 * package (seroval's decoder loads when a value needs it); built, they are part of the one script every entry
 * of the package shares (lib/codeCache/), so `Client` and the errors are the same classes as in "artiflow".
 * `import { Client } from "artiflow"` works too.
 */
export { Client } from "./Client.js"
export type { RunHandle } from "./RunHandle.js"
export type { RunsOptions, RunStatus } from "./runsFilter.js"
export type { StepHandle } from "./StepHandle.js"
export type { StepState } from "./stepState.js"
export type { Choices } from "./choices.js"
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
