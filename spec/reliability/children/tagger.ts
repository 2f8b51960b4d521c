/**
 * Child process of the tag concurrency test: changes the tags of one run of a shared local store, at the same
 * moment as its siblings.
 *
 *     node tagger.js '<JSON of TaggerJob>'
 *
 * It prints `ready` once loaded and waits for a `go` line on stdin, so that every tagger starts at once. Then
 * it makes its changes, `parallel` at a time: adds each of `add`, removes each of `remove`, and adds then
 * removes each of `transient` (in that order, so it must end up absent). It prints one line of JSON
 * ({@link TaggerResult}).
 */
import { createInterface } from "node:readline"
import { localStore } from "../../../lib/index.js"

export interface TaggerJob {
  readonly store: string
  readonly flow: string
  readonly runId: string
  readonly add: ReadonlyArray<string>
  readonly remove: ReadonlyArray<string>
  readonly transient: ReadonlyArray<string>
  readonly parallel: number
}

export interface TaggerResult {
  /** How many changes the store acknowledged. */
  readonly changes: number
}

const job = JSON.parse(process.argv[2] ?? "{}") as TaggerJob
const store = localStore(job.store)

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

let changes = 0
const change = async (add: ReadonlyArray<string>, remove: ReadonlyArray<string>): Promise<void> => {
  await store.updateTags(job.flow, job.runId, { add, remove })
  changes++
}
const work: Array<() => Promise<void>> = [
  ...job.add.map((tag) => () => change([tag], [])),
  ...job.remove.map((tag) => () => change([], [tag])),
  ...job.transient.map((tag) => async () => {
    await change([tag], [])
    await change([], [tag])
  })
]
const worker = async (): Promise<void> => {
  for (let next = work.shift(); next !== undefined; next = work.shift()) await next()
}
await Promise.all(Array.from({ length: job.parallel }, worker))
const result: TaggerResult = { changes }
process.stdout.write(`${JSON.stringify(result)}\n`)
