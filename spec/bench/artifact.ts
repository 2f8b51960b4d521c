/**
 * A 100 MB Float64Array artifact persisted and reloaded through the artifact layer every run uses
 * (storeValue -> local store -> loadValue, hashing on write and verifying on read), against fs.writeFile +
 * fs.readFile of the same bytes, side by side in the same process, alternating which goes first.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { storeValue } from "../../lib/datastore/artifacts.js"
import { loadValue } from "../../lib/datastore/load.js"
import { localStore } from "artiflow"
import type { Figure } from "./measure.js"
import { median, ms, timed, withTempDir } from "./measure.js"

const where = { flow: "Bench", runId: "bench", step: "start", taskId: "0", artifact: "signal" }

export const measureLargeArtifact = async (megabytes: number, repetitions: number): Promise<ReadonlyArray<Figure>> => {
  const values = new Float64Array((megabytes * 1024 * 1024) / 8)
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(i)
  const ours: Array<number> = []
  const raw: Array<number> = []
  await withTempDir(async (dir) => {
    const store = localStore(join(dir, "store"))
    for (let rep = 0; rep < repetitions; rep++) {
      values[0] = rep // new content each time: the store would otherwise skip writing a blob it already has
      const oursFirst = rep % 2 === 0
      const measureOurs = () =>
        timed(async () => {
          const stored = await storeValue(store, values)
          if (stored._tag === "Left") throw new Error("the array should be storable")
          const back = (await loadValue(store, stored.right, where)) as Float64Array
          if (back.length !== values.length || back[0] !== rep) throw new Error("artifact came back wrong")
        })
      const measureRaw = () =>
        timed(async () => {
          const file = join(dir, `raw-${rep}`)
          await fs.writeFile(file, new Uint8Array(values.buffer))
          const back = await fs.readFile(file)
          if (back.byteLength !== values.byteLength) throw new Error("raw read came back short")
        })
      if (oursFirst) {
        ours.push(await measureOurs())
        raw.push(await measureRaw())
      } else {
        raw.push(await measureRaw())
        ours.push(await measureOurs())
      }
    }
  })
  const ratio = median(ours) / median(raw)
  return [
    {
      name: `${megabytes} MB Float64Array persist + reload`,
      ours: ms(median(ours)),
      baseline: `${ms(median(raw))} fs write+read`,
      ratio: `${ratio.toFixed(2)}x`,
      target: "<= 2x",
      met: ratio <= 2
    }
  ]
}
