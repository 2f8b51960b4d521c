/**
 * A worker thread's store: the blobs of the store its owner holds (the scheduler's with `workerThreads`, the
 * worker process's with BullMQ), reached through synchronous calls (syncCall.ts). A thread runs one attempt
 * at a time, so waiting for the owner costs it nothing; in exchange any store works, memoryStore and an
 * s3Store with a client of its own included, and values are verified and cached where they are stored.
 * Attempts only read and write blobs: anything else is the scheduler's, and refused here.
 */
import type { MessagePort } from "node:worker_threads"
import type { BlobInfo, Datastore } from "../datastore/Datastore.js"
import type { SyncBlobReader } from "../datastore/loadSync.js"
import { IntegrityError, NotFoundError, StorageError } from "../errors.js"
import { answerCalls, SyncCaller } from "./syncCall.js"
import type { CallError } from "./syncCall.js"

/** A blob call, for the store the owner registered as `store`. */
export type StoreCall =
  | { readonly store: number; readonly op: "readBlob"; readonly hash: string }
  | { readonly store: number; readonly op: "hasBlob"; readonly hash: string }
  | { readonly store: number; readonly op: "writeBlob"; readonly bytes: Uint8Array }

export type StoreReply = Uint8Array | boolean | BlobInfo

/** The owner's error again, as the class a store throws (NotFoundError, IntegrityError, StorageError). */
const rethrown = (thrown: unknown): Error => {
  const error = thrown as Partial<CallError>
  const message = typeof error.message === "string" ? error.message : String(thrown)
  if (error.tag === "NotFoundError") return new NotFoundError(message)
  if (error.tag === "IntegrityError") return new IntegrityError(message)
  return new StorageError(message)
}

/**
 * The bytes as a view of a buffer of their own: a message carries a view's whole buffer, and a reply's buffer
 * is moved rather than copied.
 */
const ownBuffer = (bytes: Uint8Array): Uint8Array =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice()

/** The owner's side: serves the blob calls of one thread, arriving on `port`, from the store each names. */
export const serveStore = (port: MessagePort, storeOf: (id: number) => Datastore): void =>
  answerCalls<StoreCall, StoreReply>(
    port,
    async (call) => {
      const store = storeOf(call.store)
      switch (call.op) {
        case "readBlob":
          // Moved to the thread: the store must not keep what it returns (it hands out fresh bytes).
          return ownBuffer(await store.readBlob(call.hash))
        case "hasBlob":
          return store.hasBlob(call.hash)
        case "writeBlob":
          return store.writeBlob(call.bytes)
      }
    },
    (reply) => (reply instanceof Uint8Array ? [reply.buffer as ArrayBuffer] : [])
  )

const refused = (description: string, operation: string): Promise<never> =>
  Promise.reject(new StorageError(`artiflow: a worker thread's ${description} only reads and writes blobs, not ${operation}: that is the scheduler's`))

/** The thread's end of its owner's stores. */
export type StoreCaller = SyncCaller<StoreCall, StoreReply>

/** The calls to the owner's stores, on `port`. */
export const storeCaller = (port: MessagePort): StoreCaller => new SyncCaller<StoreCall, StoreReply>(port)

/** The thread's side: store `id` of the owner as a Datastore of blobs, and a synchronous reader of the same blobs. */
export const storeProxy = (
  caller: StoreCaller,
  id: number,
  description: string
): { readonly store: Datastore; readonly reader: SyncBlobReader } => {
  const call = (request: StoreCall): StoreReply => {
    try {
      return caller.call(request)
    } catch (error) {
      throw rethrown(error)
    }
  }
  const reader: SyncBlobReader = { description, readBlob: (hash) => call({ store: id, op: "readBlob", hash }) as Uint8Array }
  const store: Datastore = {
    description,
    // Copied as they are posted (never moved: the caller keeps its bytes), once.
    writeBlob: async (bytes) => call({ store: id, op: "writeBlob", bytes: ownBuffer(bytes) }) as BlobInfo,
    hasBlob: async (hash) => call({ store: id, op: "hasBlob", hash }) as boolean,
    readBlob: async (hash) => reader.readBlob(hash),
    createRun: () => refused(description, "createRun"),
    updateRun: () => refused(description, "updateRun"),
    readRun: () => refused(description, "readRun"),
    listRuns: () => refused(description, "listRuns"),
    updateTags: () => refused(description, "updateTags"),
    listFlows: () => refused(description, "listFlows"),
    commitManifests: () => refused(description, "commitManifests"),
    readManifests: () => refused(description, "readManifests")
  }
  return { store, reader }
}
