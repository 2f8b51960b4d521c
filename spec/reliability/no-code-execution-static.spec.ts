/**
 * The static half of "loading never executes stored code": the library's source holds no way to run text as
 * code (see `sourceScan.ts`), decoding goes through seroval's `fromJSON`, and the runtime guard the crafted
 * payload tests rely on does catch seroval's eval path.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { deserialize } from "seroval"
import { afterEach, describe, expect, test } from "vitest"
import { clearSentinel, pwn, sentinel, withoutCodeExecution } from "./guard.js"
import { scanLibrary, scanSource } from "./sourceScan.js"

const root = fileURLToPath(new URL("../..", import.meta.url))

afterEach(clearSentinel)

describe("the library holds no way to run text as code", () => {
  // The CLI imports the flow file the user names on the command line (`artiflow run flow.ts`): code the user
  // chose to run, never bytes from a store. importModule.ts loads it (and the library's own entry points, to
  // share them with CommonJS flow files).
  // flowModule.ts imports again the module that built a flow in this process (its path from the flow's own
  // definition) to find the flow's export. A worker runs the module of the flows it was started with, never one
  // a job names (worker.ts puts its own location into each attempt).
  // dynamicImport.ts is the import() they call, and the built package's loader (codeCache/loadCore.ts) lends
  // it Node's own.
  const LOADS_USER_FLOWS = new Set([
    "lib/cli/loadFlow.ts",
    "lib/cli/importModule.ts",
    "lib/executor/flowModule.ts",
    "lib/dynamicImport.ts",
    "lib/codeCache/loadCore.ts"
  ])
  // The one eval allowed: run from source (tests, benchmarks), threadPool.ts starts each worker thread with a
  // constant bootstrap (register tsx, import artiflow's own thread entry), as Node gives threads no TypeScript
  // loader of their own. The built package starts dist/executor/threadMain.js.
  const THREAD_BOOTSTRAP = /^lib\/executor\/threadPool\.ts:\d+: eval$/
  // The one vm: the built package's loader compiles the package's own script (dist/chunks/core.cjs, read from
  // the package's directory) with V8's cache of that very script; never bytes from a store.
  const BUILT_PACKAGE_LOADER = /^lib\/codeCache\/loadCore\.ts:\d+: the vm module$/
  const allowed = (finding: string): boolean => THREAD_BOOTSTRAP.test(finding) || BUILT_PACKAGE_LOADER.test(finding)

  test("lib/ has no eval, Function constructor, vm, seroval code path or module loaded by a computed name", () => {
    const found = scanLibrary(root, LOADS_USER_FLOWS)
    expect(found.filter((finding) => THREAD_BOOTSTRAP.test(finding))).toHaveLength(1)
    expect(found.filter((finding) => BUILT_PACKAGE_LOADER.test(finding))).toHaveLength(1)
    expect(found.filter((finding) => !allowed(finding))).toEqual([])
  })

  test("the scan finds each of those forms, however written (so an empty result means something)", () => {
    const forms = [
      'eval("1")',
      '(0, eval)("1")',
      'globalThis["eval"]("1")',
      "globalThis.Function('return 1')()",
      'new Function("return 1")',
      'Function("return 1")()',
      '(() => 1).constructor("return 1")()',
      'import { deserialize as parse } from "seroval"',
      'import { serialize, fromJSON } from "seroval"',
      'import * as seroval from "seroval"',
      'export { createReference } from "seroval"',
      'import { runInThisContext } from "node:vm"',
      "const m = await import(name)",
      "const m = await dynamicImport(name)",
      "const r = require(name)"
    ]
    for (const form of forms) expect(scanSource("form.ts", form, false), form).not.toEqual([])
    expect(
      scanSource(
        "ok.ts",
        'import { fromJSON, toJSON } from "seroval"\n// eval("1") in a comment\nconst s = "eval(1)"\nawait import("./decode.js")',
        false
      )
    ).toEqual([])
  })

  test("decoding rebuilds seroval trees with fromJSON", () => {
    expect(readFileSync(`${root}lib/codec/decode.ts`, "utf8")).toMatch(
      /import \{[^}]*\bfromJSON\b[^}]*\} from "seroval"/
    )
  })

  test("the guard would catch seroval's eval path: deserialize of stored text is trapped and reported", async () => {
    const watched = withoutCodeExecution(async () => deserialize(`(${pwn("deserialize")}, 1)`))
    await expect(watched).rejects.toThrow(/eval was called while loading/)
    expect(sentinel()).toBeUndefined()
  })
})
