/**
 * artiflow finds its own files by package self-reference (dist/ is bundled: no module knows its place in the
 * package from its own URL), to tell its stack frames from its users' and to read its version.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, test } from "vitest"
import { mentionsOwnCode, packageVersion } from "../lib/ownPackage.js"

const root = fileURLToPath(new URL("..", import.meta.url))

describe("artiflow's own package", () => {
  test("its version is package.json's", () => {
    expect(packageVersion()).toBe((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version)
  })

  test("its code is what is under dist/ and lib/, whether a frame names a path or a file URL", () => {
    const chunk = join(root, "dist/chunks/chunk-ABC.js")
    expect(mentionsOwnCode(chunk)).toBe(true)
    expect(mentionsOwnCode(`    at runTask (${pathToFileURL(chunk).href}:12:5)`)).toBe(true)
    expect(mentionsOwnCode(`    at spin (${join(root, "lib/interpreter/spin.ts")}:3:1)`)).toBe(true)
    // The repository's own tests and examples are code that uses artiflow, like a user's.
    expect(mentionsOwnCode(`    at check (${join(root, "spec/cli/fixtures/spinnable.ts")}:9:11)`)).toBe(false)
    expect(mentionsOwnCode(join(root, "examples/etl.ts"))).toBe(false)
    expect(mentionsOwnCode(join(root, "distant/x.js"))).toBe(false)
  })
})
