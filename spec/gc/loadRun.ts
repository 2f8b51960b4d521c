/** Reading a whole run back: what "a kept run still loads" means in the gc tests. */
import { Client } from "../../lib/client/Client.js"
import type { Datastore } from "../../lib/datastore/Datastore.js"

/** Loads every artifact of every task of every step of a run (hashes verified); resolves to how many. */
export const loadEveryArtifact = async (store: Datastore, flow: string, runId: string): Promise<number> => {
  const run = await Client.open(store).run(flow, runId)
  let loaded = 0
  for (const step of run.steps()) {
    for (const task of await step.tasks()) {
      if (task.status !== "succeeded") continue
      for (const name of await task.artifactNames()) {
        await task.artifact(name)
        loaded++
      }
    }
  }
  return loaded
}
