/**
 * The `verify` run option: catching a task that changed an inherited artifact in place.
 *
 * Records are frozen, but typed arrays and ArrayBuffers cannot be (nor can the internal state of a URL or a
 * RegExp's lastIndex), so `a.signal[0] = 1` in a step succeeds and the record in memory silently stops
 * matching what the store holds, which resume and the client later read. With `verify`, every task, as it
 * commits, re-encodes the artifacts it passes on unchanged that can hold such data (raw binary and
 * seroval-encoded values; plain JSON data is frozen all the way down) and compares their hashes with the
 * stored ones. It costs one encode and hash of those artifacts per task, so it is off by default: unchanged
 * artifacts are otherwise free.
 */
import { encode } from "../codec/encode.js"
import { sha256Hex } from "../codec/hash.js"
import type { ArtifactEntry } from "../datastore/Manifest.js"
import { MutatedArtifactError } from "../errors.js"
import { heldIn, NOT_HELD } from "./lazyRecord.js"
import type { Snapshot } from "./Snapshot.js"

/** Whether an entry's value can hold data that freezing does not protect. */
const canChangeInPlace = (entry: ArtifactEntry): boolean => entry.encoding !== "json"

/** What `ARTIFLOW_VERIFY=1` in the environment turns on, for test suites that cannot pass the option. */
export const verifyByDefault = (): boolean => process.env["ARTIFLOW_VERIFY"] === "1"

const mutated = (step: string, taskId: string, name: string, entry: ArtifactEntry): MutatedArtifactError =>
  new MutatedArtifactError(
    `artiflow: step '${step}' (task ${taskId}) ends with artifact '${name}' (${entry.type}) changed in place: ` +
      "it no longer matches what was stored for it. Artifacts are immutable, and binary data cannot be frozen: " +
      `copy it before changing it (e.g. new Float64Array(a.${name})) and return the copy`,
    step,
    name
  )

/**
 * Throws MutatedArtifactError naming the first artifact that `next` carries over from `base` unchanged (same
 * entry) whose value no longer encodes to the stored hash. A value a worker never loaded cannot have changed.
 */
export const verifyInherited = (step: string, taskId: string, base: Snapshot, next: Snapshot): void => {
  for (const [name, entry] of next.entries) {
    if (base.entries.get(name) !== entry || !canChangeInPlace(entry)) continue
    const value = heldIn(next.values, name)
    if (value === NOT_HELD) continue
    const encoded = encode(value)
    // The main bytes name every attachment by its hash, so their own hash covers the attachments too.
    const same = encoded._tag === "Right" && encoded.right.encoding === entry.encoding && sha256Hex(encoded.right.bytes) === entry.hash
    if (!same) throw mutated(step, taskId, name, entry)
  }
}
