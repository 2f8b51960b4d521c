/** A worker's cache of loaded values: by content, bounded by encoded size, least recently used out first. */
import { expect, test } from "vitest"
import type { ArtifactEntry } from "../../lib/datastore/Manifest.js"
import { ValueCache } from "../../lib/executor/valueCache.js"

const entry = (hash: string, size: number, type = "object"): ArtifactEntry => ({ hash, size, type, encoding: "json" })

test("loads each content once, keyed by hash, encoding and type", () => {
  const cache = new ValueCache(1000)
  let loads = 0
  const load = () => ({ n: ++loads })
  expect(cache.get(entry("a", 10), load)).toEqual({ n: 1 })
  expect(cache.get(entry("a", 10), load)).toEqual({ n: 1 })
  expect(cache.get(entry("a", 10, "Map"), load)).toEqual({ n: 2 })
  expect(loads).toBe(2)
})

test("past its budget, the least recently used values go; a value over a quarter of it is never kept", () => {
  const cache = new ValueCache(400)
  const loaded: Array<string> = []
  const get = (hash: string, size = 100) => cache.get(entry(hash, size), () => loaded.push(hash))
  get("a")
  get("b")
  get("c")
  get("a") // a is now the most recently used
  get("d")
  get("e") // over 400: b goes (the least recently used), then nothing else
  get("a")
  get("b")
  expect(loaded).toEqual(["a", "b", "c", "d", "e", "b"])
  get("big", 101)
  get("big", 101)
  expect(loaded.filter((hash) => hash === "big")).toHaveLength(2)
})
