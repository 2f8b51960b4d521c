/** The one hash artiflow addresses content by: sha256, lower-case hex. */
import { createHash } from "node:crypto"

/**
 * Lower-case hex sha256 of bytes (or of a string's UTF-8 encoding).
 *
 * @example
 * sha256Hex("") // "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
 */
export const sha256Hex = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex")

/** Whether `text` has the shape of a sha256 hex digest (64 lower-case hex digits). */
export const isSha256Hex = (text: string): boolean => /^[0-9a-f]{64}$/.test(text)
