/**
 * Watching for code execution while stored bytes are loaded: a global sentinel crafted payloads try to set,
 * traps on every way to evaluate a string (`eval`, the `Function` constructor, `.constructor` of a
 * function), and a snapshot of the built-in prototypes that prototype pollution would change.
 */
import { expect } from "vitest"

/** What crafted payloads try to set: if it is ever set, stored code ran. */
export const SENTINEL = "__artiflowPwned"

const globals = globalThis as unknown as Record<string, unknown>

export const sentinel = (): unknown => globals[SENTINEL]
export const clearSentinel = (): void => {
  delete globals[SENTINEL]
}

/** Code that sets the sentinel when run, for payloads to carry. */
export const pwn = (how: string): string => `globalThis.${SENTINEL} = ${JSON.stringify(how)}`

const PROTOTYPES: ReadonlyArray<object> = [
  Object.prototype,
  Array.prototype,
  Function.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
  Error.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  Promise.prototype,
  Uint8Array.prototype
]

type Snapshot = ReadonlyArray<{
  readonly proto: object | null
  readonly properties: ReadonlyArray<readonly [PropertyKey, unknown, unknown, unknown]>
}>

const snapshot = (): Snapshot =>
  PROTOTYPES.map((prototype) => ({
    proto: Object.getPrototypeOf(prototype) as object | null,
    properties: Reflect.ownKeys(prototype).map((key) => {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key) as PropertyDescriptor
      return [key, descriptor.value, descriptor.get, descriptor.set] as const
    })
  }))

/** What changed between two snapshots, by identity ("" when nothing did). */
const changes = (before: Snapshot, after: Snapshot): string =>
  before
    .flatMap((was, i) => {
      const now = after[i] as Snapshot[number]
      const name = String((PROTOTYPES[i] as { constructor?: { name?: string } }).constructor?.name)
      const found: Array<string> = []
      if (now.proto !== was.proto) found.push(`${name}.prototype has another prototype`)
      const keys = new Set([...was.properties, ...now.properties].map(([key]) => key))
      for (const key of keys) {
        const a = was.properties.find(([k]) => k === key)
        const b = now.properties.find(([k]) => k === key)
        if (a === undefined || b === undefined || a.some((part, j) => !Object.is(part, b[j]))) {
          found.push(
            `${name}.prototype[${String(key)}] ${a === undefined ? "was added" : b === undefined ? "was removed" : "changed"}`
          )
        }
      }
      return found
    })
    .join("; ")

/** Replaces `target[key]` with a trap that records the call and refuses to run anything. */
const trap = (target: object, key: string, calls: Array<string>): (() => void) => {
  const original = Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor
  const refuse = (args: ReadonlyArray<unknown>): never => {
    calls.push(`${key}(${args.map(String).join(", ")})`)
    throw new Error(`artiflow test: ${key} was called while loading`)
  }
  const trapped = new Proxy(original.value as (...args: ReadonlyArray<unknown>) => unknown, {
    apply: (_target, _this, args: ReadonlyArray<unknown>) => refuse(args),
    construct: (_target, args: ReadonlyArray<unknown>) => refuse(args)
  })
  Object.defineProperty(target, key, { ...original, value: trapped })
  return () => Object.defineProperty(target, key, original)
}

/**
 * Runs `body` with string evaluation trapped, then checks that nothing evaluated a string, the sentinel is
 * unset, and no built-in prototype gained, lost or changed a property. Returns what `body` returned.
 */
export const withoutCodeExecution = async <T>(body: () => Promise<T>): Promise<T> => {
  const before = snapshot()
  const calls: Array<string> = []
  const restores = [
    trap(globalThis, "eval", calls),
    trap(globalThis, "Function", calls),
    // `(() => {}).constructor(code)` reaches the Function constructor without naming it.
    trap(Function.prototype, "constructor", calls)
  ]
  let result: T
  try {
    result = await body()
  } finally {
    for (const restore of restores.reverse()) restore()
  }
  expect(calls, "string evaluation while loading").toEqual([])
  expect(sentinel(), "the sentinel set by stored code").toBeUndefined()
  expect(changes(before, snapshot()), "changes to built-in prototypes").toBe("")
  expect(({} as Record<string, unknown>).polluted, "a property every object inherits").toBeUndefined()
  return result
}
