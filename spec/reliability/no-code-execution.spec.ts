/**
 * Loading never executes stored code (DESIGN.md §4: "loading never executes stored code"; STYLE.md: keys from
 * disk are hostile). Store content is crafted directly, with hashes that match, so every integrity check
 * passes and only the decoder stands between the bytes and the process: seroval's eval-style output, scripts,
 * `__proto__`/`constructor`/`prototype` keys in JSON and in seroval trees, plugin tags and constructor names
 * that do not exist, unknown encodings. Each load either gives plain data (hostile keys as own data
 * properties) or fails with an IntegrityError naming the artifact, and while it runs nothing evaluates a
 * string, the sentinel stays unset and no built-in prototype changes (see `guard.ts`).
 */
import { serialize } from "seroval"
import { afterEach, beforeEach, describe, expect, test } from "vitest"
import { loadValue } from "../../lib/datastore/load.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"
import { Client } from "../../lib/index.js"
import { forEachStore } from "../stores.js"
import { craftedEntry, craftRun, template, tree } from "./crafted.js"
import { clearSentinel, pwn, withoutCodeExecution } from "./guard.js"
import { expectIntegrityError, expectOwnData, load, PLACEMENTS, where } from "./loading.js"

afterEach(clearSentinel)

const polluter = { polluted: true }

/** JavaScript, not data: what `serialize` writes and what an attacker would. */
const SCRIPTS: ReadonlyArray<readonly [string, string]> = [
  [
    "seroval serialize output with a side effect",
    `(${pwn("serialize")}, ${serialize({ m: new Map([[1, new Set([2])]]), d: new Date(0) })})`
  ],
  [
    "seroval serialize output of a cycle (an IIFE)",
    serialize(
      (() => {
        const c: Record<string, unknown> = { a: 1 }
        c.self = c
        return c
      })()
    ).replace("h.self=h", `h.self=(${pwn("iife")},h)`)
  ],
  ["an IIFE", `(function () { ${pwn("function")}; return 1 })()`],
  ["the Function constructor", `Function(${JSON.stringify(pwn("Function"))})()`],
  ["a getter", `({ get x() { ${pwn("getter")}; return 1 } })`],
  ["eval", `eval(${JSON.stringify(pwn("eval"))})`],
  ["a Promise executor", `new Promise(() => { ${pwn("promise")} })`]
]

/** Arrays nested `depth` deep, as text (JSON.stringify would recurse that deep). */
const deepTree = (depth: number): string => {
  const open = Array.from({ length: depth }, (_, i) => `{"t":9,"i":${i},"a":[`).join("")
  return `{"t":${open}{"t":0,"s":1}${'],"o":0}'.repeat(depth)},"f":127,"m":[]}`
}

/** seroval trees that must be refused: nodes naming things that do not exist, or what artiflow never writes. */
const REFUSED_TREES: ReadonlyArray<readonly [string, string]> = [
  [
    "a plugin tag naming an unknown constructor",
    tree({ t: 25, i: 0, s: { source: { t: 1, s: pwn("plugin") } }, c: "artiflow/Function" })
  ],
  ["a plugin tag '__proto__'", tree({ t: 25, i: 0, s: {}, c: "__proto__" })],
  ["a plugin tag 'constructor'", tree({ t: 25, i: 0, s: {}, c: "constructor" })],
  ["a seroval web plugin tag", tree({ t: 25, i: 0, s: {}, c: "seroval-plugins/web/Blob" })],
  [
    "an attachment placeholder naming the Function type",
    tree({
      t: 25,
      i: 0,
      s: {
        index: { t: 0, s: 0 },
        hash: { t: 1, s: "0".repeat(64) },
        size: { t: 0, s: 0 },
        type: { t: 1, s: "Function" }
      },
      c: "artiflow/attachment"
    })
  ],
  ["a reference to Object.prototype", tree({ t: 18, i: 0, s: "Object.prototype" })],
  ["a reference to globalThis.eval", tree({ t: 18, i: 0, s: "eval" })],
  ["a constant named 'constructor'", tree({ t: 2, s: "constructor" })],
  ["an error class named 'constructor'", tree({ t: 13, i: 0, s: "constructor", m: "x", p: { k: [], v: [] } })],
  [
    "a typed array class named 'Function'",
    tree({ t: 15, i: 0, c: "Function", f: { t: 19, i: 1, s: "AAAA" }, b: 0, l: 1 })
  ],
  ["a Temporal class named 'constructor'", tree({ t: 36, i: 0, c: "constructor", s: "x" })],
  ["a bigint that is code", tree({ t: 3, s: pwn("bigint") })],
  ["a node type that does not exist", tree({ t: 99, i: 0, s: pwn("t99") })],
  ["nesting far past the depth limit", deepTree(5000)],
  ["a document without a root node", JSON.stringify({ f: 127, m: [], t: pwn("root") })]
]

