/**
 * The small-artifacts benchmark's first run in a fresh process (small.ts): modules are loaded by an untimed
 * run of an empty flow, then one run storing 1,000 small artifacts is timed before any JIT warm-up.
 *
 *     smallArtifacts <store dir>
 *
 * Prints `{ ms }` (child.ts).
 */
import { join } from "node:path"
import { localStore, run } from "artiflow"
import { reportFromChild } from "../child.js"
import { timed } from "../measure.js"
import { emptyFlow, manySmallFlow, smallRecord } from "../small.js"

const [dir = ""] = process.argv.slice(2)
const quiet = { log: () => {} }
await run(emptyFlow, { store: localStore(join(dir, "empty")), ...quiet })
const record = smallRecord()
const ms = await timed(() => run(manySmallFlow(() => record), { store: localStore(join(dir, "small")), ...quiet }))
reportFromChild({ ms })
