/**
 * Names that no other test, worker or concurrent test run uses: buckets, queues, gateway instances. They are
 * valid S3 bucket names (3-63 characters: lowercase letters, digits, hyphens; a letter or digit at both ends).
 */
import { randomBytes } from "node:crypto"

let counter = 0

/** `label` cut to what a bucket name allows: anything else becomes a hyphen. */
const cleanLabel = (label: string): string =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 30)
    .replace(/-+$/, "") || "t"

/** `label-<worker pid>-<counter>-<random>`, at most 63 characters. */
export const uniqueName = (label = "t"): string => {
  counter += 1
  return `${cleanLabel(label)}-${process.pid.toString(36)}-${counter.toString(36)}-${randomBytes(4).toString("hex")}`
}
