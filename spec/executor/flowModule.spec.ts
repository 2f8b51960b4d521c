/** Where workers find a flow: its module and export, found from the value; a graph hash per version. */
import { describe, expect, test } from "vitest"
import { FlowDefinitionError, step } from "../../lib/index.js"
import { FlowValue } from "../../lib/dsl/FlowValue.js"
import { graphHash, locateFlow } from "../../lib/executor/flowModule.js"
import { Grid as OtherGrid } from "./fixtures/otherGrid.js"
import { Grid, Shapes } from "./flows.js"

describe("locateFlow", () => {
  test("finds the module that built the flow and the name it is exported under", async () => {
    const location = await locateFlow(Grid as unknown as FlowValue, "workerThreads()")
    expect(location.exportName).toBe("Grid")
    expect(location.module).toMatch(/\/spec\/executor\/flows\.ts$/)
  })

  test("a flow derived from an exported one is not exported: an error listing what the module exports", async () => {
    const derived = (Shapes as unknown as FlowValue).pipe(step("more", () => ({ more: 1 })) as never)
    const error = await locateFlow(derived, "bullmqExecutor()").catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlowDefinitionError)
    expect((error as Error).message).toMatch(
      /^artiflow: flow 'Shapes' is not exported from \S+\/spec\/executor\/flows\.ts, the module that builds it: bullmqExecutor\(\) runs flows in workers that import them from their module, so export it \(export const Shapes = pipe\(flow\("Shapes"\), \.\.\.\)\) and run that export \(flows exported there: 'Shapes', 'Grid', /
    )
  })

  test("a flow whose module is unknown cannot run on workers, and says why", async () => {
    const scope = Object.freeze({ kind: "flow" as const, outerSteps: Object.freeze([]), foreachDepth: 0 })
    const nowhere = new FlowValue("Nowhere", undefined, {}, {}, [], scope, undefined)
    await expect(locateFlow(nowhere, "workerThreads()")).rejects.toThrow(
      "artiflow: flow 'Nowhere' was built where artiflow cannot tell its module (no file in the stack): workerThreads() runs flows in workers that import them, so build and export it in a module file"
    )
  })
})

describe("graphHash", () => {
  test("the same for one version of a flow, another for another version of the same name", () => {
    expect(graphHash(Grid as unknown as FlowValue)).toMatch(/^[0-9a-f]{64}$/)
    expect(graphHash(Grid as unknown as FlowValue)).toBe(graphHash(Grid as unknown as FlowValue))
    expect(graphHash(OtherGrid as unknown as FlowValue)).not.toBe(graphHash(Grid as unknown as FlowValue))
  })
})
