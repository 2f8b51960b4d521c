/**
 * Choosing a store without code: a location string names one, either a directory (a local store) or
 * `s3://bucket/prefix` (an S3 store reached with the standard AWS environment: `AWS_ENDPOINT_URL_S3`,
 * `AWS_ACCESS_KEY_ID`, `AWS_REGION`...). `ARTIFLOW_STORE` holds the default location of `run`, `resume`,
 * `spin`, `Client.open()` and the command line; without it the default is the local store at `$ARTIFLOW_HOME`,
 * else `./.artiflow`.
 */
import { StorageError } from "../errors.js"
import type { Datastore } from "./Datastore.js"
import { localStore } from "./local.js"
import { s3Store } from "./s3.js"

const S3_SCHEME = "s3://"

/** The bucket and prefix of `s3://bucket/prefix` (the prefix may be empty). */
const parseS3Url = (location: string): { readonly bucket: string; readonly prefix: string } => {
  const rest = location.slice(S3_SCHEME.length)
  const slash = rest.indexOf("/")
  const bucket = slash < 0 ? rest : rest.slice(0, slash)
  const prefix = slash < 0 ? "" : rest.slice(slash + 1).replace(/\/+$/, "")
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new StorageError(
      `artiflow: store '${location}' does not name an S3 bucket: use s3://<bucket>/<prefix> (a bucket name is 3 to 63 lower-case letters, digits, '.' and '-')`
    )
  }
  return { bucket, prefix }
}

/**
 * The store at `location`: `s3://bucket/prefix` for an S3 store, anything else a directory for a local store
 * (relative to the working directory).
 *
 * @example
 * storeAt("s3://ml-artifacts/team-a")   // s3Store({ bucket: "ml-artifacts", prefix: "team-a" })
 * storeAt("./runs")                     // localStore("./runs")
 */
export const storeAt = (location: string): Datastore => {
  if (!location.startsWith(S3_SCHEME)) return localStore(location)
  const { bucket, prefix } = parseS3Url(location)
  return s3Store({ bucket, ...(prefix !== "" && { prefix }) })
}

/** The default store: `ARTIFLOW_STORE` when set, else the local store at `$ARTIFLOW_HOME` or `./.artiflow`. */
export const defaultStore = (): Datastore => {
  const location = process.env["ARTIFLOW_STORE"]
  return location !== undefined && location !== "" ? storeAt(location) : localStore()
}
