/**
 * A program that bundles artiflow (esbuild here; webpack, Rollup and Vite set the same `module` condition)
 * gets the ES module build, dist/esm/, which a bundler takes in whole: the bundle runs a flow and reads it
 * back from a directory with no node_modules, "artiflow" and "artiflow/client" share one copy of the library,
 * and nothing of the script the package's own entries load (dist/chunks/core.cjs, which a bundler cannot follow)
 * is referenced.
 */
import { execFile } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { build } from "esbuild"
import { afterAll, beforeAll, expect, test } from "vitest"
import { root } from "./bundle.js"

const APP = `import { flow, step, run, memoryStore, Client as FromMain, IntegrityError } from "artiflow"
import { Client, IntegrityError as FromClient } from "artiflow/client"

const Bundled = flow("Bundled").pipe(step("start", () => ({ x: 20 })), step("end", (a) => ({ y: a.x + 1 })))
const store = memoryStore()
const result = await run(Bundled, { store, log: () => {} })
const end = await (await Client.open(store).run("Bundled", result.runId)).step("end")
const y = await (await end.task("0")).artifact("y")
console.log(JSON.stringify({ status: result.status, y, sameClient: FromMain === Client, sameError: IntegrityError === FromClient }))
`

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "artiflow-bundled-"))
  await mkdir(join(dir, "project", "node_modules"), { recursive: true })
  await symlink(root, join(dir, "project", "node_modules", "artiflow"), "dir")
  await writeFile(join(dir, "project", "app.mjs"), APP)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

test("a program bundled with esbuild runs a flow and reads it back, on the ES module build", async () => {
  const outfile = join(dir, "out", "app.mjs")
  await build({
    absWorkingDir: join(dir, "project"),
    entryPoints: ["app.mjs"],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    // The optional packages and tsx load only when used; a bundle of this program never uses them.
    external: ["@aws-sdk/client-s3", "bullmq", "ioredis", "tsx", "esbuild"],
    logLevel: "silent"
  })
  const bundled = await readFile(outfile, "utf8")
  expect(bundled).not.toContain("core.cjs")
  expect(bundled).not.toContain("load.cjs")
  const { stdout } = await promisify(execFile)(process.execPath, [outfile], { cwd: join(dir, "out") })
  expect(JSON.parse(stdout)).toEqual({ status: "succeeded", y: 21, sameClient: true, sameError: true })
})
