/**
 * A worker thread's entry (started by threadPool.ts): runs the attempts its owner posts, one at a time, with
 * the flow imported from its module, and the owner's store reached through synchronous calls.
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

const given = workerData as { readonly stores: MessagePort; readonly label: string }
const port = parentPort as NonNullable<typeof parentPort>
const stores = storeCaller(given.stores)
const cache = new ValueCache()
const worker = thisProcess()
const flows = new Map<string, Promise<FlowValue>>()
const running = new Map<number, AbortController>()

const importFlow = async (ref: FlowRef): Promise<FlowValue> => {
  let namespace: unknown
  try {
    namespace = await importModule(ref.module, ref.module)
  } catch (error) {
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error
    throw new Refusal(`artiflow: ${given.label} cannot load ${ref.module}, the module of flow '${ref.name}': ${messageOf(cause)}`)
  }
  // A CommonJS module whose `module.exports` is the flow itself is found as its "default" export.
  const exported =
    namespace instanceof FlowValue && ref.exportName === "default" ? namespace : (namespace as Record<string, unknown> | undefined)?.[ref.exportName]
  if (!(exported instanceof FlowValue)) {
    throw new Refusal(
      `artiflow: ${given.label}: export '${ref.exportName}' of ${ref.module} is not a flow built with this artiflow ` +
        "(another copy of artiflow, or the module changed since the run started)"
    )
  }
  return exported
}

/** The flow of `ref`, imported once per module and export, checked to be the scheduler's version. */
const flowFor = async (ref: FlowRef): Promise<FlowValue> => {
  const key = `${ref.module}\u0000${ref.exportName}`
  let loading = flows.get(key)
  if (loading === undefined) {
    loading = importFlow(ref)
    flows.set(key, loading)
    loading.catch(() => flows.delete(key))
  }
  const flow = await loading
  const graph = graphHash(flow)
  if (flow.name !== ref.name || graph !== ref.graph) {
    throw new Refusal(
      `artiflow: ${given.label} has another version of flow '${ref.name}' than the scheduler: export '${ref.exportName}' ` +
        `of ${ref.module} is flow '${flow.name}' with graph ${graph.slice(0, 12)} here, ${ref.graph.slice(0, 12)} for the scheduler ` +
        "(a module changed since the run started?): run the same version on both sides"
    )
  }
  return flow
}

const run = async (id: number, request: WireAttempt, storeId: number): Promise<FromThread> => {
  if (request.format !== WIRE_FORMAT) {
    return { type: "refused", id, message: `artiflow: ${given.label} reads attempts of format ${WIRE_FORMAT}, not ${request.format}` }
  }
  const controller = new AbortController()
  running.set(id, controller)
  try {
    const flow = await flowFor(request.flow)
    const side: WorkerSide = { ...storeProxy(stores, storeId, request.store), cache, worker }
    return { type: "outcome", id, outcome: await runRemote(side, flow, request, controller.signal) }
  } catch (error) {
    return { type: "refused", id, message: error instanceof Refusal ? error.message : `artiflow: ${given.label}: ${messageOf(error)}` }
  } finally {
    running.delete(id)
  }
}

port.on("message", (message: ToThread) => {
  if (message.type === "cancel") {
    running.get(message.id)?.abort(new RunAbortedError(`artiflow: the run stopped: ${message.reason}`))
    return
  }
  void run(message.id, message.request, message.store).then((reply) => port.postMessage(reply))
})
port.postMessage({ type: "ready" } satisfies FromThread)
