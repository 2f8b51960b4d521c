/**
 * DESIGN.md §4: an artifact a step did not write reuses its parent's entry, with no serialization, hashing
 * or I/O. A large array passing unchanged through a long flow is written once and never read back.
 */
import { describe, expect, test } from "vitest"
import { latestManifests } from "./manifests.js"
import { chain, js } from "./untyped.js"
import { forEachStore, quiet, spyingStore } from "../stores.js"

const STEPS = 100

forEachStore((_name, makeStore) => {
  describe("an unchanged large artifact", () => {
    test(`passes through ${STEPS} steps written once, never read, and named in no later manifest`, async () => {
      const counted = spyingStore(await makeStore())
      // Over 1 MiB: the local store's large-blob path (hashed while written).
      const signal = Float64Array.from({ length: (2 * 1024 * 1024) / 8 }, (_, i) => Math.sin(i))
      const bumps = Array.from({ length: STEPS }, (_, i) => js.step(`s${i}`, (a: { n: number }) => ({ n: a.n + 1 })))
      const F = chain(js.flow("Dedup"), js.step("start", () => ({ signal, n: 0 })), ...bumps)
      const result = await js.run(F, { store: counted.store, log: quiet, runId: "r1" })
      expect(result.artifacts.n).toBe(STEPS)
      expect(result.artifacts.signal).toBe(signal)
      // The only blob of the run: the counter is small enough to live inline in the manifests.
      expect(counted.writes).toEqual([signal.byteLength])
      expect(counted.reads).toEqual([])
      const manifests = await latestManifests(counted.store, "Dedup", "r1")
      expect(Object.keys(manifests.get("start/0")?.artifacts ?? {}).sort()).toEqual(["n", "signal"])
      for (let i = 0; i < STEPS; i++) expect(Object.keys(manifests.get(`s${i}/0`)?.artifacts ?? {})).toEqual(["n"])
    })
  })
})
