/** The stack a `catch` artifact stores: the user's frames as locations, the same on every executor. */
import { pathToFileURL } from "node:url"
import { describe, expect, test } from "vitest"
import { userStack } from "../../lib/interpreter/stack.js"

const own = new URL("../../lib/interpreter/attempt.ts", import.meta.url).pathname

describe("userStack", () => {
  test("keeps the message and the user's frames as locations; drops artiflow's and Node's frames", () => {
    const stack = [
      "TypeError: doomed always fails",
      "    at Retries.catch (/app/flows.ts:88:13)",
      "    at async helper (/app/util.ts:3:1)",
      `    at <anonymous> (${own}:91:39)`,
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
      "    at /app/other.ts:5:7"
    ].join("\n")
    expect(userStack(stack)).toBe(
      ["TypeError: doomed always fails", "    at /app/flows.ts:88:13", "    at /app/util.ts:3:1", "    at /app/other.ts:5:7"].join("\n")
    )
  })

  test("the same frame under two compilers (other function names, a file URL) reads the same", () => {
    const url = pathToFileURL("/app/flows.ts").href
    const vitest = "Error: x\n    at Retries.catch (/app/flows.ts:88:13)"
    const tsx = `Error: x\n    at step.catch (${url}:88:13)`
    expect(userStack(vitest)).toBe(userStack(tsx))
  })

  test("a multi-line message stays whole; a stack without frames is kept as it is", () => {
    expect(userStack("Error: line one\nline two\n    at f (/app/a.ts:1:1)")).toBe("Error: line one\nline two\n    at /app/a.ts:1:1")
    expect(userStack("just text")).toBe("just text")
  })
})
