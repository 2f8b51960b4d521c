/**
 * The Datastore conformance suite: every adapter runs it, through one call, against a fresh store per test.
 * It covers every port method, the artifact layer over it, and whole flows run, resumed, read and reported on
 * the store (spec/datastore/contract/*.ts, one section each).
 *
 * @example
 * datastoreContract("memory", async () => { ... return { store, corruptBlob, truncateBlob, cleanup } })
 */
import { describe } from "vitest"
import { artifactSection } from "./contract/artifacts.js"
import { blobSection } from "./contract/blobs.js"
import { collectionSection } from "./contract/collection.js"
import { cacheSection } from "./contract/cache.js"
import type { MakeHarness } from "./contract/fixtures.js"
import { flowSection } from "./contract/flows.js"
import { manifestSection } from "./contract/manifests.js"
import { runSection } from "./contract/runs.js"
import { tagSection } from "./contract/tags.js"

export type { MakeHarness, StoreHarness } from "./contract/fixtures.js"

/** Runs the whole conformance suite against the adapter `harness` builds. */
export const datastoreContract = (name: string, harness: MakeHarness): void => {
  describe(`Datastore contract: ${name}`, () => {
    blobSection(harness)
    runSection(harness)
    tagSection(harness)
    manifestSection(harness)
    artifactSection(harness)
    flowSection(harness)
    collectionSection(harness)
    cacheSection(harness)
  })
}
