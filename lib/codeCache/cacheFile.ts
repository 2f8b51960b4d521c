/**
 * Where the built package keeps V8's code cache of its bundle, and how a cache file is read and written.
 *
 *     <nearest node_modules>/.cache/artiflow/core-<key>.v8    4 bytes: CRC-32 of the rest (big-endian),
 *                                                            then V8's cached data for the bundle
 *
 * The key is a SHA-256 of the bundle's source, the Node version and the architecture: V8 itself only checks
 * that the source has the same length (and that its own version and flags match), so a cache must never be
 * offered for another source. The CRC-32 is ours too: V8's release builds do not checksum cached data, and
 * a damaged file must be rejected, not run. Writes are atomic (a temporary file renamed over), and a file that
 * cannot be read, written or trusted only costs the time of compiling without it.
 */
import { createHash } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { threadId } from "node:worker_threads"
import { crc32 } from "node:zlib"
import { artiflowCacheIn } from "../nodeModules.js"

const PREFIX = "core-"
const SUFFIX = ".v8"

/** Set to "0" (or "false", "off", "no") to neither read nor write the cache. */
const CODE_CACHE_VARIABLE = "ARTIFLOW_CODE_CACHE"

/** Whether the environment turns the cache off. */
const disabled = (): boolean => /^(0|false|off|no)$/i.test(process.env[CODE_CACHE_VARIABLE] ?? "")

/**
 * The cache file for the bundle at `bundleFile` with this `source`, in this Node; undefined when the cache is
 * turned off or there is no node_modules to keep it in.
 */
export const cacheFileFor = (bundleFile: string, source: string): string | undefined => {
  if (disabled()) return undefined
  const dir = artiflowCacheIn(dirname(bundleFile))
  if (dir === undefined) return undefined
  const key = createHash("sha256").update(source).update(`\0${process.version}\0${process.arch}`).digest("hex")
  return join(dir, `${PREFIX}${key.slice(0, 32)}${SUFFIX}`)
}

/** The cached data in `file`, if it is there and intact. */
export const readCache = (file: string): Buffer | undefined => {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch {
    return undefined
  }
  if (bytes.length <= 4) return undefined
  const data = bytes.subarray(4)
  return bytes.readUInt32BE(0) === crc32(data) ? data : undefined
}

/**
 * Writes `data` as the cache in `file`, replacing it whole, and removes the caches of other sources (older
 * builds of the bundle) beside it. Failures are ignored: the cache only saves time.
 */
export const writeCache = (file: string, data: Buffer): void => {
  const dir = dirname(file)
  const temporary = `${file}.${process.pid}-${threadId}.tmp`
  try {
    mkdirSync(dir, { recursive: true })
    const header = Buffer.alloc(4)
    header.writeUInt32BE(crc32(data))
    writeFileSync(temporary, Buffer.concat([header, data]))
    renameSync(temporary, file)
    const name = file.slice(dir.length + 1)
    for (const other of readdirSync(dir)) {
      if (other !== name && other.startsWith(PREFIX) && other.endsWith(SUFFIX)) rmSync(join(dir, other), { force: true })
    }
  } catch {
    try {
      rmSync(temporary, { force: true })
    } catch {
      // Nothing more to do: the directory cannot be written.
    }
  }
}
