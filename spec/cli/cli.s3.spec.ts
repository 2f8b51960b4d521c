/**
 * The command line on an S3 store (issue 10, item 3): the compiled CLI in child processes, with the AWS
 * environment a user would set (AWS_ENDPOINT_URL_S3, credentials, region) and the store named by `--store
 * s3://bucket/prefix` or by ARTIFLOW_STORE: run (a failing one), resume, runs, show, dump, spin and report
 * all work there, and nothing lands in the local store. At first use, a missing bucket or wrong credentials
 * are exit 1 with a message naming the bucket, the endpoint and what to do, and no run is created.
 */
import { readFile, readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest"
import { Client, s3Store } from "../../lib/index.js"
import buildDist from "../globalSetup.js"
import { freshBucket, s3Client, s3Server } from "../support/s3.js"
import { listKeys } from "../datastore/s3Harness.js"
import { artiflow, fixture, root, startedRunId, tempHome } from "./process.js"
import type { Outcome } from "./process.js"

const FILE = fixture("spinnable")

/** The newest modification time of the files under `dir` (recursively). */
const newest = async (dir: string): Promise<number> => {
  let time = 0
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) time = Math.max(time, (await stat(join(entry.parentPath, entry.name))).mtimeMs)
  }
  return time
}

// The unit project's global setup builds dist/ (and `npm test` builds it first); this file runs in the s3
// project, so when run alone it builds dist/ itself if the sources changed since.
beforeAll(async () => {
  const built = await stat(join(root, "dist/cli/main.js")).then((file) => file.mtimeMs, () => 0)
  if (built < (await newest(join(root, "lib")))) await buildDist()
}, 120_000)

let home: { readonly dir: string; remove(): Promise<void> }

beforeEach(async () => {
  home = await tempHome()
})

afterEach(async () => {
  await home.remove()
})

/** What a user sets to reach the S3 server; ARTIFLOW_HOME is where a local store (and the read cache) would go. */
const awsEnv = (overrides: Readonly<Record<string, string>> = {}): Record<string, string> => {
  const { endpoint, accessKeyId, secretAccessKey, region } = s3Server()
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_REGION: region,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ARTIFLOW_HOME: join(home.dir, "home"),
    ...overrides
  }
}

/** The S3 store at `s3://bucket/prefix`, opened in this process. */
const storeIn = (bucket: string, prefix: string) => {
  const { endpoint, accessKeyId, secretAccessKey, region } = s3Server()
  return s3Store({ bucket, prefix, endpoint, region, credentials: { accessKeyId, secretAccessKey }, cacheDir: false })
}

/** Whether anything was written to the local store under ARTIFLOW_HOME (the read cache aside). */
const localRuns = async (): Promise<ReadonlyArray<string>> =>
  (await readdir(join(home.dir, "home")).catch(() => [] as Array<string>)).filter((name) => name !== "cache")

/** A command that succeeded, and printed nothing on stderr but foreach progress (no error, no SDK warning). */
const ok = (outcome: Outcome): Outcome => {
  expect(outcome.code, outcome.stderr).toBe(0)
  expect(outcome.stderr.split("\n").filter((line) => line !== "" && !/^foreach items: \d+\/3 /.test(line))).toEqual([])
  return outcome
}

/**
 * The whole round on one store: a run whose `score/1` fails (exit 1, hints naming the store when `--store`
 * chose it), its resume, then every reading command, spin and report. `store` is the `--store` arguments
 * (none when ARTIFLOW_STORE names the store).
 */
const everyCommand = async (env: Record<string, string>, store: ReadonlyArray<string>, hint: string): Promise<{ failed: string; resumed: string }> => {
  const failing = await artiflow(["run", FILE, ...store], { ...env, SPINNABLE_FAIL: "1" })
  expect(failing.code, failing.stderr).toBe(1)
  const failed = startedRunId(failing.stdout)
  expect(failing.stderr).toContain(`artiflow: run '${failed}' of flow 'Spinnable' failed in step 'score' (task 1): score 1 refused its input`)
  expect(failing.stderr).toContain(`resume it:  artiflow resume ${FILE}${hint}`)

  const resumedRun = ok(await artiflow(["resume", FILE, ...store], env))
  const resumed = startedRunId(resumedRun.stdout)
  expect(resumedRun.stdout).toContain(`run ${resumed} of Spinnable started, resuming run ${failed}`)
  expect(resumedRun.stdout).toContain(`[start/0] reused from run ${failed}`)
  expect(resumedRun.stdout).toContain(`succeeded in `)
  expect(resumedRun.stdout).toContain(` (2 tasks ran, 3 reused from run ${failed})`)
  expect(resumedRun.stdout).toMatch(/^ {2}total +12$/m)

  const runs = ok(await artiflow(["runs", "Spinnable", "--json", ...store], env))
  expect((JSON.parse(runs.stdout) as ReadonlyArray<{ id: string; status: string }>).map(({ id, status }) => ({ id, status }))).toEqual([
    { id: resumed, status: "succeeded" },
    { id: failed, status: "failed" }
  ])
  expect(ok(await artiflow(["runs", ...store], env)).stdout).toBe("Spinnable\n")

  const show = ok(await artiflow(["show", `Spinnable/${resumed}`, ...store], env))
  expect(show.stdout).toContain(resumed)
  expect(show.stdout).toContain("succeeded")

  const dump = ok(await artiflow(["dump", `Spinnable/${resumed}/score/2`, "--json", ...store], env))
  expect(JSON.parse(dump.stdout)).toMatchObject({ flow: "Spinnable", artifacts: { score: { value: 6, type: "number" } } })

  const spin = ok(await artiflow(["spin", FILE, "score", "--task", "1", ...store], { ...env, SPINNABLE_BONUS: "100" }))
  expect(spin.stdout).toContain(`spin of score/1 (run ${resumed} of Spinnable, where it succeeded)`)
  expect(spin.stdout).toMatch(/^ {2}score +4 +104 +changed$/m)

  const out = join(home.dir, "report.html")
  expect(ok(await artiflow(["report", `Spinnable/${resumed}`, "--out", out, ...store], env)).stdout).toBe(`${out}\n`)
  const html = await readFile(out, "utf8")
  expect(html).toContain(resumed)
  expect(html).toContain(failed)

  // The resumed run refers to the failed run's tasks: gc keeps both, and every blob they reference.
  const collected = ok(await artiflow(["gc", "--keep-last", "1", "--grace", "0s", "--json", ...store], env))
  expect(JSON.parse(collected.stdout)).toMatchObject({ runsDeleted: 0, dryRun: false })
  expect(await localRuns()).toEqual([])
  return { failed, resumed }
}

