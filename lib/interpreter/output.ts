/**
 * Turns what a step or join function returned into stored artifacts: checks the rules (an object of
 * artifacts, valid names, no parameter or config written), drops ephemeral `_` names, reuses the entry of every value
 * that is the same object as before (no encoding, hashing or I/O), stores the rest and freezes it.
 * Everything is checked before anything is stored, and nothing becomes visible before the manifest commits.
 */
import { encode } from "../codec/encode.js"
import type { ArtifactEntry } from "../datastore/Manifest.js"
import { storeEncoded } from "../datastore/artifacts.js"
import { isEphemeral, isValidArtifactName } from "../dsl/names.js"
import { FlowDefinitionError, NotStorableError, ResourceLimitError } from "../errors.js"
import { configWrite, describeValue, invalidArtifactName, notStorable, paramWrite } from "../types/messages.js"
import type { NotStorableWhat } from "../types/messages.js"
import type { CodecFailure, EncodedValue } from "../codec/Encoded.js"
import type { AttemptEnv } from "./attempt.js"
import { sha256Hex } from "../codec/hash.js"
import { heldIn, NOT_HELD } from "./lazyRecord.js"
import { freezeValue } from "./Snapshot.js"
import type { Snapshot } from "./Snapshot.js"

/** Artifacts an output sets, by name. */
export type Changes = ReadonlyMap<string, { readonly value: unknown; readonly entry: ArtifactEntry }>

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * What a step returned instead of an object of artifacts. An object literal with a `__proto__: value` key
 * sets its prototype instead of naming an artifact: `describeValue` would only say "an object".
 */
const describeOutput = (output: unknown): string => {
  const proto: unknown = typeof output === "object" && output !== null ? Object.getPrototypeOf(output) : undefined
  // A plain object as prototype (a class's prototype has its own `constructor`).
  const replaced = isPlainObject(proto) && proto !== Object.prototype && !Object.hasOwn(proto, "constructor")
  if (replaced) {
    return "an object with another prototype (a '__proto__:' key in an object literal sets the prototype: remove it)"
  }
  return describeValue(output)
}

/** The artifact names an output writes, checked. `undefined` (a function returning nothing) writes none. */
export const outputNames = (env: Pick<AttemptEnv, "params" | "configs">, step: string, output: unknown): ReadonlyArray<string> => {
  if (output === undefined) return []
  if (!isPlainObject(output)) {
    throw new FlowDefinitionError(
      `artiflow: step '${step}' must return an object of artifacts (or nothing), not ${describeOutput(output)}`
    )
  }
  const names = Object.keys(output).filter((name) => !isEphemeral(name))
  for (const name of names) {
    if (!isValidArtifactName(name)) throw new FlowDefinitionError(invalidArtifactName(step, name))
    if (env.params.has(name)) throw new FlowDefinitionError(paramWrite(step, name))
    if (env.configs.has(name)) throw new FlowDefinitionError(configWrite(step, name))
  }
  return names
}

/** The compiler's words for what the codec found (see `NotStorableWhat`). */
const categoryOf = (failure: CodecFailure): NotStorableWhat | string => {
  const { what, path } = failure
  if (what.startsWith("an object with methods")) return "an object with methods"
  if (what.startsWith("a WeakMap") || what.startsWith("a WeakSet")) return "a WeakMap or WeakSet"
  // A function stored as an object's property is a method to the compiler.
  if (what === "a function" && /(^|\.)[^.[\]<>]+$/.test(path) && path !== "") return "an object with methods"
  return what
}

/** The error for a value of `step`'s output the codec rejects, in the compiler's words. */
export const notStorableError = (step: string, name: string, failure: CodecFailure): NotStorableError =>
  new NotStorableError(notStorable(step, name, categoryOf(failure)), step, name, failure.path)

/**
 * Encodes an artifact, turning V8's size limits (a string cannot pass about 512 MB, so neither can a value's
 * JSON text) into an error that names the artifact and says what to do, instead of a bare RangeError.
 */
const encodeWithin = (step: string, name: string, value: unknown): ReturnType<typeof encode> => {
  try {
    return encode(value)
  } catch (error) {
    if (!(error instanceof RangeError) || !/Invalid string length|Array buffer allocation failed/.test(error.message)) throw error
    throw new ResourceLimitError(
      `artiflow: step '${step}' returned artifact '${name}', which is too large to encode as text (${error.message}): ` +
        "keep large numeric data in typed arrays (Float64Array, Uint8Array...), which are stored as raw bytes, or split it across artifacts"
    )
  }
}

/**
 * Encodes and stores one value a step, join or `resolve` function produced as artifact `name`: an error naming
 * both when the codec rejects it or it is too large, otherwise its entry.
 */
export const storeArtifact = async (env: Pick<AttemptEnv, "store">, step: string, name: string, value: unknown): Promise<ArtifactEntry> => {
  const encoded = encodeWithin(step, name, value)
  if (encoded._tag === "Left") throw notStorableError(step, name, encoded.left)
  return storeEncoded(env.store, encoded.right)
}

/** Whether an encoding is the stored artifact's, byte for byte. */
const sameContent = (entry: ArtifactEntry, encoded: EncodedValue): boolean =>
  entry.encoding === encoded.encoding && entry.type === encoded.type && entry.size === encoded.bytes.byteLength && entry.hash === sha256Hex(encoded.bytes)

/**
 * Stores the named values of an output over `base`, reusing what is unchanged. Every value is encoded before
 * any is stored: a value the codec rejects leaves nothing of the output behind (no orphan blobs).
 */
export const storeOutput = async (
  env: Pick<AttemptEnv, "store">,
  step: string,
  base: Snapshot,
  output: Readonly<Record<string, unknown>>,
  names: ReadonlyArray<string>
): Promise<Changes> => {
  const changes = new Map<string, { readonly value: unknown; readonly entry: ArtifactEntry }>()
  const toStore: Array<[string, unknown, EncodedValue]> = []
  for (const name of names) {
    const value = output[name]
    const previous = base.entries.get(name)
    const held = previous === undefined ? NOT_HELD : heldIn(base.values, name)
    if (previous !== undefined && held === value) {
      changes.set(name, { value, entry: previous })
      continue
    }
    const encoded = encodeWithin(step, name, value)
    if (encoded._tag === "Left") throw notStorableError(step, name, encoded.left)
    // A value a worker never loaded cannot be the same object: the same content is the same artifact.
    if (previous !== undefined && held === NOT_HELD && sameContent(previous, encoded.right)) {
      changes.set(name, { value: freezeValue(value), entry: previous })
      continue
    }
    toStore.push([name, value, encoded.right])
  }
  for (const [name, value, encoded] of toStore) {
    const entry = await storeEncoded(env.store, encoded)
    changes.set(name, { value: freezeValue(value), entry })
  }
  return changes
}
