import { describe, expect, test } from "vitest"
import { failure } from "./helpers.js"

class Model {
  weights = [1, 2]
  predict(): number {
    return 1
  }
  fit(): void {}
}

class Derived extends Model {
  get size(): number {
    return 2
  }
}

describe("values that are not storable say what and where", () => {
  test.each([
    ["a function", () => 1, "a function", ""],
    ["a symbol", Symbol("s"), "a symbol", ""],
    ["a boxed symbol", Object(Symbol("s")) as unknown, "a symbol", ""],
    ["a Promise", Promise.resolve(1), "a Promise", ""],
    ["a WeakMap", new WeakMap(), "a WeakMap", ""],
    ["a WeakSet", new WeakSet(), "a WeakSet", ""],
    ["a WeakRef", new WeakRef({}), "a WeakRef", ""],
    ["a SharedArrayBuffer", new SharedArrayBuffer(8), "a SharedArrayBuffer", ""],
    ["a method on a plain object", { model: { predict() {} } }, "a function", "model.predict"],
    ["a function in an array", { items: [1, 2, 3, () => 4] }, "a function", "items[3]"],
    ["a class instance with methods", { model: new Model() }, "an object with methods (fit, predict)", "model"],
    ["inherited methods and accessors", new Derived(), "an object with methods (fit, predict, size)", ""],
    ["a Map value", { cache: new Map([["k", Symbol("v")]]) }, "a symbol", "cache.<Map value>"],
    ["a Map key", new Map([[() => 1, 1]]), "a function", "<Map key>"],
    ["a Set member", new Set([Promise.resolve()]), "a Promise", "<Set member>"],
    ["an odd key", { "a b": { c: () => 1 } }, "a function", '["a b"].c'],
    ["an error field", Object.assign(new Error("x"), { retry: () => 1 }), "a function", "retry"],
    ["a function after a value that needs seroval", { a: new Date(0), b: [undefined, () => 1] }, "a function", "b[1]"]
  ])("%s", (_, value, what, path) => {
    expect(failure(value)).toEqual({ _tag: "NotStorable", what, path })
  })

  test("a generator lists its methods", () => {
    function* numbers(): Generator<number> {
      yield 1
    }
    expect(failure({ gen: numbers() }).what).toMatch(/^an object with methods \(.*next.*\)$/)
  })

  test("long method lists are cut after five names", () => {
    expect(failure(new URLSearchParams("a=1")).what).toMatch(/^an object with methods \((\w+, ){5}\.\.\.\)$/)
  })

  test("values nested too deep are refused, with a shortened path", () => {
    let deep: unknown = 1
    for (let i = 0; i < 1001; i++) deep = [deep]
    const result = failure(deep)
    expect(result.what).toBe("a value nested deeper than 1000 levels")
    expect(result.path).toMatch(/^(\[0\]){20}\.\.\.(\[0\]){20}$/)
  })

  test("bigints too long for seroval to read back are refused", () => {
    expect(failure({ n: BigInt("9".repeat(10_001)) })).toEqual({
      _tag: "NotStorable",
      what: "a bigint of more than 10000 digits",
      path: "n"
    })
  })

  test("a data-only class instance is storable, one with methods is not", () => {
    class Data {
      a = 1
    }
    expect(() => failure(new Data())).toThrow(/expected NotStorable/)
  })
})
