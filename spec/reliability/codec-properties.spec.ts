/**
 * Property tests of the codec and the artifact layer over arbitrary storable values (DESIGN.md §3.8, §4):
 * round trips are exact (through the codec alone, through `storeValue`/`loadValue` on both stores, and
 * through a run and the Client), equal values hash equally and near misses hash differently, and values
 * with a non-storable part are refused with the part's path. Runs and seeds: see `runs.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterAll, describe, expect, test } from "vitest"
import { contentHash, encode } from "../../lib/codec/encode.js"
import type { CodecFailure } from "../../lib/codec/Encoded.js"
import { storeValue } from "../../lib/datastore/artifacts.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import { loadValue } from "../../lib/datastore/load.js"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { Client, flow, localStore, memoryStore, NotStorableError, run, RunFailedError, step } from "../../lib/index.js"
import { decoded, encoded } from "../codec/helpers.js"
import { spyingStore } from "../stores.js"
import { largeBinaryShape, plainDataShape, storableShape } from "./arbitraries.js"
import { assertSame, same } from "./equality.js"
import { mutate } from "./mutate.js"
import { poisonedShape } from "./poison.js"
import { build, nodesOf, reordering } from "./shape.js"
import { property } from "./runs.js"

const where = { flow: "Props", runId: "r1", step: "start", taskId: "0", artifact: "value" }
const quiet = { log: () => {} }

const hashOf = (value: unknown): string => {
  const result = contentHash(value)
  if (result._tag === "Left") throw new Error(`expected storable, got ${JSON.stringify(result.left)}`)
  return result.right
}

const stored = async (store: Datastore, value: unknown): Promise<ArtifactEntry> => {
  const result = await storeValue(store, value)
  if (result._tag === "Left") throw new Error(`expected storable, got ${JSON.stringify(result.left)}`)
  return result.right
}

const tempDirs: Array<string> = []
const newTempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "artiflow-props-"))
  tempDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe("round trips are exact", () => {
  property("encode then decode gives back every storable value exactly", 400, () =>
    fc.property(storableShape(), (shape) => {
      assertSame(decoded(encoded(build(shape))), build(shape))
    })
  )

  property("values holding binary data past the blob threshold round-trip, as attachments or raw blobs", 25, () =>
    fc.property(largeBinaryShape, (shape) => {
      assertSame(decoded(encoded(build(shape))), build(shape))
    })
  )

  property("plain data takes the JSON fast path and round-trips exactly", 200, () =>
    fc.property(plainDataShape, (shape) => {
      const value = encoded(build(shape))
      expect(value.encoding).toBe("json")
      assertSame(decoded(value), build(shape))
    })
  )

  property("storeValue then loadValue on a memory store gives back the value", 150, () => {
    const store = memoryStore()
    return fc.asyncProperty(storableShape({ large: true, maxDepth: 3 }), async (shape) => {
      const entry = await stored(store, build(shape))
      assertSame(await loadValue(store, entry, where), build(shape))
    })
  })

  property(
    "storeValue then loadValue on a local store gives back the value, read by a second store instance",
    20,
    () => {
      const dir = newTempDir()
      const writer = localStore(dir)
      // A second instance over the same directory: what another process reads, with no state shared in memory.
      const reader = localStore(dir)
      return fc.asyncProperty(storableShape({ large: true, maxDepth: 3 }), async (shape) => {
        const entry = await stored(writer, build(shape))
        assertSame(await loadValue(reader, entry, where), build(shape))
      })
    }
  )

  const throughRun = (makeStore: () => Datastore) => () =>
    fc.asyncProperty(storableShape({ maxDepth: 3 }), async (shape) => {
      const store = makeStore()
      const Props = flow("Props").pipe(step("start", () => ({ value: build(shape) })))
      const result = await run(Props, { store, ...quiet })
      const loaded = await (await Client.open(store).run("Props", result.runId)).artifact("value")
      assertSame(loaded, build(shape))
    })

  property(
    "an artifact a step returns loads back exactly through the Client (memory store)",
    60,
    throughRun(memoryStore)
  )
  property("an artifact a step returns loads back exactly through the Client (local store)", 8, () => {
    const dir = newTempDir()
    return throughRun(() => localStore(dir))()
  })
})

describe("content hashes", () => {
  property("equal values hash equally: built twice, keys inserted in another order, frozen", 300, () =>
    fc.property(storableShape(), fc.nat(), (shape, seed) => {
      const hash = hashOf(build(shape))
      expect(hashOf(build(shape, { reorder: reordering(seed) }))).toBe(hash)
      expect(hashOf(build(shape, { freeze: true, reorder: reordering(seed + 1) }))).toBe(hash)
    })
  )

  property("a stored entry's hash is the value's content hash, whatever the store", 60, () => {
    const memory = memoryStore()
    const local = localStore(newTempDir())
    return fc.asyncProperty(storableShape({ maxDepth: 3 }), fc.nat(), async (shape, seed) => {
      const hash = hashOf(build(shape))
      expect((await stored(memory, build(shape, { reorder: reordering(seed) }))).hash).toBe(hash)
      expect((await stored(local, build(shape, { freeze: true }))).hash).toBe(hash)
    })
  })

  property("near misses: two values hash equally exactly when they are equal", 600, () =>
    fc.property(storableShape(), fc.nat(), fc.nat(), (shape, at, choice) => {
      const other = mutate(shape, nodesOf(shape).length, at, choice)
      const a = build(shape)
      const b = build(other)
      if (same(a, b)) expect(hashOf(b)).toBe(hashOf(a))
      else expect(hashOf(b)).not.toBe(hashOf(a))
    })
  )

  property("near misses of plain data (the JSON fast path): equal hashes exactly for equal values", 200, () =>
    fc.property(plainDataShape, fc.nat(), fc.nat(), (shape, at, choice) => {
      const other = mutate(shape, nodesOf(shape).length, at, choice)
      const a = build(shape)
      const b = build(other)
      if (same(a, b)) expect(hashOf(b)).toBe(hashOf(a))
      else expect(hashOf(b)).not.toBe(hashOf(a))
    })
  )
})

describe("values that are not storable", () => {
  property("are refused, naming what and where, and nothing is stored", 300, () => {
    return fc.asyncProperty(poisonedShape, async ({ shape, poison, path }) => {
      const failure: CodecFailure = { _tag: "NotStorable", what: poison.what, path }
      expect(encode(build(shape))).toEqual({ _tag: "Left", left: failure })
      const { store, writes } = spyingStore(memoryStore())
      expect(await storeValue(store, build(shape))).toEqual({ _tag: "Left", left: failure })
      expect(writes).toEqual([])
    })
  })
})

describe("a step returning a value that is not storable", () => {
  property("fails naming the step, the artifact and the path, and nothing of the attempt is stored", 30, () =>
    fc.asyncProperty(storableShape({ maxDepth: 2, large: true }), poisonedShape, async (okShape, { shape, path }) => {
      const { store, writes } = spyingStore(memoryStore())
      // `ok` is encoded before `bad` is refused: the step's output is all or nothing (DESIGN.md §3.8).
      const Poisoned = flow("Poisoned").pipe(step("start", () => ({ ok: build(okShape), bad: build(shape) })))
      const failure = await run(Poisoned, { store, ...quiet }).then(
        () => undefined,
        (error: unknown) => error
      )
      expect(failure).toBeInstanceOf(RunFailedError)
      const { cause, runId } = failure as RunFailedError
      expect(cause).toBeInstanceOf(NotStorableError)
      const { step: where, artifact, path: at, message } = cause as NotStorableError
      expect([where, artifact, at]).toEqual(["start", "bad", path])
      expect(message).toMatch(/^artiflow: step 'start': artifact 'bad' is not storable \(/)
      expect(writes).toEqual([])
      const manifests = await store.readManifests("Poisoned", runId)
      expect(manifests.map((m) => [m.status, Object.keys(m.artifacts)])).toEqual([["failed", []]])
    })
  )
})

/** A value that must load as the plain object it is stored as (a data-only class instance). */
class Point {
  constructor(
    readonly x: number,
    readonly y: unknown
  ) {}
}

describe("data-only class instances", () => {
  test("load back as the plain objects they are stored as", () => {
    assertSame(decoded(encoded({ p: new Point(1, 2n) })), { p: { x: 1, y: 2n } })
    assertSame(decoded(encoded({ p: new Point(1, "plain") })), { p: { x: 1, y: "plain" } })
  })

  // An instance whose fields are all plain data takes the JSON path like the equal plain object, so a join's
  // `equal` holds between a branch returning `new Point(1, 2)` and one returning `{ x: 1, y: 2 }`.
  test("hash like the plain object they load as, also when their fields are plain data", () => {
    expect(hashOf({ p: new Point(1, 2) })).toBe(hashOf({ p: { x: 1, y: 2 } }))
  })

  test("hash like the plain object they load as when seroval stores both", () => {
    expect(hashOf({ p: new Point(1, 2n) })).toBe(hashOf({ p: { x: 1, y: 2n } }))
  })
})
