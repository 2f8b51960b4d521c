/**
 * The S3 store writes nothing to the console of the program using it: a large blob is published by an empty
 * pointer object, whose PutObject once made the SDK print "Are you using a Stream of unknown length as the
 * Body of a PutObject request?" on every such write (it sets Content-Length from the body, except for an empty
 * one, and warns about requests without it).
 */
import { afterEach, expect, test, vi } from "vitest"
import { sha256Hex } from "../../lib/codec/hash.js"
import { MULTIPART_THRESHOLD } from "../../lib/datastore/s3Blobs.js"
import { s3Server } from "../support/s3.js"
import { s3Harness } from "./s3Harness.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

test("publishing a large blob (multipart upload, then an empty pointer object) prints no SDK warning", async () => {
  const harness = await s3Harness(s3Server(), { cacheDir: false })
  cleanups.push(harness.cleanup)
  const warn = vi.spyOn(console, "warn")
  const error = vi.spyOn(console, "error")
  const log = vi.spyOn(console, "log")
  const bytes = new Uint8Array(MULTIPART_THRESHOLD + 1).fill(7)
  const { hash } = await harness.store.writeBlob(bytes)
  expect(hash).toBe(sha256Hex(bytes))
  expect(await harness.store.hasBlob(hash)).toBe(true)
  expect([...warn.mock.calls, ...error.mock.calls, ...log.mock.calls]).toEqual([])
}, 60_000)
