/**
 * Child process of the resource-limit tests: runs one oversized workload on a local store and prints one JSON
 * line with what happened (ok and figures, or the error's class and message) and its peak RSS. A child, so
 * that gigabytes of memory are returned to the system when it exits and the test runner's heap stays small.
 *
 *     node --conditions artiflow-source --import tsx spec/reliability/children/resources.ts <storeDir> <mode> [n]
 *
 * Modes: `array <bytes>` a Float64Array artifact of that size, stored, reloaded by a fresh client and checked;
 * `foreach <n>` a foreach over n items (maxForeachItems raised to n); `text` a string too long to encode as
 * JSON text.
 */
import { Client } from "../../../lib/client/index.js"
import { flow, foreach, join, localStore, run, step } from "../../../lib/index.js"

const [storeDir = "", mode = "", count = "0"] = process.argv.slice(2)
const n = Number(count)
const store = localStore(storeDir)
const quiet = { log: () => {} }

const report = (result: object): void => {
  process.stdout.write(`${JSON.stringify({ ...result, peakRssMegabytes: process.resourceUsage().maxRSS / 1024 })}\n`)
}

const bigArray = async (): Promise<object> => {
  const Big = flow("Big").pipe(
    step("start", () => {
      const signal = new Float64Array(n / 8)
      signal[0] = 1.5
      signal[signal.length - 1] = -2.5
      return { signal }
    }),
    step("end", (a) => ({ last: a.signal[a.signal.length - 1] ?? Number.NaN }))
  )
  const { runId, artifacts } = await run(Big, { store, ...quiet })
  if (artifacts.last !== -2.5) throw new Error(`the last element came through as ${artifacts.last}`)
  const task = await (await Client.open(store).run("Big", runId)).step("start").task("0")
  const back = (await task.artifact("signal")) as Float64Array
  return { ok: back.byteLength === n && back[0] === 1.5 && back[back.length - 1] === -2.5, bytes: back.byteLength }
}

const wideForeach = async (): Promise<object> => {
  const Wide = flow("Wide").pipe(
    step("start", () => ({ items: Array.from({ length: n }, (_, i) => i) })),
    foreach("items", step("work", (_a, ctx) => ({ odd: ctx.input % 2 }))),
    join("end", (inputs) => ({ odd: inputs.reduce((sum, input) => sum + input.odd, 0) }))
  )
  const started = performance.now()
  const { artifacts } = await run(Wide, { store, ...quiet, maxForeachItems: n })
  return { ok: artifacts.odd === Math.floor(n / 2), seconds: (performance.now() - started) / 1000 }
}

const hugeText = async (): Promise<object> => {
  // The longest string V8 allows: its JSON text (two quotes more) cannot exist.
  const Text = flow("Text").pipe(step("start", () => ({ text: "x".repeat(2 ** 29 - 24) })))
  await run(Text, { store, ...quiet })
  return { ok: true }
}

const modes: Record<string, () => Promise<object>> = { array: bigArray, foreach: wideForeach, text: hugeText }
const work = modes[mode]
if (work === undefined) throw new Error(`unknown mode '${mode}' (modes: ${Object.keys(modes).join(", ")})`)
try {
  report(await work())
} catch (error) {
  const cause = (error as { cause?: unknown }).cause
  const described = cause instanceof Error ? cause : (error as Error)
  report({ ok: false, error: (error as Error).constructor.name, cause: described.constructor.name, message: described.message })
}
