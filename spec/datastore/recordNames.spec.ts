/**
 * A record read from a log is named in messages by its place ("record 3 of <log>"), a name made only when a
 * message needs it: opening a run of 10,000 tasks builds none.
 */
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, test } from "vitest"
import { localStore } from "../../lib/datastore/local.js"
import { frameRecord } from "../../lib/datastore/manifestLog.js"
import { encodeManifest, lazyRecord } from "../../lib/datastore/records.js"
import { IntegrityError } from "../../lib/errors.js"
import { manifest, runMeta } from "./contract/fixtures.js"
import { localHarness } from "./localHarness.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

describe("records named by their place in a log", () => {
  test("lazyRecord names the index-th record of the log it is given, counting from 1", () => {
    const contradicting = encodeManifest(manifest("fit")).replace('"attempt":0,', '"attempt":0,"step":"other",')
    expect(() => lazyRecord(contradicting, "/x/manifests.jsonl", 4).manifest()).toThrow(
      "manifest record 5 of /x/manifests.jsonl does not match its own header"
    )
    expect(() => lazyRecord('{"taskId": 1}', "/x/manifests.jsonl", 0)).toThrow("manifest record 1 of /x/manifests.jsonl is not a task manifest")
  })

  test("the local store names the record and its log when a record's body contradicts its header", async () => {
    const harness = await localHarness()
    cleanups.push(harness.cleanup)
    await harness.store.createRun(runMeta("Train", "r1"))
    await harness.store.commitManifests("Train", "r1", [manifest("a"), manifest("b")])
    // A third record, well framed (its checksum is right), whose body says another step than its header.
    const log = join(harness.root, "runs", "Train", "r1", "manifests.jsonl")
    const lying = encodeManifest(manifest("c")).replace('"attempt":0,', '"attempt":0,"step":"d",')
    await fs.appendFile(log, frameRecord(lying))
    const records = (await localStore(harness.root).readManifestRecords?.("Train", "r1")) ?? []
    expect(records.map((record) => record.step)).toEqual(["a", "b", "c"])
    expect(() => records[2]?.manifest()).toThrow(IntegrityError)
    expect(() => records[2]?.manifest()).toThrow(`manifest record 3 of ${log} does not match its own header`)
  })

})
