/**
 * Child process of the concurrency test: runs a flow built by {@link crashFlow} several times on a shared
 * local store, at the same moment as its siblings.
 *
 *     node concurrentWriter.js '<JSON of WriterJob>'
 *
 * It prints `ready` once loaded and waits for a `go` line on stdin, so that every writer starts at once. It
 * first tries to create the run `contested` (if given), which other writers try to create too: exactly one
 * may succeed. Then it runs `runs` runs, `parallel` at a time in this process (one store object shared by
 * concurrent runs, as a server would), and prints one line of JSON ({@link WriterResult}).
 */
import { createInterface } from "node:readline"
import { localStore, run, StorageError } from "../../../lib/index.js"
import { crashFlow } from "./crashFlow.js"

export interface WriterJob {
  readonly store: string
  readonly flow: string
  readonly width: number
  readonly runIds: ReadonlyArray<string>
  readonly parallel: number
  readonly contested?: string
}

export interface WriterResult {
  /** Run ids that succeeded, the contested one included if this writer won it. */
  readonly succeeded: ReadonlyArray<string>
  /** Whether this writer created the contested run; undefined when it did not try. */
  readonly wonContest: boolean | undefined
}

const job = JSON.parse(process.argv[2] ?? "{}") as WriterJob
const store = localStore(job.store)
const flow = crashFlow(job.flow)
const quiet = (): void => {}
const runOnce = async (runId: string): Promise<string> =>
  (await run(flow, { store, runId, params: { width: job.width }, log: quiet })).runId

const go = new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin })
  lines.on("line", (line) => {
    if (line === "go") {
      lines.close()
      // An open stdin would keep this process alive after its work is done.
      process.stdin.destroy()
      resolve()
    }
  })
})
process.stdout.write("ready\n")
await go

const succeeded: Array<string> = []
let wonContest: boolean | undefined
if (job.contested !== undefined) {
  try {
    succeeded.push(await runOnce(job.contested))
    wonContest = true
  } catch (error) {
    // Losing is expected, but only as the store's refusal of a second run with the same id.
    if (!(error instanceof StorageError && error.message.includes("already exists"))) throw error
    wonContest = false
  }
}
const queue = [...job.runIds]
const worker = async (): Promise<void> => {
  for (let runId = queue.shift(); runId !== undefined; runId = queue.shift()) succeeded.push(await runOnce(runId))
}
await Promise.all(Array.from({ length: job.parallel }, worker))
const result: WriterResult = { succeeded, wonContest }
process.stdout.write(`${JSON.stringify(result)}\n`)