describe("the CLI on an S3 store", () => {
  test("--store s3://bucket/prefix: run, resume, runs, show, dump, spin, report and gc", async () => {
    const bucket = await freshBucket(s3Client(), "cli")
    const location = `s3://${bucket}/team/a`
    const { failed, resumed } = await everyCommand(awsEnv(), ["--store", location], ` --store ${location}`)
    const client = Client.open(storeIn(bucket, "team/a"))
    expect((await client.runs("Spinnable")).map((run) => run.id)).toEqual([resumed, failed])
    expect(await (await client.run("Spinnable", resumed)).artifact("total")).toBe(12)
    expect((await listKeys(s3Client(), bucket)).every((key) => key.startsWith("team/a/"))).toBe(true)
  }, 120_000)

  test("ARTIFLOW_STORE=s3://bucket/prefix: the same commands, without --store", async () => {
    const bucket = await freshBucket(s3Client(), "cli")
    const env = awsEnv({ ARTIFLOW_STORE: `s3://${bucket}/shared` })
    const { resumed } = await everyCommand(env, [], "")
    expect((await Client.open(storeIn(bucket, "shared")).runs("Spinnable"))[0]?.id).toBe(resumed)
    // --store still wins over ARTIFLOW_STORE.
    const elsewhere = join(home.dir, "local-store")
    ok(await artiflow(["run", FILE, "--store", elsewhere], env))
    expect(await Client.open(storeIn(bucket, "shared")).runs("Spinnable")).toHaveLength(2)
    expect(await readdir(elsewhere)).toContain("runs")
  }, 120_000)
})

describe("first-use errors through the CLI", () => {
  test("a missing bucket: exit 1 naming the bucket and the endpoint; no run anywhere", async () => {
    const { endpoint } = s3Server()
    const result = await artiflow(["run", FILE, "--store", "s3://no-such-bucket-artiflow-cli/p"], awsEnv())
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    expect(result.stderr).toBe(
      `artiflow: S3 HeadBucket of s3://no-such-bucket-artiflow-cli/ at ${endpoint} failed: bucket 'no-such-bucket-artiflow-cli' does not exist (artiflow never creates buckets: create it, or check the name)\n`
    )
    const reading = await artiflow(["runs", "Spinnable", "--store", "s3://no-such-bucket-artiflow-cli/p"], awsEnv())
    expect(reading.code).toBe(1)
    // Listing the runs and their tag changes go at once: either fails first.
    expect(reading.stderr).toMatch(
      new RegExp(
        String.raw`^artiflow: S3 ListObjectsV2 of s3://no-such-bucket-artiflow-cli/p/runs/Spinnable/(\.tags/)? at ${endpoint.replaceAll(".", "\.")} ` +
          String.raw`failed: bucket 'no-such-bucket-artiflow-cli' does not exist \(artiflow never creates buckets: create it, or check the name\)
$`
      )
    )
    expect(await localRuns()).toEqual([])
  })

  test("wrong credentials: exit 1 naming the bucket and the endpoint and what to check; no run created", async () => {
    const bucket = await freshBucket(s3Client(), "cli")
    const { endpoint } = s3Server()
    const env = awsEnv({ AWS_SECRET_ACCESS_KEY: "not-the-secret" })
    const result = await artiflow(["run", FILE, "--store", `s3://${bucket}/p`], env)
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    expect(result.stderr).toBe(
      `artiflow: S3 HeadBucket of s3://${bucket}/ at ${endpoint} failed: access denied (HTTP 403): check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE) and their rights on the bucket\n`
    )
    expect(await listKeys(s3Client(), bucket)).toEqual([])
    expect(await localRuns()).toEqual([])
  })

  test("a location that names no bucket, in --store or ARTIFLOW_STORE: exit 2 (a usage error) before any request", async () => {
    const message =
      "artiflow: store 's3://Not_A_Bucket/x' does not name an S3 bucket: use s3://<bucket>/<prefix> (a bucket name is 3 to 63 lower-case letters, digits, '.' and '-')"
    const given = await artiflow(["runs", "Spinnable", "--store", "s3://Not_A_Bucket/x"], awsEnv())
    expect(given).toEqual({ code: 2, stdout: "", stderr: `${message}\n` })
    const fromEnv = await artiflow(["run", FILE], awsEnv({ ARTIFLOW_STORE: "s3://Not_A_Bucket/x" }))
    expect(fromEnv).toEqual({ code: 2, stdout: "", stderr: `${message} (it is ARTIFLOW_STORE's value)\n` })
    expect(await localRuns()).toEqual([])
  })
})