forEachStore((_name, makeStore) => {
  // A fresh store per test: a local store's directory is removed after each test (spec/stores.ts).
  let store: Datastore
  beforeEach(async () => {
    store = await makeStore()
  })

  describe("scripts stored as artifact bytes are refused, never run", () => {
    test.each(SCRIPTS)("%s", async (_, script) => {
      for (const placement of PLACEMENTS) {
        for (const encoding of ["seroval", "json"])
          expectIntegrityError(await load(store, script, encoding, "object", placement))
      }
    })

    test("unknown encodings and raw types naming constructors are refused", async () => {
      for (const encoding of ["eval", "js", "function", "__proto__", "constructor", "toString"]) {
        expectIntegrityError(await load(store, pwn(encoding), encoding, "object", "inline"))
      }
      for (const type of ["Function", "eval", "__proto__", "constructor", "toString", "hasOwnProperty", "Object"]) {
        expectIntegrityError(await load(store, pwn(type), "raw", type, "blob"))
      }
    })
  })

  describe("hostile entry fields", () => {
    // Entries may name a compressed blob (`stored`, with its compression). A name this artiflow does not know
    // must be refused; a reader that predates the field reads the plain blob the entry's hash names.
    test.each(["eval", "__proto__", "constructor", "toString", "Function"])(
      "a compressed blob said to use '%s'",
      async (compression) => {
        const data = await craftedEntry(store, '{"ok":true}', "json", "object", "blob")
        const script = await store.writeBlob(Buffer.from(pwn(compression)))
        const entry = { ...data, stored: { ...script, compression } }
        const outcome = await withoutCodeExecution(() =>
          loadValue(store, entry as never, where).catch((error: unknown) => ({ failed: error }))
        )
        if ((outcome as { readonly failed?: unknown }).failed !== undefined) expectIntegrityError(outcome)
        else expect(outcome).toEqual({ ok: true })
      }
    )

    test("inline text that is not a string, and attachment lists that are not lists", async () => {
      const data = await craftedEntry(store, "1", "json", "number", "inline")
      for (const entry of [
        { ...data, inline: { toString: pwn("inline") } },
        { ...data, attachments: { length: 1, 0: { hash: data.hash, size: 1 } } },
        { ...data, hash: "constructor" }
      ]) {
        expectIntegrityError(
          await withoutCodeExecution(() =>
            loadValue(store, entry as never, where).catch((error: unknown) => ({ failed: error }))
          )
        )
      }
    })
  })

  describe("hostile keys load as own data properties", () => {
    test("JSON with __proto__, constructor and prototype keys, at the top and nested", async () => {
      const payload = JSON.stringify({ a: 1 }).replace(
        "{",
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true},"list":[{"__proto__":{"polluted":true}}],'
      )
      for (const placement of PLACEMENTS) {
        const value = (await load(store, payload, "json", "object", placement)) as Record<string, unknown>
        expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
        expect(expectOwnData(value, "__proto__")).toEqual(polluter)
        expect(expectOwnData(value, "constructor")).toEqual({ prototype: polluter })
        expect(expectOwnData(value, "prototype")).toEqual(polluter)
        const [item] = value.list as ReadonlyArray<object>
        expect(Object.getPrototypeOf(item)).toBe(Object.prototype)
        expect(expectOwnData(item, "__proto__")).toEqual(polluter)
        expect(value.a).toBe(1)
      }
    })

    test("a JSON string holding code is a string", async () => {
      expect(await load(store, JSON.stringify(pwn("string")), "json", "string", "inline")).toBe(pwn("string"))
    })

    const objectNode = (type: 10 | 11, keys: ReadonlyArray<string>) => ({
      t: type,
      i: 0,
      p: { k: keys, v: keys.map((_, n) => ({ t: 10, i: n + 1, p: { k: ["polluted"], v: [{ t: 2, s: 2 }] }, o: 0 })) },
      o: 0
    })
    const HOSTILE = [
      "__proto__",
      "constructor",
      "prototype",
      "__defineGetter__",
      "__defineSetter__",
      "__lookupGetter__",
      "__lookupSetter__"
    ]

    test.each([
      ["a plain object node", 10, Object.prototype],
      ["a null-prototype object node", 11, null]
    ] as const)("seroval: %s with every key seroval treats as special", async (_, type, prototype) => {
      const value = (await load(store, tree(objectNode(type, HOSTILE)), "seroval", "object", "inline")) as object
      expect(Object.getPrototypeOf(value)).toBe(prototype)
      for (const key of HOSTILE) expect(expectOwnData(value, key)).toEqual(polluter)
    })

    test("seroval: an error node whose fields are __proto__ and constructor stays an Error", async () => {
      const fields = {
        k: ["__proto__", "constructor"],
        v: [
          { t: 10, i: 1, p: { k: ["polluted"], v: [{ t: 2, s: 2 }] }, o: 0 },
          { t: 1, s: pwn("ctor") }
        ]
      }
      const value = (await load(
        store,
        tree({ t: 13, i: 0, s: 5, m: pwn("message"), p: fields }),
        "seroval",
        "TypeError",
        "blob"
      )) as Error
      expect(Object.getPrototypeOf(value)).toBe(TypeError.prototype)
      expect(value.message).toBe(pwn("message"))
      expect(expectOwnData(value, "__proto__")).toEqual(polluter)
      expect(expectOwnData(value, "constructor")).toBe(pwn("ctor"))
    })

    test("seroval: strings, URLs and Buffers that hold code stay inert data", async () => {
      expect(await load(store, tree({ t: 1, s: pwn("string") }), "seroval", "string", "inline")).toBe(pwn("string"))
      const url = await load(
        store,
        tree({ t: 25, i: 0, s: { href: { t: 1, s: `javascript:${pwn("url")}` } }, c: "artiflow/URL" }),
        "seroval",
        "URL",
        "inline"
      )
      expect(url).toBeInstanceOf(URL)
      expect((url as URL).protocol).toBe("javascript:")
      const base64 = Buffer.from(pwn("buffer")).toString("base64")
      const buffer = await load(
        store,
        tree({ t: 25, i: 0, s: { base64: { t: 1, s: base64 } }, c: "artiflow/Buffer" }),
        "seroval",
        "Buffer",
        "blob"
      )
      expect(Buffer.isBuffer(buffer) && buffer.toString()).toBe(pwn("buffer"))
    })
  })

  describe("malformed or unknown seroval nodes are refused", () => {
    test.each(REFUSED_TREES)("%s", async (_, text) => {
      for (const placement of PLACEMENTS) expectIntegrityError(await load(store, text, "seroval", "object", placement))
    })
  })

  describe("through the Client", () => {
    test("a crafted run's artifacts load as data or fail naming the artifact, and nothing runs", async () => {
      const base = await template(store, "Crafted")
      const [script] = SCRIPTS[0] as readonly [string, string]
      const [, refused] = REFUSED_TREES[0] as readonly [string, string]
      const hostileJson = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'
      await craftRun(store, base, "client-1", [
        ["script", await craftedEntry(store, script, "seroval", "object", "blob")],
        ["plugin", await craftedEntry(store, refused, "seroval", "object", "inline")],
        ["keys", await craftedEntry(store, hostileJson, "json", "object", "inline")],
        ["eval", await craftedEntry(store, pwn("encoding"), "eval", "object", "inline")]
      ])
      await withoutCodeExecution(async () => {
        const handle = await Client.open(store).run("Crafted", "client-1")
        for (const name of ["script", "plugin", "eval"]) {
          expectIntegrityError(await handle.artifact(name).catch((error: unknown) => ({ failed: error })), name)
          const [task] = await handle.step("start").tasks()
          expectIntegrityError(await task?.artifact(name).catch((error: unknown) => ({ failed: error })), name)
        }
        const keys = (await handle.artifact("keys")) as object
        expect(Object.getPrototypeOf(keys)).toBe(Object.prototype)
        expect(expectOwnData(keys, "__proto__")).toEqual(polluter)
      })
    })
  })
})
