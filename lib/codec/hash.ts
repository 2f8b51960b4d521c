/** The one hash artiflow addresses content by: sha256, lower-case hex. */
import { createHash, hash } from "node:crypto"

/**
 * Node refuses to hash 2 GiB or more in one call ("data is too long"); larger inputs are fed in pieces.
 * Below this, the one-shot `crypto.hash` is used: it skips the Hash object and is several times faster on the
 * small inputs most artifacts are.
 */
const ONE_CALL_LIMIT = 1024 * 1024 * 1024

/**
 * Lower-case hex sha256 of bytes (or of a string's UTF-8 encoding), of any size.
 *
 * @example
 * sha256Hex("") // "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
 */
export const sha256Hex = (data: Uint8Array | string): string => {
  if (typeof data === "string" || data.byteLength <= ONE_CALL_LIMIT) return hash("sha256", data, "hex")
  const hasher = createHash("sha256")
  for (let offset = 0; offset < data.byteLength; offset += ONE_CALL_LIMIT) {
    hasher.update(data.subarray(offset, offset + ONE_CALL_LIMIT))
  }
  return hasher.digest("hex")
}

/** Whether `text` has the shape of a sha256 hex digest (64 lower-case hex digits). */
export const isSha256Hex = (text: string): boolean => /^[0-9a-f]{64}$/.test(text)
