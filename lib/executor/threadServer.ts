/**
 * What a worker thread started by threadPool.ts does: runs the attempts its owner posts, one at a time, with
 * the flow imported from its module, and the owner's store reached through synchronous calls. A function, not
 * a module's top level: the built package holds it in the one file every thread loads (spec/build/bundle.ts),
 * and only a worker's entry calls it.
 */
import { parentPort, workerData } from "node:worker_threads"
import type { MessagePort } from "node:worker_threads"
import { FlowValue } from "../dsl/FlowValue.js"
import { messageOf, RunAbortedError } from "../errors.js"
import { importModule } from "../cli/importModule.js"
import { thisProcess } from "./inProcess.js"
import { graphHash } from "./flowModule.js"
import { runRemote } from "./runRemote.js"
import type { WorkerSide } from "./runRemote.js"
import { storeCaller, storeProxy } from "./storeProxy.js"
import type { ToThread, FromThread } from "./threadMessages.js"
import { ValueCache } from "./valueCache.js"
import type { FlowRef, WireAttempt } from "./wire.js"
import { WIRE_FORMAT } from "./wire.js"

/** Thrown for an attempt this thread will not run: its owner fails the run with the message. */
class Refusal extends Error {}

/** The data threadPool.ts starts a thread with. */
interface ThreadData {
  readonly stores: MessagePort
  readonly label: string
}

class ThreadServer {
  private readonly stores: ReturnType<typeof storeCaller>
  private readonly cache = new ValueCache()
  private readonly worker = thisProcess()
  private readonly flows = new Map<string, Promise<FlowValue>>()
  private readonly running = new Map<number, AbortController>()

  constructor(
    private readonly given: ThreadData,
    private readonly port: MessagePort
  ) {
    this.stores = storeCaller(given.stores)
  }

  private async importFlow(ref: FlowRef): Promise<FlowValue> {
    let namespace: unknown
    try {
      namespace = await importModule(ref.module, ref.module)
    } catch (error) {
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error
      throw new Refusal(`artiflow: ${this.given.label} cannot load ${ref.module}, the module of flow '${ref.name}': ${messageOf(cause)}`)
    }
    // A CommonJS module whose `module.exports` is the flow itself is found as its "default" export.
    const exported =
      namespace instanceof FlowValue && ref.exportName === "default" ? namespace : (namespace as Record<string, unknown> | undefined)?.[ref.exportName]
    if (!(exported instanceof FlowValue)) {
      throw new Refusal(
        `artiflow: ${this.given.label}: export '${ref.exportName}' of ${ref.module} is not a flow built with this artiflow ` +
          "(another copy of artiflow, or the module changed since the run started)"
      )
    }
    return exported
  }

  /** The flow of `ref`, imported once per module and export, checked to be the scheduler's version. */
  private async flowFor(ref: FlowRef): Promise<FlowValue> {
    const key = `${ref.module}\u0000${ref.exportName}`
    let loading = this.flows.get(key)
    if (loading === undefined) {
      loading = this.importFlow(ref)
      this.flows.set(key, loading)
      loading.catch(() => this.flows.delete(key))
    }
    const flow = await loading
    const graph = graphHash(flow)
    if (flow.name !== ref.name || graph !== ref.graph) {
      throw new Refusal(
        `artiflow: ${this.given.label} has another version of flow '${ref.name}' than the scheduler: export '${ref.exportName}' ` +
          `of ${ref.module} is flow '${flow.name}' with graph ${graph.slice(0, 12)} here, ${ref.graph.slice(0, 12)} for the scheduler ` +
          "(a module changed since the run started?): run the same version on both sides"
      )
    }
    return flow
  }

  private async run(id: number, request: WireAttempt, storeId: number): Promise<FromThread> {
    const { label } = this.given
    if (request.format !== WIRE_FORMAT) {
      return { type: "refused", id, message: `artiflow: ${label} reads attempts of format ${WIRE_FORMAT}, not ${request.format}` }
    }
    const controller = new AbortController()
    this.running.set(id, controller)
    try {
      const flow = await this.flowFor(request.flow)
      const side: WorkerSide = { ...storeProxy(this.stores, storeId, request.store), cache: this.cache, worker: this.worker }
      return { type: "outcome", id, outcome: await runRemote(side, flow, request, controller.signal) }
    } catch (error) {
      return { type: "refused", id, message: error instanceof Refusal ? error.message : `artiflow: ${label}: ${messageOf(error)}` }
    } finally {
      this.running.delete(id)
    }
  }

  /** Answers the owner's messages, and tells it the thread is ready. */
  serve(): void {
    this.port.on("message", (message: ToThread) => {
      if (message.type === "cancel") {
        this.running.get(message.id)?.abort(new RunAbortedError(`artiflow: the run stopped: ${message.reason}`))
        return
      }
      void this.run(message.id, message.request, message.store).then((reply) => this.port.postMessage(reply))
    })
    this.port.postMessage({ type: "ready" } satisfies FromThread)
  }
}

/** Serves this worker thread's owner (the thread's entry calls it once). */
export const serveThread = (): void => {
  if (parentPort === null) throw new Error("artiflow: serveThread runs on a worker thread started by workerThreads()")
  new ThreadServer(workerData as ThreadData, parentPort).serve()
}
