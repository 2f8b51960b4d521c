/**
 * Calling the thread that owns a store, and blocking until it answers: how a worker thread reads a blob
 * while a step reads `a.x` synchronously. The caller posts a request with a shared flag and sleeps on the flag
 * (`Atomics.wait`); the owner answers on the same port, then raises the flag; the caller takes the answer off
 * its port without running its event loop (`receiveMessageOnPort`). The technique of the synckit package.
 */
import { receiveMessageOnPort } from "node:worker_threads"
import type { MessagePort } from "node:worker_threads"

/** A request as the owner receives it: the caller's message and the flag to raise once it answered. */
interface Posted<Request> {
  readonly request: Request
  readonly flag: Int32Array
}

/** What a failed call throws on the calling side: the owner's error as plain data (classes do not cross threads). */
export interface CallError {
  readonly name: string
  readonly message: string
  /** The artiflow error class (`_tag`), when it is one. */
  readonly tag: string | undefined
}

type Answer<Reply> = { readonly ok: true; readonly reply: Reply } | { readonly ok: false; readonly error: CallError }

const callError = (error: unknown): CallError => {
  const tag = typeof error === "object" && error !== null ? (error as { readonly _tag?: unknown })._tag : undefined
  const name = error instanceof Error ? error.name : "Error"
  const message = error instanceof Error ? error.message : String(error)
  return { name, message, tag: typeof tag === "string" ? tag : undefined }
}

/** How long a caller sleeps between checks that its owner is still there (it is woken as soon as it answers). */
const WAKE_EVERY_MS = 60_000

/**
 * The calling side: `call(request)` returns the owner's reply, or throws the owner's error as a {@link CallError}.
 * Only this object may read `port`.
 */
export class SyncCaller<Request, Reply> {
  private readonly flag = new Int32Array(new SharedArrayBuffer(4))

  constructor(private readonly port: MessagePort) {}

  call(request: Request, transfer: ReadonlyArray<ArrayBuffer> = []): Reply {
    Atomics.store(this.flag, 0, 0)
    const posted: Posted<Request> = { request, flag: this.flag }
    this.port.postMessage(posted, transfer as Array<ArrayBuffer>)
    while (Atomics.wait(this.flag, 0, 0, WAKE_EVERY_MS) === "timed-out") {
      // Still waiting: the owner is busy (a slow read). It answers, or the thread is terminated with it.
    }
    const received = receiveMessageOnPort(this.port)
    if (received === undefined) throw new Error("artiflow: internal: a synchronous call was woken without an answer")
    const answer = received.message as Answer<Reply>
    if (!answer.ok) throw answer.error
    return answer.reply
  }
}

/**
 * The owning side: answers every request arriving on `port` with `handle` (which may be async), then wakes
 * the caller. `transferOf` names the buffers of a reply to move rather than copy.
 */
export const answerCalls = <Request, Reply>(
  port: MessagePort,
  handle: (request: Request) => Promise<Reply>,
  transferOf: (reply: Reply) => ReadonlyArray<ArrayBuffer> = () => []
): void => {
  const fail = (error: unknown): void => port.postMessage({ ok: false, error: callError(error) } satisfies Answer<Reply>)
  port.on("message", (posted: Posted<Request>) => {
    void handle(posted.request)
      .then(
        (reply) => {
          try {
            port.postMessage({ ok: true, reply } satisfies Answer<Reply>, transferOf(reply) as Array<ArrayBuffer>)
          } catch (error) {
            // A reply that cannot cross (not cloneable) must still wake the caller, with why.
            fail(error)
          }
        },
        fail
      )
      .finally(() => {
        Atomics.store(posted.flag, 0, 1)
        Atomics.notify(posted.flag, 0)
      })
  })
}
