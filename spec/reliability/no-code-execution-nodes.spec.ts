/**
 * Stored seroval nodes artiflow never writes, and stored names that would set prototypes: gaps in "loading
 * never executes stored code" that the crafted-payload tests found, each now closed and guarded here.
 */
import { createReference } from "seroval"
import { afterEach, describe, expect, test } from "vitest"
import { loadValue } from "../../lib/datastore/load.js"
import { Client, IntegrityError, memoryStore } from "../../lib/index.js"
import { craftedEntry, craftRun, template, tree } from "./crafted.js"
import { clearSentinel, SENTINEL } from "./guard.js"
import { expectIntegrityError, load, where } from "./loading.js"

afterEach(clearSentinel)

const delay = (ms: number): Promise<string> =>
  new Promise((resolve) => setTimeout(() => resolve(`still pending after ${ms} ms`), ms))

/**
 * seroval's `fromJSON` rebuilds node types artiflow never writes: Promises (t 12, 22), references to values
 * registered in the process with seroval's `createReference` (t 18), streams and iterators. `loadValue` is
 * async, so a decoded Promise or thenable would be adopted: loading would resolve to whatever it carries,
 * reject with whatever error it carries, never settle, or call a registered function. lib/codec/serovalNodes.ts
 * refuses every node type `encode` does not write before `fromJSON` sees the tree.
 */
describe("stored node types artiflow never writes are refused", () => {
  test("a stored Promise node is refused, not awaited into the value it carries", async () => {
    const outcome = await load(
      memoryStore(),
      tree({ t: 12, i: 0, s: 1, f: { t: 1, s: "smuggled" } }),
      "seroval",
      "object",
      "inline"
    )
    expectIntegrityError(outcome)
  })

  test("a stored rejected Promise fails as an IntegrityError, not with the error it carries", async () => {
    const forged = { t: 13, i: 1, s: 0, m: "artiflow: forged by the store", p: { k: [], v: [] } }
    const outcome = await load(memoryStore(), tree({ t: 12, i: 0, s: 0, f: forged }), "seroval", "object", "blob")
    expectIntegrityError(outcome)
  })

  test("a stored pending Promise fails promptly instead of never settling", async () => {
    const store = memoryStore()
    const entry = await craftedEntry(store, tree({ t: 22, i: 0, s: 1 }), "seroval", "object", "inline")
    // Not under the guard: its traps would stay installed for as long as the load hangs.
    const outcome = await Promise.race([
      loadValue(store, entry, where).catch((error: unknown) => ({ failed: error })),
      delay(500)
    ])
    expectIntegrityError(outcome)
  })

  test("a stored reference to a function registered with seroval is never called", async () => {
    // Frameworks built on seroval register functions this way (server functions); one could be `then`.
    createReference("artiflow-test:then", (resolve: (value: unknown) => void) => {
      ;(globalThis as Record<string, unknown>)[SENTINEL] = "called through a stored reference"
      resolve("called")
    })
    const thenable = { t: 10, i: 0, p: { k: ["then"], v: [{ t: 18, i: 1, s: "artiflow-test:then" }] }, o: 0 }
    const outcome = await load(memoryStore(), tree(thenable), "seroval", "object", "inline")
    expectIntegrityError(outcome)
  })
})

/** Stored names are keys from disk: the Client must not let one named "__proto__" set a prototype. */
describe("names from the store never set prototypes in the Client", () => {
  const hostile = '{"polluted":true}'

  // Client.run copies the stored parameters into `{}` by assignment (lib/client/Client.ts).
  test(
    "a parameter named '__proto__' in stored run metadata does not become the prototype of run.params",
    async () => {
      const store = memoryStore()
      await craftRun(
        store,
        await template(store, "Crafted"),
        "proto-param",
        [],
        [["__proto__", await craftedEntry(store, hostile, "json", "object", "inline")]]
      )
      const opened = await Client.open(store)
        .run("Crafted", "proto-param")
        .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
      if (opened instanceof Error) return expect(opened).toBeInstanceOf(IntegrityError)
      expect([Object.prototype, null]).toContain(Object.getPrototypeOf(opened.params))
      expect((opened.params as Record<string, unknown>).polluted).toBeUndefined()
    }
  )

  // RunHandle.artifacts copies the loaded artifacts into `{}` by assignment (lib/client/RunHandle.ts).
  test(
    "an artifact named '__proto__' in a stored manifest does not become the prototype of run.artifacts()",
    async () => {
      const store = memoryStore()
      const entry = await craftedEntry(store, hostile, "json", "object", "inline")
      await craftRun(store, await template(store, "Crafted"), "proto-artifact", [["__proto__", entry]])
      const all = await (
        await Client.open(store).run("Crafted", "proto-artifact")
      )
        .artifacts()
        .catch((error: unknown) => error)
      if (all instanceof Error) return expect(all).toBeInstanceOf(IntegrityError)
      expect([Object.prototype, null]).toContain(Object.getPrototypeOf(all))
      expect((all as Record<string, unknown>).polluted).toBeUndefined()
    }
  )
})
